// Wall-clock time behind an interface, so tests can move time without sleeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cxco::util {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
  std::int64_t now() const { return now_ms() / 1000; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
};

// "2026-03-12T14:30:00Z" for unix seconds.
std::string iso8601(std::int64_t unix_seconds);
// "2026-03-12" for unix seconds (UTC day).
std::string utc_date(std::int64_t unix_seconds);
// Days since 1970-01-01 for a strict "YYYY-MM-DD" that names a real calendar day from 1970 on.
std::optional<std::int64_t> parse_date(std::string_view text);
std::string date_from_days(std::int64_t days);
// Unix milliseconds of an ISO 8601 date-time that names its offset: "2026-03-12T14:30:00Z",
// "2026-03-12T16:30+02:00", "2026-03-12T14:30:00.250Z", "2026-03-12t14:30:00z". nullopt without
// an offset (a local time names no instant) or for anything that is not a real moment from 1970 on.
std::optional<std::int64_t> parse_timestamp_ms(std::string_view text);

}  // namespace cxco::util
