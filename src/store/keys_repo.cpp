#include "store/keys_repo.h"

#include "crypto/crypto.h"
#include "util/time.h"

namespace cxco::store::keys_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO api_keys (key_hash, key_type, company_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kInsertNamed =
    "INSERT INTO api_keys (key_hash, key_type, company_id, name, prefix, scopes, agent_ids, expires_at, created_at) "
    "VALUES (?, 'scoped', ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kFindActive =
    "SELECT k.id, k.key_hash, k.key_type, k.company_id, k.user_id, u.role, k.scopes, k.agent_ids FROM api_keys k "
    "LEFT JOIN users u ON u.id = k.user_id "
    "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)";
constexpr std::string_view kRevokeCompanyKeys =
    "UPDATE api_keys SET revoked_at = ? WHERE company_id = ? AND key_type = 'company' AND revoked_at IS NULL";
constexpr std::string_view kSelectNamed =
    "SELECT id, name, prefix, scopes, agent_ids, expires_at, created_at, last_used_at FROM api_keys "
    "WHERE company_id = ? AND key_type = 'scoped' AND revoked_at IS NULL";
constexpr std::string_view kOneNamed = " AND id = ?";
constexpr std::string_view kOldestFirst = " ORDER BY id";
constexpr std::string_view kRevokeNamed =
    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND company_id = ? AND key_type = 'scoped' AND revoked_at IS NULL";
constexpr std::string_view kRecordUse =
    "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND company_id = ? AND "
    "(last_used_at IS NULL OR last_used_at < ?)";

domain::KeyType key_type_of(const std::string& text) {
  if (text == "company") return domain::KeyType::company;
  return text == "user" ? domain::KeyType::user : domain::KeyType::scoped;
}

domain::NamedKey named_of(const Row& r) {
  return {r.i64("id"),
          r.str("name"),
          r.str("prefix"),
          domain::ScopeSet::from_text(r.str("scopes")),
          domain::AgentScope::from_text(r.opt_str("agent_ids")),
          r.opt_str("expires_at"),
          r.str("created_at"),
          r.opt_str("last_used_at")};
}

}  // namespace

void insert(Tx& tx, const std::string& key_hash, domain::KeyType type, domain::CompanyId company,
            std::optional<std::int64_t> user_id, const std::string& now) {
  tx.exec(kInsert, {key_hash, std::string(domain::to_string(type)), company.value, opt(user_id), now});
}

std::int64_t insert_named(Tx& tx, domain::CompanyId company, const std::string& key_hash, const std::string& prefix,
                          const domain::NewKey& key, const std::string& now) {
  const auto expires_at = key.expires_unix ? std::optional(util::iso8601(*key.expires_unix)) : std::nullopt;
  return tx.insert(kInsertNamed, {key_hash, company.value, key.name, prefix, key.scopes.text(), opt(key.agents.text()),
                                  opt(expires_at), now});
}

namespace {

std::optional<domain::KeyOwner> owner_of(const std::optional<Row>& row, const std::string& key_hash) {
  // The index finds the row; the comparison that decides is constant-time.
  if (!row || !crypto::constant_time_equal(row->str("key_hash"), key_hash)) return std::nullopt;
  domain::KeyOwner owner{row->i64("id"),
                         key_type_of(row->str("key_type")),
                         domain::CompanyId(row->i64("company_id")),
                         row->opt_i64("user_id"),
                         row->opt_str("role"),
                         {},
                         {}};
  if (owner.type == domain::KeyType::scoped) {
    owner.scopes = domain::ScopeSet::from_text(row->str("scopes"));
    owner.agents = domain::AgentScope::from_text(row->opt_str("agent_ids"));
  }
  return owner;
}

}  // namespace

std::optional<domain::KeyOwner> find_active(Database& db, const std::string& key_hash, const std::string& now) {
  return owner_of(db.one(kFindActive, {key_hash, now}), key_hash);
}

ActiveKeyLookup::ActiveKeyLookup(const std::string& key_hash, const std::string& now, OnOwner on_owner)
    : Rider(kFindActive, {key_hash, now}), key_hash_(key_hash), on_owner_(std::move(on_owner)) {}

void ActiveKeyLookup::accept(Result&& result) {
  on_owner_(
      owner_of(result.rows.empty() ? std::nullopt : std::optional<Row>(std::move(result.rows.front())), key_hash_));
}

void revoke_company_keys(Tx& tx, domain::CompanyId company, const std::string& now) {
  tx.exec(kRevokeCompanyKeys, {now, company.value});
}

std::vector<domain::NamedKey> list_named(Tx& tx, domain::CompanyId company) {
  std::vector<domain::NamedKey> out;
  for (const auto& r : tx.query(std::string(kSelectNamed) + std::string(kOldestFirst), {company.value}).rows)
    out.push_back(named_of(r));
  return out;
}

std::optional<domain::NamedKey> find_named(Tx& tx, domain::CompanyId company, std::int64_t key_id) {
  const auto r = tx.one(std::string(kSelectNamed) + std::string(kOneNamed), {company.value, key_id});
  if (!r) return std::nullopt;
  return named_of(*r);
}

bool revoke_named(Tx& tx, domain::CompanyId company, std::int64_t key_id, const std::string& now) {
  return tx.exec(kRevokeNamed, {now, key_id, company.value}) == 1;
}

void record_use(Tx& tx, domain::CompanyId company, std::int64_t key_id, const std::string& at) {
  tx.exec(kRecordUse, {at, key_id, company.value, at});
}

}  // namespace cxco::store::keys_repo
