#include "store/do_not_call_repo.h"

namespace cxco::store::do_not_call_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO do_not_call (company_id, phone_number, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id";
constexpr std::string_view kRemove = "DELETE FROM do_not_call WHERE company_id = ? AND phone_number = ?";
constexpr std::string_view kContains = "SELECT id FROM do_not_call WHERE company_id = ? AND phone_number = ?";
constexpr std::string_view kList = "SELECT id, phone_number, reason, created_at FROM do_not_call WHERE company_id = ?";
constexpr std::string_view kBefore = " AND id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY id DESC LIMIT ?";

}  // namespace

domain::DoNotCallEntry insert(Tx& tx, domain::CompanyId company, const std::string& phone_number,
                              const std::optional<std::string>& reason, const std::string& now) {
  const auto id = tx.insert(kInsert, {company.value, phone_number, opt(reason), now});
  return {id, phone_number, reason, now};
}

bool remove(Tx& tx, domain::CompanyId company, const std::string& phone_number) {
  return tx.exec(kRemove, {company.value, phone_number}) == 1;
}

bool contains(Tx& tx, domain::CompanyId company, const std::string& phone_number) {
  return tx.one(kContains, {company.value, phone_number}).has_value();
}

std::vector<domain::DoNotCallEntry> list(Tx& tx, domain::CompanyId company, const domain::PageRequest& page) {
  std::string sql(kList);
  Params params{company.value};
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::DoNotCallEntry> out;
  for (const auto& r : tx.query(sql, params).rows)
    out.push_back({r.i64("id"), r.str("phone_number"), r.opt_str("reason"), r.str("created_at")});
  return out;
}

}  // namespace cxco::store::do_not_call_repo
