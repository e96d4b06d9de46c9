#include "store/credentials_repo.h"

namespace cxco::store::credentials_repo {

namespace {

constexpr std::string_view kProviders = "SELECT id, slug, name, type, status, config FROM providers ORDER BY id";
constexpr std::string_view kProviderId = "SELECT id FROM providers WHERE slug = ?";
constexpr std::string_view kProviderExists = "SELECT id FROM providers WHERE id = ?";
constexpr std::string_view kFindToken =
    "SELECT c.credentials FROM provider_credentials c JOIN providers p ON p.id = c.provider_id "
    "WHERE c.company_id = ? AND p.slug = ?";
// Without a join, so that FOR UPDATE locks the credentials row alone, not the provider's.
constexpr std::string_view kLock =
    "SELECT id, credentials FROM provider_credentials "
    "WHERE company_id = ? AND provider_id = (SELECT id FROM providers WHERE slug = ?)";
constexpr std::string_view kExists = "SELECT id FROM provider_credentials WHERE company_id = ? AND provider_id = ?";
constexpr std::string_view kInsert =
    "INSERT INTO provider_credentials (company_id, provider_id, credentials, status, created_at, updated_at) "
    "VALUES (?, ?, ?, 'active', ?, ?) RETURNING id";
constexpr std::string_view kDelete = "DELETE FROM provider_credentials WHERE company_id = ? AND provider_id = ?";
constexpr std::string_view kTokens = "SELECT id, credentials FROM provider_credentials ORDER BY id";
constexpr std::string_view kReplaceToken = "UPDATE provider_credentials SET credentials = ? WHERE id = ?";

}  // namespace

std::vector<domain::ProviderInfo> providers(Tx& tx) {
  std::vector<domain::ProviderInfo> out;
  for (const auto& r : tx.query(kProviders).rows)
    out.push_back({r.i64("id"), r.str("slug"), r.str("name"), r.str("type"), r.str("status"), r.opt_str("config")});
  return out;
}

std::optional<std::int64_t> provider_id(Tx& tx, std::string_view slug) {
  const auto r = tx.one(kProviderId, {std::string(slug)});
  return r ? r->opt_i64("id") : std::nullopt;
}

bool provider_exists(Tx& tx, std::int64_t provider_id) { return tx.one(kProviderExists, {provider_id}).has_value(); }

std::optional<std::string> find_token(Tx& tx, domain::CompanyId company, std::string_view slug) {
  const auto r = tx.one(kFindToken, {company.value, std::string(slug)});
  return r ? r->opt_str("credentials") : std::nullopt;
}

std::optional<domain::EncryptedSecret> lock(Tx& tx, domain::CompanyId company, std::string_view slug) {
  const auto r = tx.one(std::string(kLock) + std::string(tx.lock_row_clause()), {company.value, std::string(slug)});
  if (!r) return std::nullopt;
  return domain::EncryptedSecret{r->i64("id"), r->str("credentials")};
}

bool exists(Tx& tx, domain::CompanyId company, std::int64_t provider_id) {
  return tx.one(kExists, {company.value, provider_id}).has_value();
}

domain::StoredCredentials insert(Tx& tx, domain::CompanyId company, std::int64_t provider_id, const std::string& token,
                                 const std::string& now) {
  const auto id = tx.insert(kInsert, {company.value, provider_id, token, now, now});
  return {id, company, provider_id, "active", now};
}

bool remove(Tx& tx, domain::CompanyId company, std::int64_t provider_id) {
  return tx.exec(kDelete, {company.value, provider_id}) > 0;
}

std::vector<domain::EncryptedSecret> tokens(Tx& tx) {
  std::vector<domain::EncryptedSecret> out;
  for (const auto& r : tx.query(kTokens).rows) out.push_back({r.i64("id"), r.str("credentials")});
  return out;
}

void replace_token(Tx& tx, std::int64_t credentials_id, const std::string& token) {
  tx.exec(kReplaceToken, {token, credentials_id});
}

}  // namespace cxco::store::credentials_repo
