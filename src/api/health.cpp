// GET /healthz (process up) and GET /readyz (database reachable), no key needed.
#include <boost/json/object.hpp>

#include "api/api.h"

namespace cxco::api {

namespace {

http::Response healthz(Call&) { return json_response(200, boost::json::object{{"status", "ok"}}); }

http::Response readyz(Call& call) {
  if (call.app.db.ping()) return json_response(200, boost::json::object{{"status", "ready"}});
  return json_response(503, boost::json::object{{"status", "unavailable"}, {"detail", "database unreachable"}});
}

}  // namespace

void add_health_routes(Routes& routes) {
  routes.add("GET", "/healthz", {Access::open, healthz, false});
  routes.add("GET", "/readyz", {Access::open, readyz});
}

}  // namespace cxco::api
