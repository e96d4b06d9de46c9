// GET/PUT /api/companies/{company_id} (Any Key): a key sees only its own company.
#include <boost/json/serialize.hpp>

#include "api/api.h"
#include "api/validation.h"
#include "services/accounts.h"

namespace cxco::api {

namespace {

std::int64_t own_company(Call& call) {
  const auto id = id_param(call.request, "company_id");
  if (id != call.principal.company_id) throw ApiError::not_found("Company not found");
  return id;
}

http::Response get_company(Call& call) {
  const auto id = own_company(call);
  auto company = call.app.db.read([&](store::Tx& tx) { return services::find_company(tx, id); });
  if (!company) throw ApiError::not_found("Company not found");
  return json_response(200, *company);
}

http::Response update_company(Call& call) {
  const auto id = own_company(call);
  auto in = Input::body(call.request);
  const auto name = in.string("name", false, 255);
  if (in.has("name") && name && name->find_first_not_of(" \t") == std::string::npos)
    in.error("name", "String should not be empty", "string_too_short");
  const auto settings = in.object("settings", false);
  in.check();
  auto company = call.app.db.write([&](store::Tx& tx) {
    const auto now = call.app.now_iso();
    if (name) tx.exec("UPDATE companies SET name = ?, updated_at = ? WHERE id = ?", {*name, now, id});
    if (settings)
      tx.exec("UPDATE companies SET settings = ?, updated_at = ? WHERE id = ?", {boost::json::serialize(*settings), now, id});
    return services::find_company(tx, id);
  });
  if (!company) throw ApiError::not_found("Company not found");
  return json_response(200, *company);
}

}  // namespace

void add_company_routes(Routes& routes) {
  routes.add("GET", "/api/companies/{company_id}", {Access::any_key, get_company});
  routes.add("PUT", "/api/companies/{company_id}", {Access::any_key, update_company});
}

}  // namespace cxco::api
