#include "services/accounts.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/crypto.h"
#include "domain/errors.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

constexpr const char* kCompanyColumns = "id, name, status, meta_business_id, settings, created_at, updated_at";
constexpr const char* kUserColumns = "id, company_id, email, name, role, status, created_at, updated_at";

void store_key(store::Tx& tx, const std::string& key, const char* type, std::int64_t company_id,
               std::optional<std::int64_t> user_id, const std::string& now) {
  tx.exec("INSERT INTO api_keys (key_hash, key_type, company_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
          {crypto::sha256_hex(key), std::string(type), company_id, store::opt(user_id), now});
}

}  // namespace

json::object company_json(const store::Row& row) {
  json::object o;
  o["id"] = row.i64("id");
  o["name"] = row.str("name");
  o["status"] = row.str("status");
  if (const auto mb = row.opt_str("meta_business_id")) o["meta_business_id"] = *mb;
  else o["meta_business_id"] = nullptr;
  const auto settings = row.opt_str("settings");
  o["settings"] = settings ? json::parse(*settings) : json::value(nullptr);
  o["created_at"] = row.str("created_at");
  o["updated_at"] = row.str("updated_at");
  return o;
}

json::object user_json(const store::Row& row) {
  return json::object{{"id", row.i64("id")},         {"company_id", row.i64("company_id")},
                      {"email", row.str("email")},   {"name", row.str("name")},
                      {"role", row.str("role")},     {"status", row.str("status")},
                      {"created_at", row.str("created_at")}, {"updated_at", row.str("updated_at")}};
}

WithKey create_company(store::Tx& tx, const std::string& now, const std::string& name,
                       const std::optional<json::object>& settings) {
  const auto id = tx.insert(
      "INSERT INTO companies (name, status, settings, created_at, updated_at) VALUES (?, 'active', ?, ?, ?) RETURNING id",
      {name, settings ? store::Param(json::serialize(*settings)) : store::Param(nullptr), now, now});
  WithKey out;
  out.api_key = crypto::generate_api_key(crypto::KeyType::company);
  store_key(tx, out.api_key, "company", id, std::nullopt, now);
  out.resource = *find_company(tx, id);
  return out;
}

std::optional<json::object> find_company(store::Tx& tx, std::int64_t company_id) {
  const auto row = tx.one(std::string("SELECT ") + kCompanyColumns + " FROM companies WHERE id = ?", {company_id});
  if (!row) return std::nullopt;
  return company_json(*row);
}

std::optional<std::string> rotate_company_key(store::Tx& tx, const std::string& now, std::int64_t company_id) {
  if (!tx.one("SELECT id FROM companies WHERE id = ?" + std::string(tx.lock_row_clause()), {company_id}))
    return std::nullopt;
  tx.exec("UPDATE api_keys SET revoked_at = ? WHERE company_id = ? AND key_type = 'company' AND revoked_at IS NULL",
          {now, company_id});
  auto key = crypto::generate_api_key(crypto::KeyType::company);
  store_key(tx, key, "company", company_id, std::nullopt, now);
  return key;
}

WithKey create_user(store::Tx& tx, const std::string& now, std::int64_t company_id, const std::string& email,
                    const std::string& name, const std::string& role) {
  std::int64_t id = 0;
  try {
    id = tx.insert(
        "INSERT INTO users (company_id, email, name, role, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'active', ?, ?) RETURNING id",
        {company_id, email, name, role, now, now});
  } catch (const store::ConflictError&) {
    throw ApiError::conflict("A user with this email already exists in the company");
  }
  WithKey out;
  out.api_key = crypto::generate_api_key(crypto::KeyType::user);
  store_key(tx, out.api_key, "user", company_id, id, now);
  out.resource = *find_user(tx, company_id, id);
  return out;
}

std::optional<json::object> find_user(store::Tx& tx, std::int64_t company_id, std::int64_t user_id) {
  const auto row = tx.one(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ? AND company_id = ?",
                          {user_id, company_id});
  if (!row) return std::nullopt;
  return user_json(*row);
}

}  // namespace cxco::services
