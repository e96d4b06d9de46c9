// Routes, authentication and the handler table: turns an http::Request into a Response.
// Handlers read their input, call one service and answer with the resource's serializer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/guards.h"
#include "domain/company.h"
#include "http/router.h"
#include "http/server.h"
#include "http/types.h"
#include "services/services.h"
#include "util/worker_pool.h"
#include "wire/serializers.h"

namespace cxco::api {

// Who is calling, established from X-API-Key / X-Admin-Key before a handler runs.
struct Principal {
  enum class Kind { anonymous, admin, company, user } kind = Kind::anonymous;
  domain::CompanyId company;
  std::int64_t user_id = 0;
  std::int64_t key_id = 0;  // the API key used (0 for admin and anonymous calls)
};

enum class Access { open, admin, company, user, any_key };

// What the API itself needs to know of the configuration.
struct ApiSettings {
  std::string admin_key;             // empty: the admin API answers 404
  double rate_limit_per_second = 0;  // per API key and node; 0: no limit
  double rate_limit_burst = 0;
  std::string whatsapp_verify_token;  // answers the WhatsApp webhook handshake
  int worker_threads = 8;             // run blocking handlers
};

struct Call {
  const http::Request& request;
  const Principal& principal;
  services::Services& services;
  const ApiSettings& settings;
};

using Handler = http::Response (*)(Call&);

struct Route {
  Access access;
  Handler handler;
  bool blocking = true;  // false: cheap, answered on the I/O thread
};

using Routes = http::Router<Route>;

// A resource as JSON, through its serializer (wire/serializers.h).
template <class T>
http::Response json_response(int status, const T& body) {
  http::Response r;
  r.status = status;
  r.body = wire::to_json(body);
  return r;
}
http::Response json_text_response(int status, std::string json);
http::Response no_content();
// A path parameter that must be a positive integer id (422 otherwise).
std::int64_t id_param(const http::Request& request, std::string_view name);

class Api {
 public:
  Api(services::Services& services, ApiSettings settings);
  // The http::Server's dispatcher: authenticates, runs the handler on a worker, logs.
  void dispatch(http::Request&& request, http::Respond respond);
  // Runs a request synchronously on the calling thread (used by dispatch and benchmarks).
  http::Response handle(http::Request& request);
  const Routes& routes() const { return routes_; }

 private:
  http::Response run(http::Request& request, const Routes::Match& match);
  Principal authenticate(const http::Request& request, Access access);

  services::Services& services_;
  ApiSettings settings_;
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
void add_call_routes(Routes& routes);
void add_campaign_routes(Routes& routes);

}  // namespace cxco::api
