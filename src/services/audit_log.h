// Reading the audit log (platform.md section 9); rows are written by the services in the
// transactions that make the changes (store/audit_repo.h) and pruned by Housekeeping.
#pragma once

#include "domain/audit.h"
#include "domain/company.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::services {

class AuditLog {
 public:
  explicit AuditLog(store::Database& db) : db_(db) {}

  // The company's entries, newest first.
  domain::Page<domain::AuditEntry> list(domain::CompanyId company, const domain::AuditFilter& filter,
                                        const domain::PageRequest& page);

 private:
  store::Database& db_;
};

}  // namespace cxco::services
