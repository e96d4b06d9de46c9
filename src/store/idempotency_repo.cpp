#include "store/idempotency_repo.h"

namespace cxco::store::idempotency_repo {

namespace {

constexpr std::string_view kFind =
    "SELECT request_hash, status, response_body, created_at_ms FROM idempotency_keys WHERE scope = ? AND idem_key = ?";
constexpr std::string_view kBegin =
    "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at_ms) VALUES (?, ?, ?, ?)";
constexpr std::string_view kComplete =
    "UPDATE idempotency_keys SET status = ?, response_body = ? WHERE scope = ? AND idem_key = ?";
constexpr std::string_view kRemove = "DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?";

}  // namespace

std::optional<Record> find(Tx& tx, const std::string& scope, const std::string& key) {
  const auto r = tx.one(kFind, {scope, key});
  if (!r) return std::nullopt;
  return Record{r->str("request_hash"), r->opt_i64("status"), r->str("response_body"), r->i64("created_at_ms")};
}

void begin(Tx& tx, const std::string& scope, const std::string& key, const std::string& request_hash,
           std::int64_t now_ms) {
  tx.exec(kBegin, {scope, key, request_hash, now_ms});
}

void complete(Tx& tx, const std::string& scope, const std::string& key, std::int64_t status, const std::string& body) {
  tx.exec(kComplete, {status, body, scope, key});
}

void remove(Tx& tx, const std::string& scope, const std::string& key) { tx.exec(kRemove, {scope, key}); }

}  // namespace cxco::store::idempotency_repo
