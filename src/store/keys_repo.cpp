#include "store/keys_repo.h"

#include "crypto/crypto.h"

namespace cxco::store::keys_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO api_keys (key_hash, key_type, company_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kFindActive =
    "SELECT id, key_hash, key_type, company_id, user_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL";
constexpr std::string_view kRevokeCompanyKeys =
    "UPDATE api_keys SET revoked_at = ? WHERE company_id = ? AND key_type = 'company' AND revoked_at IS NULL";

}  // namespace

void insert(Tx& tx, const std::string& key_hash, domain::KeyType type, domain::CompanyId company,
            std::optional<std::int64_t> user_id, const std::string& now) {
  tx.exec(kInsert, {key_hash, std::string(type == domain::KeyType::company ? "company" : "user"), company.value,
                    opt(user_id), now});
}

std::optional<domain::KeyOwner> find_active(Database& db, const std::string& key_hash) {
  const auto row = db.one(kFindActive, {key_hash});
  // The index finds the row; the comparison that decides is constant-time.
  if (!row || !crypto::constant_time_equal(row->str("key_hash"), key_hash)) return std::nullopt;
  return domain::KeyOwner{row->i64("id"),
                          row->str("key_type") == "company" ? domain::KeyType::company : domain::KeyType::user,
                          domain::CompanyId(row->i64("company_id")), row->opt_i64("user_id")};
}

void revoke_company_keys(Tx& tx, domain::CompanyId company, const std::string& now) {
  tx.exec(kRevokeCompanyKeys, {now, company.value});
}

}  // namespace cxco::store::keys_repo
