// Usage (reference "Usage", GET /api/companies/{id}/usage, GET /api/agents/{id}/usage): figures
// from the daily rollups over a range of UTC days.
#include "api/api.h"
#include "api/validation.h"
#include "domain/usage.h"
#include "services/usage.h"
#include "util/time.h"

namespace cxco::api {

namespace {

// The longest range /api/usage/daily answers (platform.md section 3): a leap year.
constexpr std::int64_t kMaxDailyDays = 366;

// start_date and end_date; when absent, the range runs from the first day of end_date's month
// (the current month by default) to end_date (today by default). Read first, so that an error
// recorded in `q` here is a date error: then nullopt, and the caller's check() answers 422.
std::optional<services::DayRange> read_range(Call& call, Input& q, bool required) {
  const auto start = q.date("start_date", required);
  const auto end = q.date("end_date", required);
  if (!q.ok()) return std::nullopt;
  services::DayRange range;
  range.last = end.value_or(call.app.clock.now() / 86400);
  range.first = start.value_or(domain::first_of_month(range.last));
  if (range.first > range.last) q.error("start_date", "start_date must not be after end_date", "value_error");
  return range;
}

http::Response usage_summary(Call& call) {
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, false);
  q.check();
  return json_response(200, call.app.db.read([&](store::Tx& tx) {
    return services::company_usage(tx, call.principal.company_id, *range);
  }));
}

http::Response company_usage(Call& call) {
  if (id_param(call.request, "company_id") != call.principal.company_id) throw ApiError::not_found("Company not found");
  return usage_summary(call);
}

http::Response agent_usage(Call& call) {
  const auto agent_id = id_param(call.request, "agent_id");
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, false);
  q.check();
  auto usage = call.app.db.read(
      [&](store::Tx& tx) { return services::agent_usage(tx, call.principal.company_id, agent_id, *range); });
  if (!usage) throw ApiError::not_found("Agent not found");
  return json_response(200, *usage);
}

http::Response daily_usage(Call& call) {
  auto q = Input::query(call.request);
  const auto range = read_range(call, q, true);
  const auto agent_id = q.integer("agent_id", false, 1, INT64_MAX);
  if (range && range->last - range->first + 1 > kMaxDailyDays)
    q.error("end_date", "The range may span at most " + std::to_string(kMaxDailyDays) + " days", "value_error");
  q.check();
  return json_response(200, call.app.db.read([&](store::Tx& tx) {
    return services::daily_usage(tx, call.principal.company_id, agent_id, *range);
  }));
}

}  // namespace

void add_usage_routes(Routes& routes) {
  routes.add("GET", "/api/usage/summary", {Access::any_key, usage_summary});
  routes.add("GET", "/api/usage/daily", {Access::any_key, daily_usage});
  routes.add("GET", "/api/agents/{agent_id}/usage", {Access::user, agent_usage});
  routes.add("GET", "/api/companies/{company_id}/usage", {Access::any_key, company_usage});
}

}  // namespace cxco::api
