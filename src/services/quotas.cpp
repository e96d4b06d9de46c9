#include "services/quotas.h"

#include "domain/errors.h"
#include "domain/usage.h"
#include "store/agents_repo.h"
#include "store/companies_repo.h"
#include "store/usage_repo.h"

namespace cxco::services::quotas {

domain::QuotaUsage usage(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  return {store::agents_repo::count_holding_slots(tx, company),
          store::usage_repo::voice_seconds_since(tx, company, domain::first_of_month(now_unix / 86400))};
}

void admit_active_agent(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  const auto locked = store::companies_repo::lock(tx, company);
  if (!locked) throw ApiError::not_found("Company not found");
  domain::admit_active_agent(locked->quotas, usage(tx, company, now_unix), now_unix);
}

}  // namespace cxco::services::quotas
