// Idempotency-Key records: the first answer to (scope, key), kept to be replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/db.h"

namespace cxco::store::idempotency_repo {

struct Record {
  std::string request_hash;
  std::optional<std::int64_t> status;  // nullopt while the first request is still running
  std::string response_body;
  std::int64_t created_at_ms = 0;
};

std::optional<Record> find(Tx& tx, const std::string& scope, const std::string& key);
// Throws ConflictError when another request holds the key.
void begin(Tx& tx, const std::string& scope, const std::string& key, const std::string& request_hash,
           std::int64_t now_ms);
void complete(Tx& tx, const std::string& scope, const std::string& key, std::int64_t status, const std::string& body);
void remove(Tx& tx, const std::string& scope, const std::string& key);

}  // namespace cxco::store::idempotency_repo
