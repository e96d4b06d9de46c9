// Campaigns (platform.md section 7): creation with up to 100,000 recipients in one
// transaction, recipients appended later, the lifecycle (pause, resume, cancel) and the
// recipients' progress. The dialer (services/dialer.h) calls them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/page.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

// Where the recipients of a request sit, so a 422 names each bad one: recipient i is at
// `loc` + numbers[i] (its CSV row), or `loc` + i without numbers ({"body", "recipients", i}).
struct RecipientsLocation {
  std::vector<std::string> loc;
  std::vector<std::size_t> numbers;
};

class Campaigns {
 public:
  Campaigns(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  // The agent must be active (409 invalid_state). Recipients are due at start_at.
  // `visible`: the agents the caller sees; campaigns of the others answer 404 like another
  // company's.
  domain::Campaign create(domain::CompanyId company, const domain::AgentScope& visible,
                          const domain::NewCampaign& campaign);
  // Appends recipients to a campaign that has not ended (409 invalid_state); numbers already in
  // the campaign are a 422 naming them. Returns how many were added.
  std::int64_t add_recipients(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t campaign_id,
                              const std::vector<domain::NewRecipient>& recipients, const RecipientsLocation& where);
  domain::Campaign get(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t campaign_id);
  domain::Page<domain::Campaign> list(domain::CompanyId company, const domain::AgentScope& visible,
                                      const domain::PageRequest& page);
  // Pause, resume or cancel (409 invalid_state when the lifecycle does not allow it). Cancel ends
  // every recipient not finished as canceled; calls already dialing finish.
  domain::Campaign change(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t campaign_id,
                          domain::CampaignAction action);
  domain::Page<domain::Recipient> recipients(domain::CompanyId company, const domain::AgentScope& visible,
                                             std::int64_t campaign_id, std::optional<domain::RecipientStatus> status,
                                             const domain::PageRequest& page);

 private:
  store::Database& db_;
  const util::Clock& clock_;
};

}  // namespace cxco::services
