#include "services/call_flow.h"

#include "crypto/crypto.h"
#include "store/campaigns_repo.h"
#include "store/outbox.h"
#include "store/work_queue.h"
#include "util/time.h"
#include "wire/serializers.h"

namespace cxco::services::call_flow {

namespace {

std::string iso_ms(std::int64_t ms) { return util::iso8601(ms / 1000); }

}  // namespace

std::string new_dial_token() { return "cxco_" + crypto::random_base62(24); }

std::string call_group(const domain::Call& call) {
  return call.campaign_id ? "campaign:" + std::to_string(*call.campaign_id) : "call:" + std::to_string(call.id);
}

bool move(store::Tx& tx, domain::Call& call, domain::CallEvent event, store::calls_repo::StatusChange change,
          const std::string& now) {
  const auto to = domain::next_status(call.status, event, change.to);
  if (!to) return false;
  change.to = *to;
  if (!store::calls_repo::change_status(tx, call.company_id, call.id, call.status, change, now)) return false;
  const auto from = call.status;
  call.status = *to;
  if (change.end_reason) call.end_reason = change.end_reason;
  if (change.external_conversation_id) call.external_conversation_id = change.external_conversation_id;
  if (change.conversation_id) call.conversation_id = change.conversation_id;
  if (domain::public_name(from) != domain::public_name(*to))
    store::outbox::emit(tx, call.company_id, "call.status_changed", wire::call_status_changed(call, from), now);
  return true;
}

void after_end(store::Tx& tx, const domain::Call& call, domain::CallStatus outcome, std::int64_t now_ms) {
  if (!call.recipient_id || !call.campaign_id) return;
  const auto campaign = store::campaigns_repo::lock(tx, *call.campaign_id);
  const auto recipient = store::campaigns_repo::find_recipient(tx, *call.recipient_id);
  if (!campaign || !recipient) return;
  const auto outcome_name = std::string(domain::to_string(outcome));
  if (call.end_reason == domain::kDoNotCall) {
    store::campaigns_repo::record_outcome(tx, recipient->id, domain::RecipientStatus::skipped,
                                          std::string(domain::kDoNotCall), std::nullopt);
  } else {
    const auto next = domain::after_call(campaign->retry, recipient->attempts, outcome, call.end_reason, now_ms);
    store::campaigns_repo::record_outcome(tx, recipient->id, next.status, outcome_name, next.next_attempt_ms);
  }
  if (!domain::has_ended(campaign->status)) wake_campaign(tx, campaign->id, now_ms, iso_ms(now_ms));
}

void end_unplaced(store::Tx& tx, domain::Call& call, domain::CallEvent event, domain::CallStatus outcome,
                  std::string_view end_reason, std::int64_t now_ms) {
  const auto now = iso_ms(now_ms);
  store::calls_repo::StatusChange change(outcome);
  change.end_reason = std::string(end_reason);
  change.ended_at = now;
  if (move(tx, call, event, change, now)) after_end(tx, call, call.status, now_ms);
}

void settle(store::Tx& tx, const domain::CallRecord& record, std::optional<std::int64_t> conversation_id,
            std::int64_t now_ms) {
  auto call = store::calls_repo::lock_by_conversation(tx, record.external_id, record.dial_token);
  const auto outcome = domain::outcome_of(record);
  if (!call || !outcome || domain::is_terminal(call->status)) return;
  const auto now = iso_ms(now_ms);
  store::calls_repo::StatusChange change(*outcome);
  change.conversation_id = conversation_id;
  change.external_conversation_id = record.external_id;
  change.ended_at = util::iso8601(record.started_unix + record.duration_seconds);
  if (record.connected) change.started_at = util::iso8601(record.started_unix);
  if (*outcome != domain::CallStatus::completed) change.end_reason = record.failure_reason;
  if (*outcome == domain::CallStatus::voicemail) change.end_reason = "voicemail_detected";
  if (move(tx, *call, domain::CallEvent::ended, change, now)) after_end(tx, *call, *outcome, now_ms);
}

bool change_campaign(store::Tx& tx, const domain::Campaign& campaign, domain::CampaignStatus to,
                     const std::string& now) {
  if (!store::campaigns_repo::change_status(tx, campaign.company_id, campaign.id, campaign.status, to, now))
    return false;
  store::outbox::emit(tx, campaign.company_id, "campaign.status_changed",
                      wire::campaign_status_changed(campaign.id, campaign.status, to), now);
  return true;
}

void cancel_campaign(store::Tx& tx, const domain::Campaign& campaign, const std::string& now) {
  if (!change_campaign(tx, campaign, domain::CampaignStatus::canceled, now)) return;
  store::campaigns_repo::cancel_unfinished(tx, campaign.id);
}

void cancel_campaigns_of_agent(store::Tx& tx, domain::CompanyId company, std::int64_t agent_id,
                               const std::string& now) {
  for (const auto& campaign : store::campaigns_repo::unfinished_of_agent(tx, company, agent_id)) {
    if (const auto locked = store::campaigns_repo::lock(tx, campaign.id)) cancel_campaign(tx, *locked, now);
  }
}

void wake_campaign(store::Tx& tx, std::int64_t campaign_id, std::int64_t at_ms, const std::string& now) {
  store::work_queue::enqueue_by(tx, kCampaignQueue, campaign_id, "", at_ms, now);
}

}  // namespace cxco::services::call_flow
