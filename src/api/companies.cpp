// GET/PUT /api/companies/{company_id} (Any Key): a key sees only its own company.
#include "api/api.h"
#include "api/input.h"
#include "util/json.h"

namespace cxco::api {

namespace {

domain::CompanyId own_company(Call& call) {
  if (id_param(call.request, "company_id") != call.principal.company.value)
    throw ApiError::not_found("Company not found");
  return call.principal.company;
}

http::Response get_company(Call& call) { return json_response(200, call.services.accounts.company(own_company(call))); }

http::Response update_company(Call& call) {
  const auto company = own_company(call);
  auto in = Input::body(call.request);
  domain::CompanyChanges changes;
  changes.name = in.string("name", wire::kNonBlank, 255);
  if (const auto* settings = in.object("settings").object()) changes.settings_json = util::to_json(*settings);
  in.check();
  return json_response(200, call.services.accounts.update_company(company, changes));
}

}  // namespace

void add_company_routes(Routes& routes) {
  routes.add("GET", "/api/companies/{company_id}", {Access::any_key, get_company});
  routes.add("PUT", "/api/companies/{company_id}", {Access::any_key, update_company});
}

}  // namespace cxco::api
