// GET /healthz (process up) and GET /readyz (database reachable), no key needed.
#include "api/api.h"

namespace cxco::api {

namespace {

http::Response healthz(Call&) { return json_text_response(200, R"({"status":"ok"})"); }

http::Response readyz(Call& call) {
  if (call.services.operations.database_ready()) return json_text_response(200, R"({"status":"ready"})");
  return json_text_response(503, R"({"status":"unavailable","detail":"database unreachable"})");
}

}  // namespace

void add_health_routes(Routes& routes) {
  routes.add("GET", "/healthz", {Access::open, healthz, false});
  routes.add("GET", "/readyz", {Access::open, readyz});
}

}  // namespace cxco::api
