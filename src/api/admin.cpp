// Platform operator API (platform.md section 2), behind X-Admin-Key.
#include "api/api.h"
#include "api/input.h"
#include "util/json.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

constexpr std::int64_t kMaxQuota = 1'000'000'000;

http::Response create_company(Call& call) {
  auto in = Input::body(call.request);
  const auto name = in.string("name", kRequired, 255);
  const auto settings = in.object("settings").object();
  in.check();
  const auto settings_json = settings ? std::optional<std::string>(util::to_json(*settings)) : std::nullopt;
  return json_response(201, call.services.accounts.create_company(*name, settings_json));
}

// Every quota at once (PUT replaces the set): null, or left out, is unlimited.
http::Response set_quotas(Call& call) {
  const auto company = domain::CompanyId(id_param(call.request, "id"));
  auto in = Input::body(call.request);
  domain::Quotas q;
  q.max_active_agents = in.integer("max_active_agents", kOptional, 0, kMaxQuota);
  q.max_concurrent_calls = in.integer("max_concurrent_calls", kOptional, 0, kMaxQuota);
  q.monthly_voice_minutes = in.integer("monthly_voice_minutes", kOptional, 0, kMaxQuota);
  q.monthly_outbound_calls = in.integer("monthly_outbound_calls", kOptional, 0, kMaxQuota);
  in.check();
  return json_response(200, call.services.accounts.set_quotas(company, q));
}

http::Response rotate_key(Call& call) {
  const auto key = call.services.accounts.rotate_company_key(domain::CompanyId(id_param(call.request, "id")));
  if (!key) throw ApiError::not_found("Company not found");
  util::JsonWriter w;
  w.begin_object().field("api_key", *key).end_object();
  return json_text_response(200, w.take());
}

}  // namespace

void add_admin_routes(Routes& routes) {
  routes.add("POST", "/api/admin/companies", {Access::admin, create_company});
  routes.add("POST", "/api/admin/companies/{id}/rotate-key", {Access::admin, rotate_key});
  routes.add("PUT", "/api/admin/companies/{id}/quotas", {Access::admin, set_quotas});
}

}  // namespace cxco::api
