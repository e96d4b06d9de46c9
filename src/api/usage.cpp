// Usage (reference "Usage", GET /api/companies/{id}/usage, GET /api/agents/{id}/usage): figures
// from the daily rollups over a range of UTC days.
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

// The longest range /api/usage/daily answers (platform.md section 3): a leap year.
constexpr std::int64_t kMaxDailyDays = 366;

// start_date and end_date; when absent, the range runs from the first day of end_date's month
// (the current month by default) to end_date (today by default). Read first, so that an error
// recorded in `q` here is a date error: then nullopt, and the caller's check() answers 422.
std::optional<domain::DayRange> read_range(Call& call, Input& q, wire::Presence presence) {
  const auto start = q.date("start_date", presence);
  const auto end = q.date("end_date", presence);
  if (!q.ok()) return std::nullopt;
  domain::DayRange range;
  range.last = end.value_or(call.services.usage.today());
  range.first = start.value_or(domain::first_of_month(range.last));
  if (range.first > range.last) q.error("start_date", "start_date must not be after end_date", "value_error");
  return range;
}

http::Response usage_summary(Call& call) {
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, kOptional);
  q.check();
  return json_response(200, call.services.usage.company(call.principal.company, call.principal.grant.agents, *range));
}

http::Response company_usage(Call& call) {
  if (id_param(call.request, "company_id") != call.principal.company.value)
    throw ApiError::not_found("Company not found");
  return usage_summary(call);
}

http::Response agent_usage(Call& call) {
  const auto agent_id = id_param(call.request, "agent_id");
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, kOptional);
  q.check();
  return json_response(200, call.services.usage.agent(call.principal.company, agent_id, *range));
}

http::Response daily_usage(Call& call) {
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, kRequired);
  const auto agent_id = q.integer("agent_id", kOptional, 1);
  if (range && range->last - range->first + 1 > kMaxDailyDays)
    q.error("end_date", "The range may span at most " + std::to_string(kMaxDailyDays) + " days", "value_error");
  q.check();
  return json_response(
      200, call.services.usage.daily(call.principal.company, call.principal.grant.agents, agent_id, *range));
}

http::Response analysis_usage(Call& call) {
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, kOptional);
  const auto agent_id = q.integer("agent_id", kOptional, 1);
  if (range && range->last - range->first + 1 > kMaxDailyDays)
    q.error("end_date", "The range may span at most " + std::to_string(kMaxDailyDays) + " days", "value_error");
  q.check();
  return json_response(
      200, call.services.usage.analysis(call.principal.company, call.principal.grant.agents, agent_id, *range));
}

}  // namespace

void add_usage_routes(Routes& routes) {
  routes.add("GET", "/api/usage/summary", {Access::any_key, usage_summary});
  routes.add("GET", "/api/usage/daily", {Access::any_key, daily_usage});
  routes.add("GET", "/api/usage/analysis", {Access::any_key, analysis_usage});
  routes.add("GET", "/api/agents/{agent_id}/usage", {Access::user, agent_usage});
  routes.add("GET", "/api/companies/{company_id}/usage", {Access::any_key, company_usage});
}

}  // namespace cxco::api
