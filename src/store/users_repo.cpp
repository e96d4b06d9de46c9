#include "store/users_repo.h"

namespace cxco::store::users_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO users (company_id, email, name, role, status, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, 'active', ?, ?) RETURNING id";
constexpr std::string_view kFind =
    "SELECT id, company_id, email, name, role, status, created_at, updated_at FROM users "
    "WHERE id = ? AND company_id = ?";
constexpr std::string_view kUpdate =
    "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), updated_at = ? "
    "WHERE id = ? AND company_id = ?";
constexpr std::string_view kDeleteKeys = "DELETE FROM api_keys WHERE user_id = ? AND company_id = ?";
constexpr std::string_view kDelete = "DELETE FROM users WHERE id = ? AND company_id = ?";

}  // namespace

std::int64_t insert(Tx& tx, domain::CompanyId company, const std::string& email, const std::string& name,
                    const std::string& role, const std::string& now) {
  return tx.insert(kInsert, {company.value, email, name, role, now, now});
}

std::optional<domain::User> find(Tx& tx, domain::CompanyId company, std::int64_t user_id) {
  const auto r = tx.one(kFind, {user_id, company.value});
  if (!r) return std::nullopt;
  return domain::User{r->i64("id"),         domain::CompanyId(r->i64("company_id")),
                      r->str("email"),      r->str("name"),
                      r->str("role"),       r->str("status"),
                      r->str("created_at"), r->str("updated_at")};
}

void update(Tx& tx, domain::CompanyId company, std::int64_t user_id, const domain::UserChanges& c,
            const std::string& now) {
  tx.exec(kUpdate, {opt(c.name), opt(c.role), now, user_id, company.value});
}

bool remove(Tx& tx, domain::CompanyId company, std::int64_t user_id) {
  // The user's keys go first, so they fail at once.
  tx.exec(kDeleteKeys, {user_id, company.value});
  return tx.exec(kDelete, {user_id, company.value}) > 0;
}

}  // namespace cxco::store::users_repo
