#include "services/keys.h"

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/keys_repo.h"

namespace cxco::services {

namespace {

// How much of a key GET /api/keys/ shows: enough to tell keys apart, far too little to guess it.
constexpr std::size_t kShownRandomChars = 6;

}  // namespace

domain::CreatedKey Keys::create(domain::CompanyId company, const domain::KeyGrant& grant, const domain::NewKey& key) {
  if (!grant.scopes.includes(key.scopes)) {
    std::string missing;
    for (const auto scope : key.scopes.list())
      if (!grant.scopes.has(scope)) (missing.empty() ? missing : missing += ", ") += domain::to_string(scope);
    throw ApiError::forbidden("This key cannot grant scopes it does not hold: " + missing);
  }
  if (grant.agents.restricted() && !key.agents.restricted())
    throw ApiError::forbidden("This key sees only some agents: the keys it creates need agent_ids among them");
  if (key.expires_unix && *key.expires_unix <= clock_.now())
    throw ApiError::validation({FieldError{{"body", "expires_at"}, "expires_at must be in the future", "value_error"}});

  const auto secret = crypto::generate_api_key(crypto::KeyType::scoped);
  const auto prefix = secret.substr(0, crypto::kScopedKeyPrefix.size() + kShownRandomChars);
  return db_.write([&](store::Tx& tx) {
    if (key.agents.restricted()) {
      std::vector<FieldError> unknown;
      for (const auto id : key.agents.ids())
        // An agent the granting key does not see is as unknown to it as another company's.
        if (!grant.agents.allows(id) || !store::agents_repo::exists(tx, company, id))
          unknown.push_back(
              {{"body", "agent_ids"}, "No agent " + std::to_string(id) + " in this company", "value_error"});
      if (!unknown.empty()) throw ApiError::validation(std::move(unknown));
    }
    const auto at = util::iso8601(clock_.now());
    const auto id = store::keys_repo::insert_named(tx, company, crypto::sha256_hex(secret), prefix, key, at);
    store::audit_repo::record(tx, company, "api_key", id, at);
    return domain::CreatedKey{*store::keys_repo::find_named(tx, company, id), secret};
  });
}

std::vector<domain::NamedKey> Keys::list(domain::CompanyId company) {
  return db_.read([&](store::Tx& tx) { return store::keys_repo::list_named(tx, company); });
}

void Keys::revoke(domain::CompanyId company, std::int64_t key_id) {
  db_.write([&](store::Tx& tx) {
    const auto at = util::iso8601(clock_.now());
    if (!store::keys_repo::revoke_named(tx, company, key_id, at)) throw ApiError::not_found("API key not found");
    store::audit_repo::record(tx, company, "api_key", key_id, at);
  });
}

void Keys::note_use(domain::CompanyId company, std::int64_t key_id) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  uses_[key_id] = {company, now};
}

void Keys::flush_use() {
  std::unordered_map<std::int64_t, Use> uses;
  {
    std::lock_guard lock(mutex_);
    uses.swap(uses_);
  }
  if (uses.empty()) return;
  db_.write([&](store::Tx& tx) {
    for (const auto& [key_id, use] : uses) store::keys_repo::record_use(tx, use.company, key_id, util::iso8601(use.at));
  });
}

}  // namespace cxco::services
