#include "domain/agent.h"

namespace cxco::domain {

std::string_view to_string(AgentStatus s) {
  switch (s) {
    case AgentStatus::active: return "active";
    case AgentStatus::paused: return "paused";
    case AgentStatus::archived: return "archived";
    case AgentStatus::draft: break;
  }
  return "draft";
}

std::optional<AgentStatus> parse_agent_status(std::string_view s) {
  for (const auto status : {AgentStatus::draft, AgentStatus::active, AgentStatus::paused, AgentStatus::archived})
    if (to_string(status) == s) return status;
  return std::nullopt;
}

std::optional<AgentStatus> transition(AgentStatus from, AgentAction action) {
  switch (action) {
    case AgentAction::publish:
      if (from == AgentStatus::draft) return AgentStatus::active;
      break;
    case AgentAction::pause:
      if (from == AgentStatus::active) return AgentStatus::paused;
      break;
    case AgentAction::resume:
      if (from == AgentStatus::paused) return AgentStatus::active;
      break;
    case AgentAction::archive:
      if (from != AgentStatus::archived) return AgentStatus::archived;
      break;
    case AgentAction::update:
      if (from != AgentStatus::archived) return from;
      break;
  }
  return std::nullopt;
}

std::string refusal(AgentStatus from, AgentAction action) {
  const std::string status(to_string(from));
  switch (action) {
    case AgentAction::publish: return "Only a draft agent can be published (status is " + status + ")";
    case AgentAction::pause: return "Cannot pause an agent that is " + status;
    case AgentAction::resume: return "Cannot resume an agent that is " + status;
    case AgentAction::archive: return "The agent is already archived";
    case AgentAction::update: return "An archived agent cannot be changed";
  }
  return "The agent cannot do that now";
}

}  // namespace cxco::domain
