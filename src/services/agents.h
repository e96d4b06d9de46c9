// The agent lifecycle (platform.md section 3 "Agents"): drafts, publish as one unit across the
// number pool and the voice provider, pause/resume, update, archive. Every status change
// writes agent.status_changed to the outbox in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/agent.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "providers/voice_provider.h"
#include "services/credentials.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Agents {
 public:
  Agents(store::Database& db, const util::Clock& clock, providers::VoiceProvider& voice, Credentials& credentials)
      : db_(db), clock_(clock), voice_(voice), credentials_(credentials) {}

  domain::Agent create(domain::CompanyId company, const domain::AgentFields& fields);
  domain::Agent get(domain::CompanyId company, std::int64_t agent_id);  // 404 when not the company's
  bool exists(domain::CompanyId company, std::int64_t agent_id);
  // An active agent of any company (operator commands); nullopt when there is none.
  std::optional<domain::Agent> find_active_any_company(std::int64_t agent_id);
  domain::Page<domain::Agent> list(domain::CompanyId company, const domain::AgentScope& visible,
                                   std::optional<domain::AgentStatus> status, const domain::PageRequest& page);
  // A live agent is changed at the provider first, and restored there if the database refuses.
  domain::Agent update(domain::CompanyId company, std::int64_t agent_id, const domain::AgentFields& fields);
  // Publish and resume start work: 429 quota_exceeded past the company's max_active_agents or
  // monthly_voice_minutes (services/quotas.h).
  domain::Agent publish(domain::CompanyId company, std::int64_t agent_id, const std::string& country_code);
  domain::Agent pause(domain::CompanyId company, std::int64_t agent_id);
  domain::Agent resume(domain::CompanyId company, std::int64_t agent_id);
  domain::Agent archive(domain::CompanyId company, std::int64_t agent_id);

  // A publish reserves its number before talking to the provider; if the node died before it
  // committed or undid that, the reservation would hold the number forever. At start, drafts
  // holding a number reserved longer than any publish can take give it back to the pool.
  // Returns how many were released.
  int release_stale_reservations();

 private:
  std::string now() const { return util::iso8601(clock_.now()); }
  domain::Agent toggle(domain::CompanyId company, std::int64_t agent_id, domain::AgentAction action);
  // Commits a status change with its event and its audit row; false when the status moved meanwhile.
  bool commit_status(store::Tx& tx, const domain::Agent& agent, domain::AgentStatus to, const std::string& at);

  store::Database& db_;
  const util::Clock& clock_;
  providers::VoiceProvider& voice_;
  Credentials& credentials_;
};

}  // namespace cxco::services
