// When to try a piece of background work again after it failed.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace cxco::domain {

struct RetrySchedule {
  std::vector<double> seconds;  // wait before retry 1, 2, ...; after the last, give up

  // Milliseconds to wait after failed attempt number `attempt` (1-based); nullopt: give up.
  std::optional<std::int64_t> delay_after(std::int64_t attempt) const {
    if (attempt < 1 || attempt > static_cast<std::int64_t>(seconds.size())) return std::nullopt;
    return std::llround(seconds[static_cast<std::size_t>(attempt - 1)] * 1000);
  }
};

}  // namespace cxco::domain
