// Narrows a query to the agents a caller sees (domain::AgentScope, platform.md section 9).
#pragma once

#include <string>
#include <string_view>

#include "domain/keys.h"
#include "store/db.h"

namespace cxco::store {

// Appends " AND <column> IN (?, ...)" and the agent ids to a query, or nothing when the
// caller sees every agent.
void restrict_to_agents(std::string& sql, Params& params, std::string_view column, const domain::AgentScope& agents);

}  // namespace cxco::store
