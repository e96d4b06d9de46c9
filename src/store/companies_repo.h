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
// The company, its row locked for the transaction (what serialises changes that must see each
// other, e.g. nodes racing for a company's last agent slot); nullopt when it does not exist.
std::optional<domain::Company> lock(Tx& tx, domain::CompanyId company);
void update(Tx& tx, domain::CompanyId company, const domain::CompanyChanges& changes, const std::string& now);
bool any(Tx& tx);
// Replaces the company's quotas; false when there is no such company.
bool set_quotas(Tx& tx, domain::CompanyId company, const domain::Quotas& quotas, const std::string& now);

}  // namespace cxco::store::companies_repo
