#include "api/api.h"


#include <chrono>
#include <cmath>
#include <charconv>
#include <cstdio>

#include "api/guards.h"
#include "crypto/crypto.h"
#include "domain/cursor.h"
#include "http/error_response.h"
#include "util/json.h"
#include "util/log.h"
#include "util/metrics.h"

namespace cxco::api {

http::Response json_response(int status, const boost::json::value& body) {
  http::Response r;
  r.status = status;
  r.body = util::to_json(body);
  return r;
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

http::Response page_response(boost::json::array rows, std::int64_t limit) {
  const bool has_more = static_cast<std::int64_t>(rows.size()) > limit;
  if (has_more) rows.resize(static_cast<std::size_t>(limit));
  const auto next =
      has_more ? boost::json::value(domain::encode_cursor(rows.back().at("id").as_int64())) : boost::json::value(nullptr);
  return json_response(200, boost::json::object{{"items", std::move(rows)}, {"has_more", has_more}, {"next_cursor", next}});
}

std::int64_t id_param(const http::Request& request, std::string_view name) {
  const auto text = request.path_param(name);
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id < 1)
    throw ApiError::validation({FieldError{{"path", std::string(name)}, "Input should be a valid integer", "int_type"}});
  return id;
}

namespace {

Principal authenticate(AppContext& app, const http::Request& req, Access access) {
  if (access == Access::open) return {};
  const auto api_key = req.header("x-api-key");

  auto lookup = [&](std::string_view key) -> std::optional<Principal> {
    const auto type = crypto::api_key_type(key);
    if (!type) return std::nullopt;
    const std::string hash = crypto::sha256_hex(key);
    auto row = app.db.one(
        "SELECT id, key_hash, key_type, company_id, user_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", {hash});
    // The index finds the row; the comparison that decides is constant-time.
    if (!row || !crypto::constant_time_equal(row->str("key_hash"), hash)) return std::nullopt;
    Principal p;
    p.kind = row->str("key_type") == "company" ? Principal::Kind::company : Principal::Kind::user;
    p.company_id = row->i64("company_id");
    p.user_id = row->opt_i64("user_id").value_or(0);
    p.key_id = row->i64("id");
    return p;
  };

  if (access == Access::admin) {
    // Without CXCO_ADMIN_KEY the operator API does not exist.
    if (app.config.admin_key.empty()) throw ApiError::not_found("Not Found");
    if (const auto admin = req.header("x-admin-key")) {
      if (crypto::constant_time_equal(*admin, app.config.admin_key)) return {Principal::Kind::admin, 0, 0, 0};
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

}  // namespace

Api::Api(AppContext& app) : app_(app), workers_(app.config.db_pool_size) {
  if (app.config.rate_limit_per_second > 0)
    limiter_ = std::make_unique<RateLimiter>(app.config.rate_limit_per_second, app.config.rate_limit_burst);
  add_health_routes(routes_);
  add_admin_routes(routes_);
  add_company_routes(routes_);
  add_user_routes(routes_);
  add_voice_routes(routes_);
  add_phone_number_routes(routes_);
  add_agent_routes(routes_);
  add_webhook_routes(routes_);
  add_metrics_routes(routes_);
  add_conversation_routes(routes_);
  add_usage_routes(routes_);
  add_elevenlabs_integration_routes(routes_);
  add_provider_routes(routes_);
  add_whatsapp_number_routes(routes_);
  add_whatsapp_integration_routes(routes_);
  add_openapi_routes(routes_);
}

http::Response Api::handle(http::Request& request) { return run(request, routes_.match(request)); }

namespace {

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

http::Response Api::run(http::Request& request, const Routes::Match& match) {
  const auto started = std::chrono::steady_clock::now();
  http::Response response = answer(request, [&]() -> http::Response {
    if (match.kind == Routes::Match::not_found) throw ApiError::not_found("Not Found");
    if (match.kind == Routes::Match::method_not_allowed) {
      auto r = http::error_response(ApiError(405, "method_not_allowed", "Method Not Allowed"));
      r.headers.emplace_back("Allow", match.allow);
      return r;
    }
    const Principal principal = authenticate(app_, request, match.payload->access);
    if (principal.key_id && limiter_) {
      if (const auto wait = limiter_->admit(principal.key_id)) {
        auto r = http::error_response(ApiError(429, "rate_limited", "Too many requests for this API key; slow down"));
        r.headers.emplace_back("Retry-After", std::to_string(static_cast<long long>(std::ceil(*wait))));
        return r;
      }
    }
    Call call{request, principal, app_};
    const auto execute = [&] { return answer(request, [&] { return match.payload->handler(call); }); };
    const auto idempotency_key = request.header("idempotency-key");
    if (request.method != "POST" || !idempotency_key || principal.kind == Principal::Kind::anonymous) return execute();
    const std::string scope =
        principal.kind == Principal::Kind::admin ? "admin" : "company:" + std::to_string(principal.company_id);
    return run_idempotent(app_, scope, std::string(*idempotency_key), request, execute);
  });
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string_view route = request.route.empty() ? std::string_view("unmatched") : std::string_view(request.route);
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
