// The agent lifecycle (platform.md section 3 "Agents"): drafts, publish as one unit across the
// number pool and the voice provider, pause/resume, update, archive. Every status change
// writes agent.status_changed to the outbox in the same transaction.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "api/context.h"

namespace cxco::services {

struct AgentConfig {
  double temperature = 0.7;
  std::int64_t max_call_duration_seconds = 600;
};

struct AgentFields {
  std::optional<std::string> name, personality, opening_line, language;
  std::optional<std::int64_t> voice_id;
  // Present keys of `config` only; absent ones keep their value (defaults on create).
  std::optional<double> temperature;
  std::optional<std::int64_t> max_call_duration_seconds;
};

// nullopt when the agent does not exist in the company.
std::optional<boost::json::object> find_agent(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id);

// Newest first: agents with id < before_id (when set), at most `limit`.
boost::json::array list_agents(store::Tx& tx, std::int64_t company_id, const std::optional<std::string>& status,
                               std::optional<std::int64_t> before_id, std::int64_t limit);

boost::json::object create_agent(api::AppContext& app, std::int64_t company_id, const AgentFields& fields);
boost::json::object update_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id,
                                 const AgentFields& fields);
boost::json::object publish_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id,
                                  const std::string& country_code);
boost::json::object pause_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id);
boost::json::object resume_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id);
boost::json::object archive_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id);

// A publish reserves its number before talking to the provider; if the node died before it
// committed or undid that, the reservation would hold the number forever. At start, drafts
// holding a number reserved longer than any publish can take get it back in the pool.
// Returns how many were released.
int release_stale_reservations(api::AppContext& app);

// The key for voice provider calls on behalf of a company.
std::string voice_api_key(api::AppContext& app, std::int64_t company_id);

}  // namespace cxco::services
