// Routes, authentication and the handler table: turns an http::Request into a Response.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>

#include "api/context.h"
#include "api/guards.h"
#include "http/router.h"
#include "http/server.h"
#include "http/types.h"
#include "util/worker_pool.h"

namespace cxco::api {

// Who is calling, established from X-API-Key / X-Admin-Key before a handler runs.
struct Principal {
  enum class Kind { anonymous, admin, company, user } kind = Kind::anonymous;
  std::int64_t company_id = 0;
  std::int64_t user_id = 0;
  std::int64_t key_id = 0;  // the API key used (0 for admin and anonymous calls)
};

enum class Access { open, admin, company, user, any_key };

struct Call {
  const http::Request& request;
  const Principal& principal;
  AppContext& app;
};

using Handler = http::Response (*)(Call&);

struct Route {
  Access access;
  Handler handler;
  bool blocking = true;  // false: cheap, answered on the I/O thread
};

using Routes = http::Router<Route>;

// JSON answers.
http::Response json_response(int status, const boost::json::value& body);
http::Response no_content();
// One page of a newest-first list: `rows` holds up to limit + 1 rows (one more than asked
// tells whether another page exists); answers {"items", "has_more", "next_cursor"}.
http::Response page_response(boost::json::array rows, std::int64_t limit);
// A path parameter that must be a positive integer id (422 otherwise).
std::int64_t id_param(const http::Request& request, std::string_view name);

class Api {
 public:
  explicit Api(AppContext& app);
  // The http::Server's dispatcher: authenticates, runs the handler on a worker, logs.
  void dispatch(http::Request&& request, http::Respond respond);
  // Runs a request synchronously on the calling thread (used by dispatch and benchmarks).
  http::Response handle(http::Request& request);
  const Routes& routes() const { return routes_; }

 private:
  http::Response run(http::Request& request, const Routes::Match& match);

  AppContext& app_;
  Routes routes_;
  std::unique_ptr<RateLimiter> limiter_;
  util::WorkerPool workers_;
};

// Each resource adds its routes (src/api/<resource>.cpp).
void add_health_routes(Routes& routes);
void add_admin_routes(Routes& routes);
void add_company_routes(Routes& routes);
void add_user_routes(Routes& routes);
void add_voice_routes(Routes& routes);
void add_phone_number_routes(Routes& routes);
void add_agent_routes(Routes& routes);
void add_webhook_routes(Routes& routes);
void add_metrics_routes(Routes& routes);
void add_conversation_routes(Routes& routes);
void add_usage_routes(Routes& routes);
void add_elevenlabs_integration_routes(Routes& routes);
void add_provider_routes(Routes& routes);
void add_whatsapp_number_routes(Routes& routes);
void add_whatsapp_integration_routes(Routes& routes);
void add_openapi_routes(Routes& routes);

}  // namespace cxco::api
