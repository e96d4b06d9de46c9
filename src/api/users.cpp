// Users (reference "Users"): created with a company key, each with its own user key.
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

http::Response create_user(Call& call) {
  auto in = Input::body(call.request);
  const auto email = in.email("email", kRequired);
  const auto name = in.string("name", kRequired, 255);
  const auto role = in.one_of("role", kOptional, {"owner", "admin", "member"});
  in.check();
  return json_response(
      201, call.services.accounts.create_user(call.principal.company, *email, *name, role.value_or("member")));
}

http::Response me(Call& call) {
  const auto user = call.services.accounts.find_user(call.principal.company, call.principal.user_id);
  if (!user) throw ApiError::unauthenticated("Invalid or revoked API key");
  return json_response(200, *user);
}

http::Response get_user(Call& call) {
  const auto user = call.services.accounts.find_user(call.principal.company, id_param(call.request, "user_id"));
  if (!user) throw ApiError::not_found("User not found");
  return json_response(200, *user);
}

http::Response update_user(Call& call) {
  const auto id = id_param(call.request, "user_id");
  auto in = Input::body(call.request);
  domain::UserChanges changes;
  changes.name = in.string("name", wire::kNonBlank, 255);
  changes.role = in.one_of("role", kOptional, {"owner", "admin", "member"});
  in.check();
  return json_response(200, call.services.accounts.update_user(call.principal.company, id, changes));
}

http::Response delete_user(Call& call) {
  call.services.accounts.delete_user(call.principal.company, id_param(call.request, "user_id"));
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
