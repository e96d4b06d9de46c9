// Request guards that sit between authentication and the handler: per-key rate limits and
// Idempotency-Key replay for POST requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/types.h"
#include "services/idempotency.h"

namespace cxco::api {

// Token bucket per key (an API key's id, a hashed client address), on this node: `rate`
// requests a second sustained, `burst` at once.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // nullopt when allowed; otherwise the seconds to wait before the next request would be.
  std::optional<double> admit(std::int64_t key);
  // The seconds to wait if the key's bucket is empty, without taking a token.
  std::optional<double> waiting(std::int64_t key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  // A refilled bucket is the same as none: dropped once there are many, so keys a client makes
  // up (addresses) cannot grow the map without bound.
  void forget_full_buckets(std::chrono::steady_clock::time_point now);

  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, Bucket> buckets_;
};

// Runs `execute` at most once per (scope, Idempotency-Key) within 24 hours: a repeat with the
// same method, path and body gets the first answer again (header Idempotent-Replayed: true),
// one with a different request is 422, one while the first is still running is 409.
http::Response run_idempotent(services::Idempotency& idempotency, const std::string& scope, const std::string& key,
                              const http::Request& request, const std::function<http::Response()>& execute);

}  // namespace cxco::api
