#include "services/quotas.h"

#include <limits>

#include "domain/errors.h"
#include "domain/usage.h"
#include "store/agents_repo.h"
#include "store/calls_repo.h"
#include "store/companies_repo.h"
#include "store/usage_repo.h"
#include "util/time.h"

namespace cxco::services::quotas {

domain::QuotaUsage usage(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  const auto month = domain::first_of_month(now_unix / 86400);
  return {store::agents_repo::count_holding_slots(tx, company),
          store::usage_repo::voice_seconds_since(tx, company, month), store::calls_repo::count_unfinished(tx, company),
          store::calls_repo::count_created_since(tx, company, util::iso8601(month * 86400))};
}

void admit_active_agent(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  const auto locked = store::companies_repo::lock(tx, company);
  if (!locked) throw ApiError::not_found("Company not found");
  domain::admit_active_agent(locked->quotas, usage(tx, company, now_unix), now_unix);
}

void admit_call(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  const auto locked = store::companies_repo::lock(tx, company);
  if (!locked) throw ApiError::not_found("Company not found");
  domain::admit_call(locked->quotas, usage(tx, company, now_unix), now_unix);
}

std::int64_t calls_allowed(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix) {
  const auto found = store::companies_repo::find(tx, company);
  if (!found) return 0;
  const auto& q = found->quotas;
  if (!q.max_concurrent_calls && !q.monthly_outbound_calls && !q.monthly_voice_minutes)
    return std::numeric_limits<std::int64_t>::max();
  const auto locked = store::companies_repo::lock(tx, company);
  if (!locked) return 0;
  return domain::calls_allowed(locked->quotas, usage(tx, company, now_unix));
}

}  // namespace cxco::services::quotas
