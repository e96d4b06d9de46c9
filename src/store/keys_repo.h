// API keys: only the SHA-256 of a key is stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/company.h"
#include "store/db.h"

namespace cxco::store::keys_repo {

void insert(Tx& tx, const std::string& key_hash, domain::KeyType type, domain::CompanyId company,
            std::optional<std::int64_t> user_id, const std::string& now);
// The owner of an unrevoked key with this hash. One statement in autocommit: the hot path of
// every request needs no transaction around it.
std::optional<domain::KeyOwner> find_active(Database& db, const std::string& key_hash);
void revoke_company_keys(Tx& tx, domain::CompanyId company, const std::string& now);

}  // namespace cxco::store::keys_repo
