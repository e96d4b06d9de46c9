// Company quotas (platform.md section 9): what counts against them and when work is refused.
#pragma once

#include <cstdint>

#include "domain/company.h"

namespace cxco::domain {

// What counts against a company's quotas now; months are UTC calendar months.
struct QuotaUsage {
  // Active agents and publishes in flight: a publish holds its slot from the moment it
  // reserves a number.
  std::int64_t active_agents = 0;
  std::int64_t voice_seconds_this_month = 0;  // from the usage rollups
  // Outbound calls not yet ended: a call holds its slot from the moment it is queued.
  std::int64_t concurrent_calls = 0;
  // Outbound calls created this month, but for those that ended without being dialed.
  std::int64_t outbound_calls_this_month = 0;
};

// GET /api/companies/{id}: the company, its quotas and their use.
struct CompanyDetail {
  Company company;
  QuotaUsage usage;
};

// Lets one more agent go active, or throws 429 quota_exceeded naming the quota: the agent
// count may reach max_active_agents but not pass it, and once this month's voice minutes reach
// monthly_voice_minutes no agent starts work until the next month (Retry-After).
void admit_active_agent(const Quotas& quotas, const QuotaUsage& usage, std::int64_t now_unix);

// Lets one more outbound call start, or throws 429 quota_exceeded naming the quota: concurrent
// calls may reach max_concurrent_calls but not pass it; once this month's outbound calls reach
// monthly_outbound_calls, or its voice minutes monthly_voice_minutes, no call starts until the
// next month (Retry-After).
void admit_call(const Quotas& quotas, const QuotaUsage& usage, std::int64_t now_unix);
// How many more calls may start now under the same rules, for the dialer, which waits instead of
// refusing; INT64_MAX when nothing limits them.
std::int64_t calls_allowed(const Quotas& quotas, const QuotaUsage& usage);

// Seconds from now to 00:00 UTC on the first day of the next month, when monthly quotas reset.
std::int64_t seconds_to_next_month(std::int64_t now_unix);

}  // namespace cxco::domain
