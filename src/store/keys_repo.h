// API keys: company and user keys, and the named keys a company hands out with scopes (platform.md
// section 9). Only the SHA-256 of a key is stored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/keys.h"
#include "store/db.h"

namespace cxco::store::keys_repo {

// A company or user key.
void insert(Tx& tx, const std::string& key_hash, domain::KeyType type, domain::CompanyId company,
            std::optional<std::int64_t> user_id, const std::string& now);
// A named key; `prefix` is the key's first characters, kept to tell keys apart.
std::int64_t insert_named(Tx& tx, domain::CompanyId company, const std::string& key_hash, const std::string& prefix,
                          const domain::NewKey& key, const std::string& now);
// The owner of a key with this hash that is neither revoked nor expired at `now`, with its
// user's role and its scopes. One statement in autocommit: the hot path of every request needs
// no transaction around it, and a revocation or expiry is seen by every node at once.
std::optional<domain::KeyOwner> find_active(Database& db, const std::string& key_hash, const std::string& now);
// The same lookup as a rider on the request's first statement (store/db.h): `on_owner` hears
// what it found when it settles, before that statement's result is used.
class ActiveKeyLookup final : public Rider {
 public:
  using OnOwner = std::function<void(const std::optional<domain::KeyOwner>&)>;
  ActiveKeyLookup(const std::string& key_hash, const std::string& now, OnOwner on_owner);

 private:
  void accept(Result&& result) override;
  std::string key_hash_;
  OnOwner on_owner_;
};
void revoke_company_keys(Tx& tx, domain::CompanyId company, const std::string& now);

// The company's named keys that are not revoked, oldest first.
std::vector<domain::NamedKey> list_named(Tx& tx, domain::CompanyId company);
std::optional<domain::NamedKey> find_named(Tx& tx, domain::CompanyId company, std::int64_t key_id);
// False when the company has no such named key (or it is revoked already).
bool revoke_named(Tx& tx, domain::CompanyId company, std::int64_t key_id, const std::string& now);
// Moves last_used_at forward to `at`, never back (nodes flush their sightings in any order).
void record_use(Tx& tx, domain::CompanyId company, std::int64_t key_id, const std::string& at);

}  // namespace cxco::store::keys_repo
