// The steps of an outbound call's life that several services take inside their own
// transactions (platform.md section 7): moving a call by the dial state machine with its
// call.status_changed event, settling a call from the provider's conversation (post-call
// webhook, reconciliation, the dialer's poll), passing a call's outcome to its campaign
// recipient by the retry policy, and campaign status changes with campaign.status_changed.
// Lock order, the same everywhere: call, then campaign, then recipients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/call.h"
#include "domain/campaign.h"
#include "domain/conversation.h"
#include "store/calls_repo.h"
#include "store/db.h"

namespace cxco::services::call_flow {

// Work-queue queues: one job per call (dial, then follow it to its end) and one per campaign
// (its dialer: claims due recipients within the campaign's concurrency).
inline constexpr std::string_view kCallQueue = "outbound_call";
inline constexpr std::string_view kCampaignQueue = "campaign_dialer";
// A fresh dial token: the name a call carries to the provider (its conversation's user_id).
std::string new_dial_token();
// The call's job group: a campaign's calls share one, so a node caps a campaign's jobs in flight.
std::string call_group(const domain::Call& call);

// Moves `call` by `event` (for `ended`, to `change.to`), writing call.status_changed when the
// status customers see changes, and updates `call` to match. False when the machine refuses or
// the call moved meanwhile.
bool move(store::Tx& tx, domain::Call& call, domain::CallEvent event, store::calls_repo::StatusChange change,
          const std::string& now);
// A campaign call ended with `outcome`: its recipient is completed, failed, skipped or pending
// again by the retry policy, and the campaign's dialer is woken for the free slot.
void after_end(store::Tx& tx, const domain::Call& call, domain::CallStatus outcome, std::int64_t now_ms);
// Ends a call that never reached the provider (queued, or dialing without a record there).
void end_unplaced(store::Tx& tx, domain::Call& call, domain::CallEvent event, domain::CallStatus outcome,
                  std::string_view end_reason, std::int64_t now_ms);
// The call a provider conversation belongs to (by its conversation id or dial token) takes its
// outcome and links `conversation_id`. Nothing happens for conversations of no call, or calls
// already settled.
// `conversation_id` is nullopt when the conversation could not be stored (its agent is gone).
void settle(store::Tx& tx, const domain::CallRecord& record, std::optional<std::int64_t> conversation_id,
            std::int64_t now_ms);

// Changes a campaign's status with its event; false when it moved meanwhile.
bool change_campaign(store::Tx& tx, const domain::Campaign& campaign, domain::CampaignStatus to,
                     const std::string& now);
// Cancels a campaign: every unfinished recipient canceled; calls already dialing finish.
void cancel_campaign(store::Tx& tx, const domain::Campaign& campaign, const std::string& now);
void cancel_campaigns_of_agent(store::Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& now);
// Runs the campaign's dialer at `at_ms` or sooner.
void wake_campaign(store::Tx& tx, std::int64_t campaign_id, std::int64_t at_ms, const std::string& now);

}  // namespace cxco::services::call_flow
