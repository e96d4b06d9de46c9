#include "store/companies_repo.h"

namespace cxco::store::companies_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO companies (name, status, settings, created_at, updated_at) VALUES (?, 'active', ?, ?, ?) RETURNING id";
constexpr std::string_view kFind =
    "SELECT id, name, status, meta_business_id, settings, created_at, updated_at FROM companies WHERE id = ?";
constexpr std::string_view kExists = "SELECT id FROM companies WHERE id = ?";
constexpr std::string_view kUpdate =
    "UPDATE companies SET name = COALESCE(?, name), settings = COALESCE(?, settings), updated_at = ? WHERE id = ?";
constexpr std::string_view kAny = "SELECT id FROM companies LIMIT 1";

}  // namespace

domain::CompanyId insert(Tx& tx, const std::string& name, const std::optional<std::string>& settings_json,
                         const std::string& now) {
  return domain::CompanyId(tx.insert(kInsert, {name, opt(settings_json), now, now}));
}

std::optional<domain::Company> find(Tx& tx, domain::CompanyId company) {
  const auto r = tx.one(kFind, {company.value});
  if (!r) return std::nullopt;
  return domain::Company{
      domain::CompanyId(r->i64("id")), r->str("name"),       r->str("status"),    r->opt_str("meta_business_id"),
      r->opt_str("settings"),          r->str("created_at"), r->str("updated_at")};
}

bool lock(Tx& tx, domain::CompanyId company) {
  return tx.one(std::string(kExists) + std::string(tx.lock_row_clause()), {company.value}).has_value();
}

void update(Tx& tx, domain::CompanyId company, const domain::CompanyChanges& c, const std::string& now) {
  tx.exec(kUpdate, {opt(c.name), opt(c.settings_json), now, company.value});
}

bool any(Tx& tx) { return tx.one(kAny).has_value(); }

}  // namespace cxco::store::companies_repo
