#include "store/audit_repo.h"

namespace cxco::store::audit_repo {

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO audit_log (company_id, created_at, key_id, key_type, user_id, method, route, resource_type, "
    "resource_id, status, request_id, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kSelect =
    "SELECT id, created_at, key_id, key_type, user_id, method, route, resource_type, resource_id, status, "
    "request_id, ip FROM audit_log WHERE company_id = ?";
constexpr std::string_view kResourceTypeIs = " AND resource_type = ?";
constexpr std::string_view kKeyIs = " AND key_id = ?";
constexpr std::string_view kBefore = " AND id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY id DESC LIMIT ?";
constexpr std::string_view kPrune = "DELETE FROM audit_log WHERE created_at < ?";

// The request the calling thread serves; requests run on a worker thread from start to end.
thread_local const domain::AuditRequest* current = nullptr;

void insert(Tx& tx, Param company, std::string_view resource_type, const std::optional<std::string>& resource_id,
            const std::string& now) {
  if (!current) return;
  const auto& r = *current;
  tx.exec(kInsert, {std::move(company), now, opt(r.key_id), r.key_type, opt(r.user_id), r.method, r.route,
                    std::string(resource_type), opt(resource_id), std::int64_t{r.status}, r.request_id, opt(r.ip)});
}

domain::AuditEntry entry_of(const Row& r) {
  domain::AuditEntry e;
  e.id = r.i64("id");
  e.created_at = r.str("created_at");
  e.request = {r.opt_i64("key_id"), r.str("key_type"),   r.opt_i64("user_id"), r.str("method"),
               r.str("route"),      r.str("request_id"), r.opt_str("ip"),      static_cast<int>(r.i64("status"))};
  e.resource_type = r.str("resource_type");
  e.resource_id = r.opt_str("resource_id");
  return e;
}

}  // namespace

RequestScope::RequestScope(const domain::AuditRequest& request) : previous_(current) { current = &request; }

RequestScope::~RequestScope() { current = previous_; }

void record(Tx& tx, domain::CompanyId company, std::string_view resource_type,
            const std::optional<std::string>& resource_id, const std::string& now) {
  insert(tx, company.value, resource_type, resource_id, now);
}

void record_platform(Tx& tx, std::string_view resource_type, const std::optional<std::string>& resource_id,
                     const std::string& now) {
  insert(tx, nullptr, resource_type, resource_id, now);
}

std::vector<domain::AuditEntry> list(Tx& tx, domain::CompanyId company, const domain::AuditFilter& filter,
                                     const domain::PageRequest& page) {
  std::string sql(kSelect);
  Params params{company.value};
  if (filter.resource_type) sql += kResourceTypeIs, params.emplace_back(*filter.resource_type);
  if (filter.key_id) sql += kKeyIs, params.emplace_back(*filter.key_id);
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::AuditEntry> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(entry_of(r));
  return out;
}

std::int64_t prune(Tx& tx, const std::string& cutoff) { return tx.exec(kPrune, {cutoff}); }

}  // namespace cxco::store::audit_repo
