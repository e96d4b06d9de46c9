#include "api/api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "crypto/crypto.h"
#include "http/error_response.h"
#include "store/audit_repo.h"
#include "store/db.h"
#include "util/log.h"
#include "util/metrics.h"

namespace cxco::api {

http::Response json_text_response(int status, std::string json) {
  http::Response r;
  r.status = status;
  r.body = std::move(json);
  return r;
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

std::int64_t id_param(const http::Request& request, std::string_view name) {
  const auto text = request.path_param(name);
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id < 1)
    throw ApiError::validation(
        {FieldError{{"path", std::string(name)}, "Input should be a valid integer", "int_type"}});
  return id;
}

namespace {

void log_access(const http::Request& req, int status, double ms) {
  char latency[32];
  std::snprintf(latency, sizeof latency, "%.3f", ms);
  const std::string status_text = std::to_string(status);
  util::log_info("request", {{"request_id", req.request_id},
                             {"method", req.method},
                             {"route", req.route.empty() ? std::string_view("-") : std::string_view(req.route)},
                             {"path", req.path},
                             {"status", status_text},
                             {"latency_ms", latency}});
}

// Every failure becomes an answer here, so what a guard stores is what the client saw.
template <class F>
http::Response answer(const http::Request& request, F&& produce) {
  try {
    return produce();
  } catch (const ApiError& e) {
    auto r = http::error_response(e);
    if (e.retry_after_seconds) r.headers.emplace_back("Retry-After", std::to_string(*e.retry_after_seconds));
    return r;
  } catch (const services::Accounts::KeyChanged&) {
    throw;  // the request starts again (Api::run)
  } catch (const store::ConflictError&) {
    return http::error_response(ApiError::conflict("The resource conflicts with an existing one"));
  } catch (const std::exception& e) {
    util::log_error("unhandled error", {{"request_id", request.request_id}, {"error", e.what()}});
    return http::error_response(ApiError(500, "internal_error", "Internal server error"));
  }
}

bool is_changing(std::string_view method) { return method == "POST" || method == "PUT" || method == "DELETE"; }

Principal::Kind kind_of(domain::KeyType type) {
  switch (type) {
    case domain::KeyType::company: return Principal::Kind::company;
    case domain::KeyType::user: return Principal::Kind::user;
    case domain::KeyType::scoped: break;
  }
  return Principal::Kind::scoped;
}

// A scoped key calls a route only with the scope the route's policy names (platform.md section 9).
void require_scope(const http::Request& req, const ScopeRule& rule, const domain::KeyGrant& grant) {
  const std::string route = req.method + " " + req.route;
  if (rule.kind == ScopeRule::Kind::refused)
    throw ApiError::forbidden("No scope opens " + route + ": it takes a company or user key, not a scoped key");
  if (!grant.scopes.has(rule.scope))
    throw ApiError::forbidden("This key lacks the scope " + std::string(domain::to_string(rule.scope)) + ", which " +
                              route + " needs");
  if (rule.every_agent && grant.agents.restricted())
    throw ApiError::forbidden("This key sees only some agents; " + route + " needs a key that sees every agent");
}

// The facts of a changing request for its audit row (platform.md section 9).
domain::AuditRequest audit_request(const http::Request& req, const Principal& p, int status) {
  domain::AuditRequest a;
  if (p.kind != Principal::Kind::admin) a.key_id = p.key_id;
  switch (p.kind) {
    case Principal::Kind::admin: a.key_type = "admin"; break;
    case Principal::Kind::company: a.key_type = "company"; break;
    case Principal::Kind::user:
      a.key_type = "user";
      a.user_id = p.user_id;
      break;
    case Principal::Kind::scoped: a.key_type = "scoped"; break;
    case Principal::Kind::anonymous: break;
  }
  a.method = req.method;
  if (!req.remote_address.empty()) a.ip = req.remote_address;
  a.route = req.route;
  a.request_id = req.request_id;
  a.status = status;
  return a;
}

}  // namespace

Api::Api(services::Services& services, ApiSettings settings)
    : services_(services), settings_(std::move(settings)), workers_(settings_.worker_threads) {
  if (settings_.rate_limit_per_second > 0)
    limiter_ = std::make_unique<RateLimiter>(settings_.rate_limit_per_second, settings_.rate_limit_burst);
  Routes all;
  for (auto* add : {add_health_routes,
                    add_admin_routes,
                    add_company_routes,
                    add_user_routes,
                    add_voice_routes,
                    add_phone_number_routes,
                    add_agent_routes,
                    add_webhook_routes,
                    add_metrics_routes,
                    add_conversation_routes,
                    add_usage_routes,
                    add_elevenlabs_integration_routes,
                    add_provider_routes,
                    add_whatsapp_number_routes,
                    add_whatsapp_integration_routes,
                    add_openapi_routes,
                    add_key_routes,
                    add_audit_routes,
                    add_call_routes,
                    add_campaign_routes})
    add(all);
  // Every route that takes a key gets its policy here, once, so a request finds it in its route.
  const auto& policies = route_policies();
  std::vector<bool> used(policies.size());
  all.for_each([&](const std::string& method, const std::string& path, Route route) {
    if (route.access != Access::open) {
      const auto it = std::find_if(policies.begin(), policies.end(),
                                   [&](const RoutePolicy& p) { return p.method == method && p.path == path; });
      if (it == policies.end())
        throw std::logic_error(method + " " + path + " takes a key but has no policy in api/policy.cpp");
      if (is_changing(method) && it->audit_status == 0)
        throw std::logic_error(method + " " + path + " changes things but its policy has no audit status");
      route.policy = &*it;
      used[static_cast<std::size_t>(it - policies.begin())] = true;
    }
    routes_.add(method, path, route);
  });
  for (std::size_t i = 0; i < policies.size(); ++i)
    if (!used[i])
      throw std::logic_error("the policy for " + std::string(policies[i].method) + " " + std::string(policies[i].path) +
                             " names no route that takes a key");
}

Principal Api::authenticate(const http::Request& req, const Route& route) {
  if (route.access == Access::open) return {};
  const auto api_key = req.header("x-api-key");

  if (route.access == Access::admin) {
    // Without CXCO_ADMIN_KEY the operator API does not exist.
    if (settings_.admin_key.empty()) throw ApiError::not_found("Not Found");
    if (const auto admin = req.header("x-admin-key")) {
      // Wrong guesses cost a token of the caller's address; once they run out, every attempt
      // from there waits, the right key included, so the key cannot be guessed at speed.
      const auto caller = static_cast<std::int64_t>(std::hash<std::string>{}(req.remote_address));
      if (const auto wait = admin_guesses_.waiting(caller))
        throw ApiError::rate_limited("Too many wrong admin keys from this address; wait",
                                     static_cast<std::int64_t>(std::ceil(*wait)));
      if (crypto::constant_time_equal(*admin, settings_.admin_key)) return {Principal::Kind::admin, {}, 0, 0, {}};
      admin_guesses_.admit(caller);
      throw ApiError::unauthenticated("Invalid admin key");
    }
    if (api_key && services_.accounts.authenticate(*api_key))
      throw ApiError::forbidden("This endpoint requires the platform admin key");
    throw ApiError::unauthenticated("Missing X-Admin-Key header");
  }

  if (!api_key) throw ApiError::unauthenticated("Missing X-API-Key header");
  const auto owner = services_.accounts.authenticate(*api_key);
  if (!owner) throw ApiError::unauthenticated("Invalid, revoked or expired API key");
  return admit(req, route, *owner);
}

Principal Api::admit(const http::Request& req, const Route& route, const domain::KeyOwner& owner) {
  Principal p{kind_of(owner.type), owner.company_id, owner.user_id.value_or(0), owner.key_id, {}};
  if (p.kind == Principal::Kind::scoped) {
    p.grant = {owner.scopes, owner.agents};
    services_.keys.note_use(p.company, p.key_id);
    require_scope(req, route.policy->scoped, p.grant);
    return p;
  }
  if (route.access == Access::company && p.kind != Principal::Kind::company)
    throw ApiError::forbidden("This endpoint requires a company key");
  if (route.access == Access::user && p.kind != Principal::Kind::user)
    throw ApiError::forbidden("This endpoint requires a user key");
  if (route.access == Access::manager && p.kind == Principal::Kind::user && owner.role != "owner" &&
      owner.role != "admin")
    throw ApiError::forbidden("This endpoint takes a company key or the user key of an owner or admin");
  return p;
}

http::Response Api::serve(http::Request& request, const Route& route, const Principal& principal) {
  if (principal.key_id && limiter_) {
    if (const auto wait = limiter_->admit(principal.key_id))
      throw ApiError::rate_limited("Too many requests for this API key; slow down",
                                   static_cast<std::int64_t>(std::ceil(*wait)));
  }
  // Another agent, and everything under it, is not there for a key limited to some agents.
  const auto& agents = principal.grant.agents;
  if (agents.restricted() && !request.path_param("agent_id").empty() && !agents.allows(id_param(request, "agent_id")))
    throw ApiError::not_found("Agent not found");

  // A change the request makes is recorded, in the change's own transaction, with these facts.
  const bool audited = route.policy && is_changing(request.method);
  const auto audit = audited ? audit_request(request, principal, route.policy->audit_status) : domain::AuditRequest{};
  std::optional<store::audit_repo::RequestScope> audit_scope;
  if (audited) audit_scope.emplace(audit);

  Call call{request, principal, services_, settings_};
  const auto execute = [&] { return answer(request, [&] { return route.handler(call); }); };
  const auto idempotency_key = request.header("idempotency-key");
  if (request.method != "POST" || !idempotency_key || principal.kind == Principal::Kind::anonymous) return execute();
  // A scoped key replays only its own answers: another key's may show what it may not see.
  std::string scope = "company:" + std::to_string(principal.company.value);
  if (principal.kind == Principal::Kind::admin) scope = "admin";
  if (principal.kind == Principal::Kind::scoped) scope = "key:" + std::to_string(principal.key_id);
  return run_idempotent(services_.idempotency, scope, std::string(*idempotency_key), request, execute);
}

std::optional<http::Response> Api::serve_recalled(http::Request& request, const Route& route,
                                                  services::Accounts::RecalledKey& recalled) {
  try {
    http::Response r;
    {
      store::RideScope ride(*recalled.lookup);
      r = answer(request, [&] { return serve(request, route, admit(request, route, recalled.owner)); });
    }
    services_.accounts.confirm(*recalled.lookup);
    return r;
  } catch (const services::Accounts::KeyChanged&) {
    return std::nullopt;
  }
}

http::Response Api::handle(http::Request& request) { return run(request, routes_.match(request)); }

http::Response Api::run(http::Request& request, const Routes::Match& match) {
  const auto started = std::chrono::steady_clock::now();
  http::Response response = answer(request, [&]() -> http::Response {
    if (match.kind == Routes::Match::not_found) throw ApiError::not_found("Not Found");
    if (match.kind == Routes::Match::method_not_allowed) {
      auto r = http::error_response(ApiError(405, "method_not_allowed", "Method Not Allowed"));
      r.headers.emplace_back("Allow", match.allow);
      return r;
    }
    const auto& route = *match.payload;
    const auto api_key = request.header("x-api-key");
    const bool keyed = route.access != Access::open && route.access != Access::admin;
    if (request.method == "GET" && keyed && api_key)
      if (auto recalled = services_.accounts.recall(*api_key))
        if (auto answered = serve_recalled(request, route, *recalled)) return std::move(*answered);
    return serve(request, route, authenticate(request, route));
  });
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string_view route =
      request.route.empty() ? std::string_view("unmatched") : std::string_view(request.route);
  const std::string status = std::to_string(response.status);
  metrics::increment("cxco_http_requests_total", {{"route", route}, {"method", request.method}, {"status", status}});
  metrics::observe("cxco_http_request_duration_seconds", {{"route", route}}, elapsed);
  log_access(request, response.status, elapsed * 1000);
  return response;
}

http::BodyRule Api::body_rule(std::string_view method, std::string_view path) const {
  http::Request head;
  head.method = method;
  head.path = path;
  const auto match = routes_.match(head);
  if (match.kind != Routes::Match::found) return {};
  return {match.payload->body_limit, match.payload->reads_body_in_pieces};
}

void Api::dispatch(http::Request&& request, http::Respond respond) {
  auto match = routes_.match(request);
  if (match.kind != Routes::Match::found || !match.payload->blocking) {
    respond(run(request, match));
    return;
  }
  workers_.post([this, request = std::move(request), respond = std::move(respond), match = std::move(match)]() mutable {
    respond(run(request, match));
  });
}

}  // namespace cxco::api
