// Campaigns and their recipients (platform.md section 7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "domain/campaign.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::campaigns_repo {

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::NewCampaign& campaign, std::int64_t start_at_ms,
                    const std::string& now);
// With counts; without usage (the caller adds it where it answers one campaign).
std::optional<domain::Campaign> find(Tx& tx, domain::CompanyId company, std::int64_t campaign_id);
std::vector<domain::Campaign> list(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                                   const domain::PageRequest& page);
// A work-queue job names its campaign; the tenant is the campaign's. Locks the row (PostgreSQL),
// so nodes take turns on one campaign. Without counts.
std::optional<domain::Campaign> lock(Tx& tx, std::int64_t campaign_id);
// Locks a campaign of the company (PostgreSQL), with counts.
std::optional<domain::Campaign> lock_owned(Tx& tx, domain::CompanyId company, std::int64_t campaign_id);
bool change_status(Tx& tx, domain::CompanyId company, std::int64_t campaign_id, domain::CampaignStatus from,
                   domain::CampaignStatus to, const std::string& now);
// Campaigns of the agent that have not ended (archiving the agent cancels them).
std::vector<domain::Campaign> unfinished_of_agent(Tx& tx, domain::CompanyId company, std::int64_t agent_id);
domain::RecipientCounts counts(Tx& tx, std::int64_t campaign_id);
// Whether the campaign has recipients, and whether any of them is not finished: two indexed
// look-ups, for the dialer's every pass (counts read every recipient).
struct Progress {
  bool any_recipient = false;
  bool unfinished = false;
};
Progress progress(Tx& tx, std::int64_t campaign_id);
// The status alone, without a lock (the dialer checks it before each dial). The campaign is
// named by a call of the tenant's.
std::optional<domain::CampaignStatus> status_of(Tx& tx, std::int64_t campaign_id);

// Recipients. The campaign is the tenant's: callers have found it with its company first.
std::unordered_set<std::string> phone_numbers(Tx& tx, std::int64_t campaign_id);
// Adds recipients as pending, due at `due_ms`, in statements of many rows.
void insert_recipients(Tx& tx, std::int64_t campaign_id, const std::vector<domain::NewRecipient>& recipients,
                       const std::string& default_timezone, std::int64_t due_ms);
std::vector<domain::Recipient> list_recipients(Tx& tx, std::int64_t campaign_id,
                                               std::optional<domain::RecipientStatus> status,
                                               const domain::PageRequest& page);
std::optional<domain::Recipient> find_recipient(Tx& tx, std::int64_t recipient_id);
// Pending recipients due by now_ms, soonest first.
std::vector<domain::Recipient> due_recipients(Tx& tx, std::int64_t campaign_id, std::int64_t now_ms, int limit);
// When the next pending recipient is due; nullopt when none is pending.
std::optional<std::int64_t> next_due_ms(Tx& tx, std::int64_t campaign_id);
// pending -> in_progress, one more attempt; false if it was no longer pending.
bool claim_recipient(Tx& tx, std::int64_t recipient_id);
void reschedule(Tx& tx, std::int64_t recipient_id, std::int64_t next_attempt_ms);
// Records a call's outcome on its recipient and where it goes next. A canceled recipient (its
// campaign was canceled while the call ran) keeps its status and takes the outcome only.
void record_outcome(Tx& tx, std::int64_t recipient_id, domain::RecipientStatus status, const std::string& outcome,
                    std::optional<std::int64_t> next_attempt_ms);
void skip(Tx& tx, std::int64_t recipient_id, const std::string& reason);
// Every recipient not finished yet becomes canceled.
void cancel_unfinished(Tx& tx, std::int64_t campaign_id);

}  // namespace cxco::store::campaigns_repo
