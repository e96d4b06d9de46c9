// Platform operator API (platform.md section 2), behind X-Admin-Key.
#include "api/api.h"
#include "api/validation.h"
#include "services/accounts.h"

namespace cxco::api {

namespace {

http::Response create_company(Call& call) {
  auto in = Input::body(call.request);
  const auto name = in.string("name", true, 255);
  const auto settings = in.object("settings", false);
  in.check();
  auto created = call.app.db.write(
      [&](store::Tx& tx) { return services::create_company(tx, call.app.now_iso(), *name, settings); });
  created.resource["api_key"] = created.api_key;
  return json_response(201, created.resource);
}

http::Response rotate_key(Call& call) {
  const auto id = id_param(call.request, "id");
  auto key = call.app.db.write([&](store::Tx& tx) { return services::rotate_company_key(tx, call.app.now_iso(), id); });
  if (!key) throw ApiError::not_found("Company not found");
  return json_response(200, boost::json::object{{"api_key", *key}});
}

}  // namespace

void add_admin_routes(Routes& routes) {
  routes.add("POST", "/api/admin/companies", {Access::admin, create_company});
  routes.add("POST", "/api/admin/companies/{id}/rotate-key", {Access::admin, rotate_key});
}

}  // namespace cxco::api
