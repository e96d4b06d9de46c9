// Users (reference "Users"): created with a company key, each with its own user key.
#include "api/api.h"
#include "api/validation.h"
#include "services/accounts.h"

namespace cxco::api {

namespace {


http::Response create_user(Call& call) {
  auto in = Input::body(call.request);
  const auto email = in.email("email", true);
  const auto name = in.string("name", true, 255);
  const auto role = in.one_of("role", false, {"owner", "admin", "member"});
  in.check();
  auto created = call.app.db.write([&](store::Tx& tx) {
    return services::create_user(tx, call.app.now_iso(), call.principal.company_id, *email, *name,
                                 role.value_or("member"));
  });
  created.resource["api_key"] = created.api_key;
  return json_response(201, created.resource);
}

http::Response me(Call& call) {
  auto user = call.app.db.read(
      [&](store::Tx& tx) { return services::find_user(tx, call.principal.company_id, call.principal.user_id); });
  if (!user) throw ApiError::unauthenticated("Invalid or revoked API key");
  return json_response(200, *user);
}

http::Response get_user(Call& call) {
  const auto id = id_param(call.request, "user_id");
  auto user = call.app.db.read([&](store::Tx& tx) { return services::find_user(tx, call.principal.company_id, id); });
  if (!user) throw ApiError::not_found("User not found");
  return json_response(200, *user);
}

http::Response update_user(Call& call) {
  const auto id = id_param(call.request, "user_id");
  auto in = Input::body(call.request);
  const auto name = in.string("name", false, 255);
  if (in.has("name") && name && name->find_first_not_of(" \t") == std::string::npos)
    in.error("name", "String should not be empty", "string_too_short");
  const auto role = in.one_of("role", false, {"owner", "admin", "member"});
  in.check();
  auto user = call.app.db.write([&](store::Tx& tx) {
    const auto now = call.app.now_iso();
    const auto company = call.principal.company_id;
    if (name) tx.exec("UPDATE users SET name = ?, updated_at = ? WHERE id = ? AND company_id = ?", {*name, now, id, company});
    if (role) tx.exec("UPDATE users SET role = ?, updated_at = ? WHERE id = ? AND company_id = ?", {*role, now, id, company});
    return services::find_user(tx, company, id);
  });
  if (!user) throw ApiError::not_found("User not found");
  return json_response(200, *user);
}

http::Response delete_user(Call& call) {
  const auto id = id_param(call.request, "user_id");
  const bool deleted = call.app.db.write([&](store::Tx& tx) {
    // The user's keys are removed with it (ON DELETE CASCADE), so they fail at once.
    tx.exec("DELETE FROM api_keys WHERE user_id = ? AND company_id = ?", {id, call.principal.company_id});
    return tx.exec("DELETE FROM users WHERE id = ? AND company_id = ?", {id, call.principal.company_id}) > 0;
  });
  if (!deleted) throw ApiError::not_found("User not found");
  return no_content();
}

}  // namespace

void add_user_routes(Routes& routes) {
  routes.add("POST", "/api/users/", {Access::company, create_user});
  routes.add("GET", "/api/users/me", {Access::user, me});
  routes.add("GET", "/api/users/{user_id}", {Access::company, get_user});
  routes.add("PUT", "/api/users/{user_id}", {Access::company, update_user});
  routes.add("DELETE", "/api/users/{user_id}", {Access::company, delete_user});
}

}  // namespace cxco::api
