#include "services/accounts.h"

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "services/quotas.h"
#include "store/audit_repo.h"
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
    store::audit_repo::record(tx, id, "company", id.value, at);
    return domain::WithKey<domain::Company>{*store::companies_repo::find(tx, id), std::move(key)};
  });
}

domain::CompanyDetail Accounts::detail(store::Tx& tx, domain::CompanyId company) {
  auto found = store::companies_repo::find(tx, company);
  if (!found) throw ApiError::not_found("Company not found");
  return {std::move(*found), quotas::usage(tx, company, clock_.now())};
}

domain::CompanyDetail Accounts::company(domain::CompanyId company) {
  return db_.read([&](store::Tx& tx) { return detail(tx, company); });
}

bool Accounts::has_companies() {
  return db_.read([](store::Tx& tx) { return store::companies_repo::any(tx); });
}

domain::CompanyDetail Accounts::update_company(domain::CompanyId company, const domain::CompanyChanges& changes) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    if (changes.name || changes.settings_json) store::companies_repo::update(tx, company, changes, at);
    auto updated = detail(tx, company);
    store::audit_repo::record(tx, company, "company", company.value, at);
    return updated;
  });
}

domain::CompanyDetail Accounts::set_quotas(domain::CompanyId company, const domain::Quotas& quotas) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    if (!store::companies_repo::set_quotas(tx, company, quotas, at)) throw ApiError::not_found("Company not found");
    store::audit_repo::record(tx, company, "company", company.value, at);
    return detail(tx, company);
  });
}

std::optional<std::string> Accounts::rotate_company_key(domain::CompanyId company) {
  return db_.write([&](store::Tx& tx) -> std::optional<std::string> {
    if (!store::companies_repo::lock(tx, company)) return std::nullopt;
    const auto at = now();
    store::keys_repo::revoke_company_keys(tx, company, at);
    store::audit_repo::record(tx, company, "company", company.value, at);
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
    store::audit_repo::record(tx, company, "user", id, at);
    return domain::WithKey<domain::User>{*store::users_repo::find(tx, company, id), std::move(key)};
  });
}

std::optional<domain::User> Accounts::find_user(domain::CompanyId company, std::int64_t user_id) {
  return db_.read([&](store::Tx& tx) { return store::users_repo::find(tx, company, user_id); });
}

domain::User Accounts::update_user(domain::CompanyId company, std::int64_t user_id,
                                   const domain::UserChanges& changes) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    if (changes.name || changes.role) store::users_repo::update(tx, company, user_id, changes, at);
    auto updated = store::users_repo::find(tx, company, user_id);
    if (!updated) throw ApiError::not_found("User not found");
    store::audit_repo::record(tx, company, "user", user_id, at);
    return std::move(*updated);
  });
}

void Accounts::delete_user(domain::CompanyId company, std::int64_t user_id) {
  db_.write([&](store::Tx& tx) {
    if (!store::users_repo::remove(tx, company, user_id)) throw ApiError::not_found("User not found");
    store::audit_repo::record(tx, company, "user", user_id, now());
  });
}

std::optional<domain::KeyOwner> Accounts::authenticate(std::string_view api_key) {
  if (!crypto::api_key_type(api_key)) return std::nullopt;
  const auto key_hash = crypto::sha256_hex(api_key);
  auto owner = store::keys_repo::find_active(db_, key_hash, now());
  remember(key_hash, owner);
  return owner;
}

std::optional<Accounts::RecalledKey> Accounts::recall(std::string_view api_key) {
  if (!crypto::api_key_type(api_key)) return std::nullopt;
  auto key_hash = crypto::sha256_hex(api_key);
  std::optional<domain::KeyOwner> seen;
  {
    std::lock_guard lock(seen_mutex_);
    if (const auto it = seen_.find(key_hash); it != seen_.end()) seen = it->second;
  }
  if (!seen) return std::nullopt;
  auto on_owner = [this, key_hash, seen](const std::optional<domain::KeyOwner>& found) {
    if (found == seen) return;
    remember(key_hash, found);
    throw KeyChanged();
  };
  return RecalledKey{*seen, std::make_unique<store::keys_repo::ActiveKeyLookup>(key_hash, now(), std::move(on_owner))};
}

void Accounts::remember(const std::string& key_hash, const std::optional<domain::KeyOwner>& owner) {
  constexpr std::size_t kMaxRemembered = 100'000;  // about 20 MB at most; then start over
  std::lock_guard lock(seen_mutex_);
  if (!owner) {
    seen_.erase(key_hash);
    return;
  }
  if (seen_.size() >= kMaxRemembered) seen_.clear();
  seen_.insert_or_assign(key_hash, *owner);
}

}  // namespace cxco::services
