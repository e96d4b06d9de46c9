// Company quotas (platform.md section 9): what counts against them and when work is refused.
#pragma once

#include <cstdint>

#include "domain/company.h"

namespace cxco::domain {

// What counts against a company's quotas now; months are UTC calendar months. Calls are not
// placed yet: the calls feature adds concurrent and outbound calls, and admits calls against
// max_concurrent_calls and monthly_outbound_calls.
struct QuotaUsage {
  // Active agents and publishes in flight: a publish holds its slot from the moment it
  // reserves a number.
  std::int64_t active_agents = 0;
  std::int64_t voice_seconds_this_month = 0;  // from the usage rollups
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

// Seconds from now to 00:00 UTC on the first day of the next month, when monthly quotas reset.
std::int64_t seconds_to_next_month(std::int64_t now_unix);

}  // namespace cxco::domain
