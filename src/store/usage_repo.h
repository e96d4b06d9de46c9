// Usage rollups: one row per company, UTC day, agent and channel, added to in the transaction
// that stores a conversation (or, for WhatsApp, a message), so every usage answer reads
// O(days x agents) rows, never the conversations.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/analysis.h"
#include "domain/keys.h"
#include "domain/usage.h"
#include "store/db.h"

namespace cxco::store::usage_repo {

// Adds `delta` to the rollup of (company, UTC day "YYYY-MM-DD", agent, channel).
void add(Tx& tx, domain::CompanyId company, const std::string& day, std::int64_t agent_id, const std::string& channel,
         const domain::UsageTotals& delta);
// Totals per agent `visible` sees over the range.
std::map<std::int64_t, domain::ChannelTotals> by_agent(Tx& tx, domain::CompanyId company,
                                                       const domain::AgentScope& visible, domain::DayRange range);
domain::ChannelTotals of_agent(Tx& tx, domain::CompanyId company, std::int64_t agent_id, domain::DayRange range);
// Totals per day ("YYYY-MM-DD") over the range, of one agent or all `visible` sees.
std::map<std::string, domain::ChannelTotals> by_day(Tx& tx, domain::CompanyId company,
                                                    const domain::AgentScope& visible,
                                                    std::optional<std::int64_t> agent_id, domain::DayRange range);
// Voice call seconds from `first_day` (days since the epoch) on: a month's use of the
// monthly_voice_minutes quota, read from the rollups.
std::int64_t voice_seconds_since(Tx& tx, domain::CompanyId company, std::int64_t first_day);

// Adds (sign 1) or takes back (sign -1, a re-analysis replacing it) an analysis's tallies to the
// analysis rollup of (company, UTC day, agent). Minimum and maximum only ever widen.
void add_analysis(Tx& tx, domain::CompanyId company, const std::string& day, std::int64_t agent_id,
                  const std::vector<domain::AnalysisTally>& tallies, int sign);
// The analysis outcomes over the range, of one agent or all `visible` sees.
domain::AnalysisUsage analysis(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                               std::optional<std::int64_t> agent_id, domain::DayRange range);

}  // namespace cxco::store::usage_repo
