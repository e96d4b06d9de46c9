// Companies, users and the API keys that act for them: the platform operator's and the
// company's own account management, and the key lookup behind every request.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/company.h"
#include "domain/keys.h"
#include "domain/quotas.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Accounts {
 public:
  Accounts(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  domain::WithKey<domain::Company> create_company(const std::string& name,
                                                  const std::optional<std::string>& settings_json);
  // The company with its quotas and their use now; 404 when missing.
  domain::CompanyDetail company(domain::CompanyId company);
  bool has_companies();
  domain::CompanyDetail update_company(domain::CompanyId company, const domain::CompanyChanges& changes);
  // The operator replaces the company's quotas (every one: those left out are unlimited); 404
  // when missing.
  domain::CompanyDetail set_quotas(domain::CompanyId company, const domain::Quotas& quotas);
  // Issues a new company key and revokes every earlier one; nullopt when there is no such company.
  std::optional<std::string> rotate_company_key(domain::CompanyId company);

  // 409 when the email is taken in the company.
  domain::WithKey<domain::User> create_user(domain::CompanyId company, const std::string& email,
                                            const std::string& name, const std::string& role);
  std::optional<domain::User> find_user(domain::CompanyId company, std::int64_t user_id);
  domain::User update_user(domain::CompanyId company, std::int64_t user_id, const domain::UserChanges& changes);
  void delete_user(domain::CompanyId company, std::int64_t user_id);  // with its keys; 404 when missing

  // Who a presented API key acts for; nullopt for anything but a key of ours that is neither
  // revoked nor expired.
  std::optional<domain::KeyOwner> authenticate(std::string_view api_key);

  // Thrown out of a request whose key, looked up with the request's first statement, no longer
  // has the owner the request began with (revoked, expired, its user's role or its scopes
  // changed): the request starts again with the key looked up alone.
  struct KeyChanged : std::exception {
    const char* what() const noexcept override { return "the API key changed during the request"; }
  };
  // A key this node has seen: the owner it had then, and the lookup that confirms it. The lookup
  // rides with the request's first statement (store::RideScope), one round trip on PostgreSQL
  // instead of two, and throws KeyChanged when it finds another owner or none; confirm() runs
  // it alone when no statement took it. A revocation thus takes effect at once on every node.
  struct RecalledKey {
    domain::KeyOwner owner;
    std::unique_ptr<store::Rider> lookup;
  };
  std::optional<RecalledKey> recall(std::string_view api_key);
  void confirm(store::Rider& lookup) { db_.settle(lookup); }

 private:
  std::string now() const { return util::iso8601(clock_.now()); }
  domain::CompanyDetail detail(store::Tx& tx, domain::CompanyId company);

  void remember(const std::string& key_hash, const std::optional<domain::KeyOwner>& owner);

  store::Database& db_;
  const util::Clock& clock_;
  std::mutex seen_mutex_;
  std::unordered_map<std::string, domain::KeyOwner> seen_;  // by key hash; a hint, never trusted alone
};

}  // namespace cxco::services
