#include "domain/quotas.h"

#include <algorithm>
#include <limits>
#include <string>

#include "domain/errors.h"
#include "domain/usage.h"

namespace cxco::domain {

void admit_active_agent(const Quotas& quotas, const QuotaUsage& usage, std::int64_t now_unix) {
  if (quotas.max_active_agents && usage.active_agents >= *quotas.max_active_agents)
    throw ApiError::quota_exceeded("The company's max_active_agents quota (" +
                                       std::to_string(*quotas.max_active_agents) +
                                       ") is reached; pause or archive an agent first",
                                   std::nullopt);
  if (quotas.monthly_voice_minutes && usage.voice_seconds_this_month >= *quotas.monthly_voice_minutes * 60)
    throw ApiError::quota_exceeded("The company's monthly_voice_minutes quota (" +
                                       std::to_string(*quotas.monthly_voice_minutes) + ") is used up for this month",
                                   seconds_to_next_month(now_unix));
}

void admit_call(const Quotas& quotas, const QuotaUsage& usage, std::int64_t now_unix) {
  if (quotas.max_concurrent_calls && usage.concurrent_calls >= *quotas.max_concurrent_calls)
    throw ApiError::quota_exceeded("The company's max_concurrent_calls quota (" +
                                       std::to_string(*quotas.max_concurrent_calls) +
                                       ") is reached; try again when a call ends",
                                   std::nullopt);
  if (quotas.monthly_outbound_calls && usage.outbound_calls_this_month >= *quotas.monthly_outbound_calls)
    throw ApiError::quota_exceeded("The company's monthly_outbound_calls quota (" +
                                       std::to_string(*quotas.monthly_outbound_calls) + ") is used up for this month",
                                   seconds_to_next_month(now_unix));
  if (quotas.monthly_voice_minutes && usage.voice_seconds_this_month >= *quotas.monthly_voice_minutes * 60)
    throw ApiError::quota_exceeded("The company's monthly_voice_minutes quota (" +
                                       std::to_string(*quotas.monthly_voice_minutes) + ") is used up for this month",
                                   seconds_to_next_month(now_unix));
}

std::int64_t calls_allowed(const Quotas& quotas, const QuotaUsage& usage) {
  if (quotas.monthly_voice_minutes && usage.voice_seconds_this_month >= *quotas.monthly_voice_minutes * 60) return 0;
  auto allowed = std::numeric_limits<std::int64_t>::max();
  if (quotas.max_concurrent_calls) allowed = std::min(allowed, *quotas.max_concurrent_calls - usage.concurrent_calls);
  if (quotas.monthly_outbound_calls)
    allowed = std::min(allowed, *quotas.monthly_outbound_calls - usage.outbound_calls_this_month);
  return std::max<std::int64_t>(allowed, 0);
}

std::int64_t seconds_to_next_month(std::int64_t now_unix) {
  const auto today = now_unix / 86400;
  // The 1st of this month plus 31 days is always in the next month; its 1st is the reset.
  const auto next_month = first_of_month(first_of_month(today) + 31);
  return next_month * 86400 - now_unix;
}

}  // namespace cxco::domain
