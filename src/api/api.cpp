#include "api/api.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "crypto/crypto.h"
#include "http/error_response.h"
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
    return http::error_response(e);
  } catch (const store::ConflictError&) {
    return http::error_response(ApiError::conflict("The resource conflicts with an existing one"));
  } catch (const std::exception& e) {
    util::log_error("unhandled error", {{"request_id", request.request_id}, {"error", e.what()}});
    return http::error_response(ApiError(500, "internal_error", "Internal server error"));
  }
}

}  // namespace

Api::Api(services::Services& services, ApiSettings settings)
    : services_(services), settings_(std::move(settings)), workers_(settings_.worker_threads) {
  if (settings_.rate_limit_per_second > 0)
    limiter_ = std::make_unique<RateLimiter>(settings_.rate_limit_per_second, settings_.rate_limit_burst);
  for (auto* add :
       {add_health_routes, add_admin_routes, add_company_routes, add_user_routes, add_voice_routes,
        add_phone_number_routes, add_agent_routes, add_webhook_routes, add_metrics_routes, add_conversation_routes,
        add_usage_routes, add_elevenlabs_integration_routes, add_provider_routes, add_whatsapp_number_routes,
        add_whatsapp_integration_routes, add_openapi_routes, add_call_routes, add_campaign_routes})
    add(routes_);
}

Principal Api::authenticate(const http::Request& req, Access access) {
  if (access == Access::open) return {};
  const auto api_key = req.header("x-api-key");
  auto lookup = [&](std::string_view key) -> std::optional<Principal> {
    const auto owner = services_.accounts.authenticate(key);
    if (!owner) return std::nullopt;
    return Principal{owner->type == domain::KeyType::company ? Principal::Kind::company : Principal::Kind::user,
                     owner->company_id, owner->user_id.value_or(0), owner->key_id};
  };

  if (access == Access::admin) {
    // Without CXCO_ADMIN_KEY the operator API does not exist.
    if (settings_.admin_key.empty()) throw ApiError::not_found("Not Found");
    if (const auto admin = req.header("x-admin-key")) {
      if (crypto::constant_time_equal(*admin, settings_.admin_key)) return {Principal::Kind::admin, {}, 0, 0};
      throw ApiError::unauthenticated("Invalid admin key");
    }
    if (api_key && lookup(*api_key)) throw ApiError::forbidden("This endpoint requires the platform admin key");
    throw ApiError::unauthenticated("Missing X-Admin-Key header");
  }

  if (!api_key) throw ApiError::unauthenticated("Missing X-API-Key header");
  const auto principal = lookup(*api_key);
  if (!principal) throw ApiError::unauthenticated("Invalid or revoked API key");
  if (access == Access::company && principal->kind != Principal::Kind::company)
    throw ApiError::forbidden("This endpoint requires a company key");
  if (access == Access::user && principal->kind != Principal::Kind::user)
    throw ApiError::forbidden("This endpoint requires a user key");
  return *principal;
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
    const Principal principal = authenticate(request, match.payload->access);
    if (principal.key_id && limiter_) {
      if (const auto wait = limiter_->admit(principal.key_id)) {
        auto r = http::error_response(ApiError(429, "rate_limited", "Too many requests for this API key; slow down"));
        r.headers.emplace_back("Retry-After", std::to_string(static_cast<long long>(std::ceil(*wait))));
        return r;
      }
    }
    Call call{request, principal, services_, settings_};
    const auto execute = [&] { return answer(request, [&] { return match.payload->handler(call); }); };
    const auto idempotency_key = request.header("idempotency-key");
    if (request.method != "POST" || !idempotency_key || principal.kind == Principal::Kind::anonymous) return execute();
    const std::string scope =
        principal.kind == Principal::Kind::admin ? "admin" : "company:" + std::to_string(principal.company.value);
    return run_idempotent(services_.idempotency, scope, std::string(*idempotency_key), request, execute);
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
