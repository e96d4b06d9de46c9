// Routes, authentication and the handler table: turns an http::Request into a Response.
// Handlers read their input, call one service and answer with the resource's serializer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/guards.h"
#include "domain/company.h"
#include "domain/keys.h"
#include "http/router.h"
#include "http/server.h"
#include "http/types.h"
#include "services/services.h"
#include "util/worker_pool.h"
#include "wire/serializers.h"

namespace cxco::api {

// Who is calling, established from X-API-Key / X-Admin-Key before a handler runs.
struct Principal {
  enum class Kind { anonymous, admin, company, user, scoped } kind = Kind::anonymous;
  domain::CompanyId company;
  std::int64_t user_id = 0;
  std::int64_t key_id = 0;  // the API key used (0 for admin and anonymous calls)
  // What the key may do and see: every scope and agent, but for a scoped key.
  domain::KeyGrant grant;
};

// Which keys a route takes (a scoped key instead needs the scope its RoutePolicy names):
// `manager` is a company key or the user key of an owner or admin.
enum class Access { open, admin, company, user, any_key, manager };

// What a scoped key needs to call a route: `refused` for routes no scope opens (companies,
// users/me, the operator's API).
struct ScopeRule {
  enum class Kind : std::uint8_t { refused, needs } kind = Kind::refused;
  domain::Scope scope{};
  bool every_agent = false;  // also refused to a key limited to some agents (creating agents)
};

// The decisions for one route that takes a key, from the one table of them (api/policy.cpp).
struct RoutePolicy {
  std::string_view method, path;
  ScopeRule scoped;
  // Changing routes (POST, PUT, DELETE): the status a success answers. The audit row is written
  // in the service's last transaction, before the handler answers, so it is known beforehand.
  int audit_status = 0;
};
const std::vector<RoutePolicy>& route_policies();

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

// Request body limits (platform.md section 3): every route takes 1 MiB unless it names another.
constexpr std::size_t kBodyLimit = http::kInMemoryBodyLimit;
constexpr std::size_t kUploadBodyLimit = 20 * 1024 * 1024;           // campaigns and their recipients
constexpr std::size_t kProviderWebhookBodyLimit = 50 * 1024 * 1024;  // the post-call audio webhook

struct Route {
  Access access;
  Handler handler;
  bool blocking = true;                 // false: cheap, answered on the I/O thread
  const RoutePolicy* policy = nullptr;  // set by Api from route_policies() for every route that takes a key
  std::size_t body_limit = kBodyLimit;  // larger bodies: 413, before the handler runs
  // The handler reads the body in pieces (http::Request::read_body), so a body past 1 MiB is
  // spooled to a temporary file instead of held in memory.
  bool reads_body_in_pieces = false;
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
  // Wrong admin keys a client address may send: ten at once, then one every ten seconds.
  static constexpr double kAdminGuessesBurst = 10;
  static constexpr double kAdminGuessesPerSecond = 0.1;

  // Throws std::logic_error when a route that takes a key has no policy (or a changing one no
  // audit status), or a policy names no route: the table and the routes must agree.
  Api(services::Services& services, ApiSettings settings);
  // The http::Server's dispatcher: authenticates, runs the handler on a worker, logs.
  void dispatch(http::Request&& request, http::Respond respond);
  // The http::Server's body rules: the body limit of the route `method` `path` names (1 MiB for
  // no route: it answers 404 or 405 anyway).
  http::BodyRule body_rule(std::string_view method, std::string_view path) const;
  // Runs a request synchronously on the calling thread (used by dispatch and benchmarks).
  http::Response handle(http::Request& request);
  const Routes& routes() const { return routes_; }

 private:
  http::Response run(http::Request& request, const Routes::Match& match);
  // The route's answer to an authenticated caller: rate limit, agent restriction, audit scope,
  // idempotency, handler.
  http::Response serve(http::Request& request, const Route& route, const Principal& principal);
  // A read by a key this node has seen starts on the owner it had then; the key's lookup goes
  // with the read's first statement and must agree before anything is answered. nullopt when the
  // key changed: the request is then answered as if this node had never seen it.
  std::optional<http::Response> serve_recalled(http::Request& request, const Route& route,
                                               services::Accounts::RecalledKey& recalled);
  Principal authenticate(const http::Request& request, const Route& route);
  // The caller a key's owner is for this route, or the 403 it gets.
  Principal admit(const http::Request& request, const Route& route, const domain::KeyOwner& owner);

  services::Services& services_;
  ApiSettings settings_;
  Routes routes_;
  std::unique_ptr<RateLimiter> limiter_;
  RateLimiter admin_guesses_{kAdminGuessesPerSecond, kAdminGuessesBurst};  // wrong X-Admin-Key, per address
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
void add_key_routes(Routes& routes);
void add_audit_routes(Routes& routes);
void add_call_routes(Routes& routes);
void add_campaign_routes(Routes& routes);

}  // namespace cxco::api
