// Companies (tenants).
#pragma once

#include <optional>
#include <string>

#include "domain/company.h"
#include "store/db.h"

namespace cxco::store::companies_repo {

domain::CompanyId insert(Tx& tx, const std::string& name, const std::optional<std::string>& settings_json,
                         const std::string& now);
std::optional<domain::Company> find(Tx& tx, domain::CompanyId company);
// Locks the company's row for the transaction; false when it does not exist.
bool lock(Tx& tx, domain::CompanyId company);
void update(Tx& tx, domain::CompanyId company, const domain::CompanyChanges& changes, const std::string& now);
bool any(Tx& tx);

}  // namespace cxco::store::companies_repo
