#include "store/agent_filter.h"

namespace cxco::store {

void restrict_to_agents(std::string& sql, Params& params, std::string_view column, const domain::AgentScope& agents) {
  if (!agents.restricted()) return;
  sql += " AND ";
  sql += column;
  sql += " IN (";
  for (std::size_t i = 0; i < agents.ids().size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(agents.ids()[i]);
  }
  sql += ")";
}

}  // namespace cxco::store
