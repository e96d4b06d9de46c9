// Companies, users and the API keys that act for them: the platform operator's and the
// company's own account management, and the key lookup behind every request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

 private:
  std::string now() const { return util::iso8601(clock_.now()); }
  domain::CompanyDetail detail(store::Tx& tx, domain::CompanyId company);

  store::Database& db_;
  const util::Clock& clock_;
};

}  // namespace cxco::services
