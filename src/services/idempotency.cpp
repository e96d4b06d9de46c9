#include "services/idempotency.h"

#include "domain/errors.h"
#include "store/idempotency_repo.h"

namespace cxco::services {

namespace {

constexpr std::int64_t kKeepMs = 24LL * 3600 * 1000;
// A first request that has not finished in this long is taken to have died with its node.
constexpr std::int64_t kAbandonedMs = 60 * 1000;

}  // namespace

std::optional<KeptAnswer> Idempotency::begin(const std::string& scope, const std::string& key,
                                             const std::string& request_hash) {
  return db_.write([&](store::Tx& tx) -> std::optional<KeptAnswer> {
    const auto now = clock_.now_ms();
    auto record = store::idempotency_repo::find(tx, scope, key);
    const bool expired = record && (record->created_at_ms < now - kKeepMs ||
                                    (!record->status && record->created_at_ms < now - kAbandonedMs));
    if (expired) {
      store::idempotency_repo::remove(tx, scope, key);
      record.reset();
    }
    if (!record) {
      try {
        store::idempotency_repo::begin(tx, scope, key, request_hash, now);
      } catch (const store::ConflictError&) {
        throw ApiError::conflict("A request with this Idempotency-Key is in progress");
      }
      return std::nullopt;
    }
    if (record->request_hash != request_hash)
      throw ApiError::validation({FieldError{
          {"header", "Idempotency-Key"}, "This Idempotency-Key was used with a different request", "value_error"}});
    if (!record->status) throw ApiError::conflict("A request with this Idempotency-Key is in progress");
    auto body = fernet_.decrypt(record->response_body);
    // Kept under a key no longer configured: better refused than run twice.
    if (!body)
      throw ApiError::conflict("The answer kept for this Idempotency-Key can no longer be read; use a new key");
    return KeptAnswer{static_cast<int>(*record->status), std::move(*body)};
  });
}

void Idempotency::complete(const std::string& scope, const std::string& key, const KeptAnswer& answer) {
  db_.write([&](store::Tx& tx) {
    if (answer.status >= 500 || answer.status == 429)
      store::idempotency_repo::remove(tx, scope, key);
    else
      store::idempotency_repo::complete(tx, scope, key, answer.status, fernet_.encrypt(answer.body));
  });
}

void Idempotency::release(const std::string& scope, const std::string& key) {
  db_.write([&](store::Tx& tx) { store::idempotency_repo::remove(tx, scope, key); });
}

}  // namespace cxco::services
