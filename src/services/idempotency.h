// Idempotency-Key on POST (platform.md section 6): the first answer to (scope, key) is kept for
// 24 hours and given again to a repeat with the same request; a different request with the same
// key is 422, and a repeat while the first is still running is 409. Kept answers are stored
// encrypted: some carry secrets shown once (new API keys, generated webhook secrets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/fernet.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

struct KeptAnswer {
  int status = 0;
  std::string body;
};

class Idempotency {
 public:
  Idempotency(store::Database& db, const util::Clock& clock, const crypto::MultiFernet& fernet)
      : db_(db), clock_(clock), fernet_(fernet) {}

  // Claims the key for a request (identified by `request_hash`), or answers the kept answer of
  // an earlier identical one. 409 while another request holds the key, 422 for another request.
  std::optional<KeptAnswer> begin(const std::string& scope, const std::string& key, const std::string& request_hash);
  // Keeps the answer; server errors (5xx) and 429 are not kept, so the client may retry them.
  void complete(const std::string& scope, const std::string& key, const KeptAnswer& answer);
  // The request failed without an answer worth keeping: the key is free again.
  void release(const std::string& scope, const std::string& key);

 private:
  store::Database& db_;
  const util::Clock& clock_;
  const crypto::MultiFernet& fernet_;
};

}  // namespace cxco::services
