// Agents, with their voice and (once reserved or live) their number.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/agent.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::agents_repo {

std::optional<domain::Agent> find(Tx& tx, domain::CompanyId company, std::int64_t agent_id);
// The agents `visible` sees, newest first, up to page.limit + 1 (domain::page_of tells whether
// another page exists).
std::vector<domain::Agent> list(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                                std::optional<domain::AgentStatus> status, const domain::PageRequest& page);
bool exists(Tx& tx, domain::CompanyId company, std::int64_t agent_id);
// Active agents and publishes in flight (drafts holding a reserved number): what counts against
// the company's max_active_agents quota.
std::int64_t count_holding_slots(Tx& tx, domain::CompanyId company);
std::map<std::int64_t, std::string> names(Tx& tx, domain::CompanyId company);
// Of the agents `visible` to the caller.
std::int64_t count_with_status(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                               domain::AgentStatus status);

// The analysis settings of the agents `visible` sees (or of `agent_id` alone), oldest agent first.
std::vector<domain::AnalysisSettings> analysis_settings(Tx& tx, domain::CompanyId company,
                                                        const domain::AgentScope& visible,
                                                        std::optional<std::int64_t> agent_id);

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::Agent& agent, const std::string& now);
// Writes the agent's editable fields (name, personality, opening line, language, voice, config).
void update(Tx& tx, const domain::Agent& agent, const std::string& now);

// Records the number a publish reserved on the draft; false when the agent is no longer an
// unreserved draft (another publish got there first).
bool hold_number(Tx& tx, domain::CompanyId company, std::int64_t agent_id, std::int64_t number_id);
void drop_number(Tx& tx, domain::CompanyId company, std::int64_t agent_id);
// Changes the status if it is still `from`; false otherwise. Going live records the provider's
// agent id; archiving lets go of the number and WhatsApp.
bool change_status(Tx& tx, domain::CompanyId company, std::int64_t agent_id, domain::AgentStatus from,
                   domain::AgentStatus to, const std::string& now);
void set_external_id(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& external_agent_id,
                     const std::string& now);
void enable_whatsapp(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& now);

struct ExternalAgent {
  domain::CompanyId company_id;
  std::int64_t agent_id = 0;
};
// The agent a provider payload names by its provider id. The tenant is the agent's.
std::optional<ExternalAgent> find_by_external_id(Tx& tx, const std::string& external_agent_id);
// Companies with agents at the voice provider (reconciliation pages each one's workspace).
std::vector<domain::CompanyId> companies_with_provider_agents(Tx& tx);
// An active agent of any company (operator commands).
std::optional<domain::Agent> find_active_any_company(Tx& tx, std::int64_t agent_id);

}  // namespace cxco::store::agents_repo
