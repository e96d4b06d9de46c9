// Named API keys a company hands out (platform.md section 9): scopes, an optional agent
// restriction and an expiry; shown once, stored hashed, revoked at once. Their last use is
// noted in memory on each request and written by the housekeeping worker every few seconds,
// so authenticating never writes.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "domain/keys.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Keys {
 public:
  Keys(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  // A key hands on nothing it does not hold: 403 for scopes beyond `grant`, or for a key that
  // would see agents `grant` does not; 422 for agents the company does not have and for an
  // expiry that is not in the future.
  domain::CreatedKey create(domain::CompanyId company, const domain::KeyGrant& grant, const domain::NewKey& key);
  std::vector<domain::NamedKey> list(domain::CompanyId company);
  void revoke(domain::CompanyId company, std::int64_t key_id);  // 404 when not the company's named key

  // A request authenticated with the key now. Cheap: a map entry under a lock.
  void note_use(domain::CompanyId company, std::int64_t key_id);
  // Writes every use noted since the last flush, in one transaction.
  void flush_use();

 private:
  store::Database& db_;
  const util::Clock& clock_;
  struct Use {
    domain::CompanyId company;
    std::int64_t at = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::int64_t, Use> uses_;  // by key id
};

}  // namespace cxco::services
