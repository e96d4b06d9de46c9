// Outbound calls (platform.md section 7), one row per dial.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/call.h"
#include "domain/campaign.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::calls_repo {

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::Call& call, const std::string& now);
std::optional<domain::Call> find(Tx& tx, domain::CompanyId company, std::int64_t call_id);
// Newest first, up to page.limit + 1.
std::vector<domain::Call> list(Tx& tx, domain::CompanyId company, const domain::CallFilter& filter,
                               const domain::PageRequest& page);

// What changes with a status: the fields set here (the others keep their value).
struct StatusChange {
  explicit StatusChange(domain::CallStatus to) : to(to) {}
  domain::CallStatus to;
  std::optional<std::string> end_reason, external_conversation_id, started_at, ended_at;
  std::optional<std::int64_t> dial_started_ms, conversation_id;
};
// Moves the call if its status is still `from`; false otherwise (another node or a webhook
// moved it first).
bool change_status(Tx& tx, domain::CompanyId company, std::int64_t call_id, domain::CallStatus from,
                   const StatusChange& change, const std::string& now);

// A work-queue job names its call; the tenant is the call's. Locks the row on PostgreSQL.
std::optional<domain::DialJob> lock_for_dial(Tx& tx, std::int64_t call_id);
// The call a provider conversation belongs to: by the conversation id the provider gave when it
// accepted the dial, or by the dial token the conversation carries. The tenant is the call's.
// Locks the row on PostgreSQL.
std::optional<domain::Call> lock_by_conversation(Tx& tx, const std::string& external_conversation_id,
                                                 const std::optional<std::string>& dial_token);
// Calls of the campaign not yet ended (queued, dialing, initiated, in_progress).
std::int64_t count_active_in_campaign(Tx& tx, std::int64_t campaign_id);
// The company's calls not yet ended (queued included), and the calls it created since `since`
// (ISO 8601) but for those that ended without being dialed: what its call quotas count.
std::int64_t count_unfinished(Tx& tx, domain::CompanyId company);
std::int64_t count_created_since(Tx& tx, domain::CompanyId company, const std::string& since);
// The calls of each recipient, oldest first.
std::map<std::int64_t, std::vector<std::int64_t>> ids_by_recipient(Tx& tx,
                                                                   const std::vector<std::int64_t>& recipient_ids);
// Calls placed by the campaign and the minutes of their conversations.
domain::CampaignUsage campaign_usage(Tx& tx, domain::CompanyId company, std::int64_t campaign_id);

}  // namespace cxco::store::calls_repo
