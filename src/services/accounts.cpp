#include "services/accounts.h"

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "store/companies_repo.h"
#include "store/keys_repo.h"
#include "store/users_repo.h"

namespace cxco::services {

namespace {

std::string issue_key(store::Tx& tx, domain::KeyType type, domain::CompanyId company,
                      std::optional<std::int64_t> user_id, const std::string& now) {
  auto key =
      crypto::generate_api_key(type == domain::KeyType::company ? crypto::KeyType::company : crypto::KeyType::user);
  store::keys_repo::insert(tx, crypto::sha256_hex(key), type, company, user_id, now);
  return key;
}

}  // namespace

domain::WithKey<domain::Company> Accounts::create_company(const std::string& name,
                                                          const std::optional<std::string>& settings_json) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    const auto id = store::companies_repo::insert(tx, name, settings_json, at);
    auto key = issue_key(tx, domain::KeyType::company, id, std::nullopt, at);
    return domain::WithKey<domain::Company>{*store::companies_repo::find(tx, id), std::move(key)};
  });
}

domain::Company Accounts::company(domain::CompanyId company) {
  auto found = db_.read([&](store::Tx& tx) { return store::companies_repo::find(tx, company); });
  if (!found) throw ApiError::not_found("Company not found");
  return *found;
}

bool Accounts::has_companies() {
  return db_.read([](store::Tx& tx) { return store::companies_repo::any(tx); });
}

domain::Company Accounts::update_company(domain::CompanyId company, const domain::CompanyChanges& changes) {
  auto updated = db_.write([&](store::Tx& tx) {
    if (changes.name || changes.settings_json) store::companies_repo::update(tx, company, changes, now());
    return store::companies_repo::find(tx, company);
  });
  if (!updated) throw ApiError::not_found("Company not found");
  return *updated;
}

std::optional<std::string> Accounts::rotate_company_key(domain::CompanyId company) {
  return db_.write([&](store::Tx& tx) -> std::optional<std::string> {
    if (!store::companies_repo::lock(tx, company)) return std::nullopt;
    const auto at = now();
    store::keys_repo::revoke_company_keys(tx, company, at);
    return issue_key(tx, domain::KeyType::company, company, std::nullopt, at);
  });
}

domain::WithKey<domain::User> Accounts::create_user(domain::CompanyId company, const std::string& email,
                                                    const std::string& name, const std::string& role) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    std::int64_t id = 0;
    try {
      id = store::users_repo::insert(tx, company, email, name, role, at);
    } catch (const store::ConflictError&) {
      throw ApiError::conflict("A user with this email already exists in the company");
    }
    auto key = issue_key(tx, domain::KeyType::user, company, id, at);
    return domain::WithKey<domain::User>{*store::users_repo::find(tx, company, id), std::move(key)};
  });
}

std::optional<domain::User> Accounts::find_user(domain::CompanyId company, std::int64_t user_id) {
  return db_.read([&](store::Tx& tx) { return store::users_repo::find(tx, company, user_id); });
}

domain::User Accounts::update_user(domain::CompanyId company, std::int64_t user_id,
                                   const domain::UserChanges& changes) {
  auto updated = db_.write([&](store::Tx& tx) {
    if (changes.name || changes.role) store::users_repo::update(tx, company, user_id, changes, now());
    return store::users_repo::find(tx, company, user_id);
  });
  if (!updated) throw ApiError::not_found("User not found");
  return *updated;
}

void Accounts::delete_user(domain::CompanyId company, std::int64_t user_id) {
  if (!db_.write([&](store::Tx& tx) { return store::users_repo::remove(tx, company, user_id); }))
    throw ApiError::not_found("User not found");
}

std::optional<domain::KeyOwner> Accounts::authenticate(std::string_view api_key) {
  if (!crypto::api_key_type(api_key)) return std::nullopt;
  return store::keys_repo::find_active(db_, crypto::sha256_hex(api_key));
}

}  // namespace cxco::services
