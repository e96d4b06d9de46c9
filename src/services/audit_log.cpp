#include "services/audit_log.h"

#include "store/audit_repo.h"

namespace cxco::services {

domain::Page<domain::AuditEntry> AuditLog::list(domain::CompanyId company, const domain::AuditFilter& filter,
                                                const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) { return store::audit_repo::list(tx, company, filter, page); }),
                         page.limit);
}

}  // namespace cxco::services
