#include "api/guards.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/errors.h"

namespace cxco::api {

std::optional<double> RateLimiter::admit(std::int64_t key_id) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key_id, Bucket{burst_, now});
  auto& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  return (1 - b.tokens) / rate_;
}

namespace {

constexpr std::int64_t kKeepMs = 24LL * 3600 * 1000;
// A first request that has not finished in this long is taken to have died with its node.
constexpr std::int64_t kAbandonedMs = 60 * 1000;

}  // namespace

http::Response run_idempotent(AppContext& app, const std::string& scope, const std::string& key,
                              const http::Request& request, const std::function<http::Response()>& execute) {
  if (key.empty() || key.size() > 255 || !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    throw ApiError::validation(
        {FieldError{{"header", "Idempotency-Key"}, "Idempotency-Key must be 1-255 printable characters", "value_error"}});
  const std::string hash = crypto::sha256_hex(request.method + " " + request.path + "\n" + request.body);

  auto replay = app.db.write([&](store::Tx& tx) -> std::optional<http::Response> {
    const auto now = app.clock.now_ms();
    auto row = tx.one(
        "SELECT request_hash, status, response_body, created_at_ms FROM idempotency_keys WHERE scope = ? AND idem_key = ?",
        {scope, key});
    const bool expired = row && (row->i64("created_at_ms") < now - kKeepMs ||
                                 (row->is_null("status") && row->i64("created_at_ms") < now - kAbandonedMs));
    if (expired) {
      tx.exec("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?", {scope, key});
      row.reset();
    }
    if (!row) {
      try {
        tx.exec("INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at_ms) VALUES (?, ?, ?, ?)",
                {scope, key, hash, now});
      } catch (const store::ConflictError&) {
        throw ApiError::conflict("A request with this Idempotency-Key is in progress");
      }
      return std::nullopt;
    }
    if (row->str("request_hash") != hash)
      throw ApiError::validation({FieldError{{"header", "Idempotency-Key"},
                                             "This Idempotency-Key was used with a different request", "value_error"}});
    if (row->is_null("status")) throw ApiError::conflict("A request with this Idempotency-Key is in progress");
    http::Response r;
    r.status = static_cast<int>(row->i64("status"));
    r.body = row->str("response_body");
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  });
  if (replay) return *replay;

  http::Response response;
  try {
    response = execute();
  } catch (...) {
    app.db.write([&](store::Tx& tx) { tx.exec("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?", {scope, key}); });
    throw;
  }
  app.db.write([&](store::Tx& tx) {
    if (response.status >= 500 || response.status == 429)
      tx.exec("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?", {scope, key});
    else
      tx.exec("UPDATE idempotency_keys SET status = ?, response_body = ? WHERE scope = ? AND idem_key = ?",
              {std::int64_t{response.status}, response.body, scope, key});
  });
  return response;
}

}  // namespace cxco::api
