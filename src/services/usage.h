// Usage (reference "Usage", platform.md section 3 "Conversations and usage"): figures from the
// daily rollups over a range of UTC days.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/analysis.h"
#include "domain/keys.h"
#include "domain/usage.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Usage {
 public:
  Usage(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  // Today, as days since the epoch (UTC): where default ranges end.
  std::int64_t today() const { return clock_.now() / 86400; }
  // The company's usage by the agents `visible` sees.
  domain::CompanyUsage company(domain::CompanyId company, const domain::AgentScope& visible, domain::DayRange range);
  domain::AgentUsage agent(domain::CompanyId company, std::int64_t agent_id, domain::DayRange range);  // 404
  domain::DailyUsage daily(domain::CompanyId company, const domain::AgentScope& visible,
                           std::optional<std::int64_t> agent_id, domain::DayRange range);
  // Criteria outcomes and data-field distributions (platform.md section 8), from the rollups.
  domain::AnalysisUsage analysis(domain::CompanyId company, const domain::AgentScope& visible,
                                 std::optional<std::int64_t> agent_id, domain::DayRange range);

 private:
  store::Database& db_;
  const util::Clock& clock_;
};

}  // namespace cxco::services
