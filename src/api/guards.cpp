#include "api/guards.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/errors.h"

namespace cxco::api {

namespace {

constexpr std::size_t kManyBuckets = 10000;

}  // namespace

void RateLimiter::forget_full_buckets(std::chrono::steady_clock::time_point now) {
  if (buckets_.size() < kManyBuckets) return;
  std::erase_if(buckets_, [&](const auto& entry) {
    return entry.second.tokens + std::chrono::duration<double>(now - entry.second.at).count() * rate_ >= burst_;
  });
}

std::optional<double> RateLimiter::waiting(std::int64_t key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) return std::nullopt;
  const double tokens =
      std::min(burst_, it->second.tokens + std::chrono::duration<double>(now - it->second.at).count() * rate_);
  if (tokens >= 1) return std::nullopt;
  return (1 - tokens) / rate_;
}

std::optional<double> RateLimiter::admit(std::int64_t key_id) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  forget_full_buckets(now);
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

http::Response run_idempotent(services::Idempotency& idempotency, const std::string& scope, const std::string& key,
                              const http::Request& request, const std::function<http::Response()>& execute) {
  if (key.empty() || key.size() > 255 ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    throw ApiError::validation({FieldError{
        {"header", "Idempotency-Key"}, "Idempotency-Key must be 1-255 printable characters", "value_error"}});
  const std::string hash = crypto::sha256_hex(request.method + " " + request.path + "\n" + request.body);
  if (const auto kept = idempotency.begin(scope, key, hash)) {
    http::Response r;
    r.status = kept->status;
    r.body = kept->body;
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  }
  http::Response response;
  try {
    response = execute();
  } catch (...) {
    idempotency.release(scope, key);
    throw;
  }
  idempotency.complete(scope, key, {response.status, response.body});
  return response;
}

}  // namespace cxco::api
