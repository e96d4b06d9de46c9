// Agents and their lifecycle (platform.md section 3 "Agents"): draft -> publish -> active
// <-> pause/resume paused; archive from any status to archived, which is terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/analysis.h"
#include "domain/catalog.h"
#include "domain/company.h"

namespace cxco::domain {

enum class AgentStatus { draft, active, paused, archived };
std::string_view to_string(AgentStatus s);
std::optional<AgentStatus> parse_agent_status(std::string_view s);
// Active and paused agents exist at the voice provider and hold a number.
inline bool is_live(AgentStatus s) { return s == AgentStatus::active || s == AgentStatus::paused; }

enum class AgentAction { publish, pause, resume, archive, update };
// The status `action` leads to from `from`; nullopt when the lifecycle does not allow it
// (update keeps the status).
std::optional<AgentStatus> transition(AgentStatus from, AgentAction action);
// Why `action` is refused from `from`, as the 409 invalid_state answer says it.
std::string refusal(AgentStatus from, AgentAction action);

struct AgentConfig {
  double temperature = 0.7;
  std::int64_t max_call_duration_seconds = 600;
};

struct Agent {
  std::int64_t id = 0;
  CompanyId company_id;
  std::string name, personality, opening_line, language;
  std::int64_t voice_id = 0;
  std::string voice_name;
  std::string external_voice_id;  // the voice provider's id of the voice
  AgentStatus status = AgentStatus::draft;
  bool voice_enabled = true;
  bool whatsapp_enabled = false;
  std::optional<std::string> external_agent_id;
  // Set while a publish holds a reserved number, and on live agents.
  std::optional<std::int64_t> phone_number_id;
  std::string number;                             // E.164 of phone_number_id
  std::optional<std::string> external_number_id;  // the provider's id of that number
  WhatsAppStatus whatsapp_status = WhatsAppStatus::none;
  AgentConfig config;
  AnalysisSettings analysis;  // what the voice provider evaluates and extracts after each call
  std::string created_at, updated_at;
};

// The fields of a create (all but language and config required) or of an update (only those
// present change).
struct AgentFields {
  std::optional<std::string> name, personality, opening_line, language;
  std::optional<std::int64_t> voice_id;
  std::optional<double> temperature;
  std::optional<std::int64_t> max_call_duration_seconds;
  std::optional<AnalysisSettings> analysis;  // replaces the settings whole
};

}  // namespace cxco::domain
