#include "store/companies_repo.h"

namespace cxco::store::companies_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO companies (name, status, settings, created_at, updated_at) VALUES (?, 'active', ?, ?, ?) RETURNING id";
constexpr std::string_view kFind =
    "SELECT id, name, status, meta_business_id, settings, created_at, updated_at, max_active_agents, "
    "max_concurrent_calls, monthly_voice_minutes, monthly_outbound_calls FROM companies WHERE id = ?";
constexpr std::string_view kUpdate =
    "UPDATE companies SET name = COALESCE(?, name), settings = COALESCE(?, settings), updated_at = ? WHERE id = ?";
constexpr std::string_view kAny = "SELECT id FROM companies LIMIT 1";
constexpr std::string_view kSetQuotas =
    "UPDATE companies SET max_active_agents = ?, max_concurrent_calls = ?, monthly_voice_minutes = ?, "
    "monthly_outbound_calls = ?, updated_at = ? WHERE id = ?";

std::optional<domain::Company> company_of(const std::optional<Row>& r) {
  if (!r) return std::nullopt;
  return domain::Company{domain::CompanyId(r->i64("id")),
                         r->str("name"),
                         r->str("status"),
                         r->opt_str("meta_business_id"),
                         r->opt_str("settings"),
                         r->str("created_at"),
                         r->str("updated_at"),
                         {r->opt_i64("max_active_agents"), r->opt_i64("max_concurrent_calls"),
                          r->opt_i64("monthly_voice_minutes"), r->opt_i64("monthly_outbound_calls")}};
}

}  // namespace

domain::CompanyId insert(Tx& tx, const std::string& name, const std::optional<std::string>& settings_json,
                         const std::string& now) {
  return domain::CompanyId(tx.insert(kInsert, {name, opt(settings_json), now, now}));
}

std::optional<domain::Company> find(Tx& tx, domain::CompanyId company) {
  return company_of(tx.one(kFind, {company.value}));
}

std::optional<domain::Company> lock(Tx& tx, domain::CompanyId company) {
  return company_of(tx.one(std::string(kFind) + std::string(tx.lock_row_clause()), {company.value}));
}

void update(Tx& tx, domain::CompanyId company, const domain::CompanyChanges& c, const std::string& now) {
  tx.exec(kUpdate, {opt(c.name), opt(c.settings_json), now, company.value});
}

bool any(Tx& tx) { return tx.one(kAny).has_value(); }

bool set_quotas(Tx& tx, domain::CompanyId company, const domain::Quotas& q, const std::string& now) {
  return tx.exec(kSetQuotas, {opt(q.max_active_agents), opt(q.max_concurrent_calls), opt(q.monthly_voice_minutes),
                              opt(q.monthly_outbound_calls), now, company.value}) == 1;
}

}  // namespace cxco::store::companies_repo
