// The audit log (platform.md section 9). A row is written in the transaction that completes a
// change, so a change and its row commit or roll back together: the API marks the thread that
// serves a changing request (RequestScope, with who called and how), and the service records
// what it changed in its final transaction (record). Work that no request asked for (operator
// commands, background jobs) leaves no row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/audit.h"
#include "domain/company.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::audit_repo {

// For its lifetime, the calling thread serves `request`.
class RequestScope {
 public:
  explicit RequestScope(const domain::AuditRequest& request);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  const domain::AuditRequest* previous_;
};

// Writes the row of the request the calling thread serves, if it serves one: a change to the
// company's `resource_type` resource `resource_id`.
void record(Tx& tx, domain::CompanyId company, std::string_view resource_type,
            const std::optional<std::string>& resource_id, const std::string& now);
inline void record(Tx& tx, domain::CompanyId company, std::string_view resource_type, std::int64_t resource_id,
                   const std::string& now) {
  record(tx, company, resource_type, std::to_string(resource_id), now);
}
// The same for the operator's changes to the platform itself (voices, the number pool), which
// belong to no company.
void record_platform(Tx& tx, std::string_view resource_type, const std::optional<std::string>& resource_id,
                     const std::string& now);

// The company's entries, newest first, up to page.limit + 1.
std::vector<domain::AuditEntry> list(Tx& tx, domain::CompanyId company, const domain::AuditFilter& filter,
                                     const domain::PageRequest& page);
// Deletes every entry, of any company, created before `cutoff` (retention); answers how many.
std::int64_t prune(Tx& tx, const std::string& cutoff);

}  // namespace cxco::store::audit_repo
