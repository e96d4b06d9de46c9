// Usage rollups (platform.md section 3 "Conversations and usage"): one row per company, UTC day,
// agent and channel, added to in the transaction that stores a conversation (or, for WhatsApp,
// a message), so every usage answer reads O(days x agents) rows, never the conversations.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "domain/usage.h"
#include "store/db.h"

namespace cxco::services {

// An inclusive range of UTC days, as days since the epoch.
struct DayRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

// Adds `delta` to the rollup of (company, UTC day "YYYY-MM-DD", agent, channel).
void add_usage(store::Tx& tx, std::int64_t company_id, const std::string& day, std::int64_t agent_id,
               const std::string& channel, const domain::UsageTotals& delta);

// {period, voice, whatsapp, agents_active, by_agent}: GET /api/usage/summary and
// GET /api/companies/{id}/usage.
boost::json::object company_usage(store::Tx& tx, std::int64_t company_id, DayRange range);
// {agent_id, period, voice, whatsapp}: GET /api/agents/{id}/usage; nullopt when the agent is not
// one of the company's.
std::optional<boost::json::object> agent_usage(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id, DayRange range);
// One {date, voice, whatsapp} per day of the range, days without usage included as zeros.
boost::json::array daily_usage(store::Tx& tx, std::int64_t company_id, std::optional<std::int64_t> agent_id,
                               DayRange range);

}  // namespace cxco::services
