#include "services/dialer.h"

#include "domain/errors.h"
#include "providers/elevenlabs_webhooks.h"
#include "services/call_flow.h"
#include "services/quotas.h"
#include "store/agents_repo.h"
#include "store/calls_repo.h"
#include "store/campaigns_repo.h"
#include "store/do_not_call_repo.h"
#include "store/work_queue.h"
#include "util/log.h"

namespace cxco::services {

namespace {

using store::work_queue::Job;

// A campaign's dialer looks again this often even when nothing is due; a call's end wakes it
// sooner (call_flow::after_end).
constexpr std::int64_t kCampaignPollMs = 60 * 1000;
// While an agent or a campaign is paused, its queued calls and its dialer wait this long.
constexpr std::int64_t kPausedPollMs = 5 * 1000;
// Due recipients read per pass beyond the free slots: those outside their calling window are
// moved to its opening, and must not hide the ones behind them.
constexpr int kExtraCandidates = 200;

// Dial work yields the CPU to API requests when the cores are busy (simulated calls make the
// dialer CPU-bound; real ones wait on the provider).
constexpr int kBackgroundNiceness = 10;

// The job's lease ran out meanwhile: another node has it; roll back and leave it to that node.
struct LeaseLost : std::runtime_error {
  LeaseLost() : std::runtime_error("lease lost") {}
};

std::string iso_ms(std::int64_t ms) { return util::iso8601(ms / 1000); }

// finish and postpone for a handler that has done its work in the same transaction.
void finish_held(store::Tx& tx, const Job& job) {
  if (!store::work_queue::finish(tx, job)) throw LeaseLost();
}

void postpone_held(store::Tx& tx, const Job& job, std::int64_t at_ms) {
  if (!store::work_queue::postpone(tx, job, at_ms)) throw LeaseLost();
}

std::string provider_reason(const providers::ProviderError& e) {
  return "provider_error: " + std::string(e.what()) + (e.status ? " (HTTP " + std::to_string(e.status) + ")" : "");
}

}  // namespace

Dialer::Dialer(store::Database& db, const util::Clock& clock, providers::VoiceProvider& voice, Credentials& credentials,
               Conversations& conversations, DialerOptions options)
    : db_(db),
      clock_(clock),
      voice_(voice),
      credentials_(credentials),
      conversations_(conversations),
      options_(options),
      worker_("dialer", db, clock, options_.concurrency, options_.poll,
              {QueueSpec{std::string(call_flow::kCampaignQueue), [this](const Job& job) { run_campaign(job); },
                         options_.campaign_lease},
               // One campaign may hold at most half the slots, so others (and single calls) go on.
               QueueSpec{std::string(call_flow::kCallQueue), [this](const Job& job) { run_call(job); },
                         options_.call_lease, false, std::max(1, options_.concurrency / 2)}},
              {}, kBackgroundNiceness) {}

void Dialer::postpone(const Job& job, std::int64_t at_ms) {
  db_.write([&](store::Tx& tx) { store::work_queue::postpone(tx, job, at_ms); });
}

// One pass of a campaign's dialer, in one transaction under the campaign's row lock.
void Dialer::run_campaign(const Job& job) {
  try {
    db_.write([&](store::Tx& tx) {
      const auto now_ms = clock_.now_ms();
      const auto now = iso_ms(now_ms);
      auto campaign = store::campaigns_repo::lock(tx, job.ref_id);
      // A paused campaign's dialer stops; resume starts it again.
      if (!campaign || campaign->status == domain::CampaignStatus::paused || domain::has_ended(campaign->status))
        return finish_held(tx, job);
      if (campaign->status == domain::CampaignStatus::scheduled) {
        if (now_ms < campaign->start_at_ms) return postpone_held(tx, job, campaign->start_at_ms);
        call_flow::change_campaign(tx, *campaign, domain::CampaignStatus::running, now);
        campaign->status = domain::CampaignStatus::running;
      }
      const auto agent = store::agents_repo::find(tx, campaign->company_id, campaign->agent_id);
      if (!agent || agent->status == domain::AgentStatus::archived) {
        call_flow::cancel_campaign(tx, *campaign, now);
        return finish_held(tx, job);
      }
      // While the agent is paused, no one is dialed.
      if (agent->status != domain::AgentStatus::active) return postpone_held(tx, job, now_ms + kPausedPollMs);
      // A campaign without recipients waits for some to be added.
      if (const auto progress = store::campaigns_repo::progress(tx, campaign->id);
          progress.any_recipient && !progress.unfinished) {
        call_flow::change_campaign(tx, *campaign, domain::CampaignStatus::completed, now);
        return finish_held(tx, job);
      }

      // The campaign's own limit, and the company's call quotas shared with its other calls:
      // past them the dialer waits rather than refuses.
      auto free = std::min<std::int64_t>(
          campaign->max_concurrency - store::calls_repo::count_active_in_campaign(tx, campaign->id),
          quotas::calls_allowed(tx, campaign->company_id, now_ms / 1000));
      if (free > 0) {
        const auto due =
            store::campaigns_repo::due_recipients(tx, campaign->id, now_ms, static_cast<int>(free) + kExtraCandidates);
        for (const auto& r : due) {
          if (free == 0) break;
          // Names were checked on the way in; one the tz database lost since reads as UTC.
          const auto* zone = domain::find_time_zone(r.timezone);
          const auto opening = domain::next_window_opening(campaign->calling_windows,
                                                           zone ? *zone : *domain::find_time_zone("UTC"), now_ms);
          if (!opening) {
            store::campaigns_repo::record_outcome(tx, r.id, domain::RecipientStatus::failed, "no_calling_window",
                                                  std::nullopt);
            continue;
          }
          if (*opening > now_ms) {
            store::campaigns_repo::reschedule(tx, r.id, *opening);
            continue;
          }
          if (store::do_not_call_repo::contains(tx, campaign->company_id, r.phone_number)) {
            store::campaigns_repo::skip(tx, r.id, std::string(domain::kDoNotCall));
            continue;
          }
          if (!store::campaigns_repo::claim_recipient(tx, r.id)) continue;
          domain::Call call;
          call.agent_id = agent->id;
          call.campaign_id = campaign->id;
          call.recipient_id = r.id;
          call.from_number = agent->number;
          call.to_number = r.phone_number;
          call.attempt = r.attempts + 1;
          call.dial_token = call_flow::new_dial_token();
          call.dynamic_variables_json = r.dynamic_variables_json;
          call.id = store::calls_repo::insert(tx, campaign->company_id, call, now);
          store::work_queue::enqueue(tx, call_flow::kCallQueue, call.id, call_flow::call_group(call), now_ms, now);
          --free;
        }
      }
      // Again at once while slots and due recipients remain; otherwise when the next recipient is
      // due (a call's end wakes it sooner), and at least every kCampaignPollMs.
      auto next = now_ms + kCampaignPollMs;
      if (const auto due = store::campaigns_repo::next_due_ms(tx, campaign->id); due && free > 0)
        next = std::min(next, std::max(*due, now_ms));
      postpone_held(tx, job, next);
    });
  } catch (const LeaseLost&) {
    util::log_warn("dialer: campaign pass rolled back, its lease was lost",
                   {{"campaign_id", std::to_string(job.ref_id)}});
  }
}

void Dialer::run_call(const Job& job) {
  const auto peek = db_.read([&](store::Tx& tx) { return store::calls_repo::lock_for_dial(tx, job.ref_id); });
  if (!peek || domain::is_terminal(peek->call.status)) {
    db_.write([&](store::Tx& tx) { store::work_queue::finish(tx, job); });
    return;
  }
  // Read before anything is recorded: a key that cannot be read leaves the call queued, and the
  // job is taken up again when its lease runs out.
  const auto api_key = credentials_.voice_api_key(peek->call.company_id);
  if (peek->call.status == domain::CallStatus::dialing) return recover(job, *peek, api_key);
  if (peek->call.status != domain::CallStatus::queued) return follow(job, *peek, api_key);

  // The moment of dialing: checked and recorded under the call's lock before the provider is asked.
  std::optional<domain::DialJob> to_dial;
  try {
    db_.write([&](store::Tx& tx) {
      const auto now_ms = clock_.now_ms();
      auto locked = store::calls_repo::lock_for_dial(tx, job.ref_id);
      if (!locked || locked->call.status != domain::CallStatus::queued) return postpone_held(tx, job, now_ms);
      auto& call = locked->call;
      const auto campaign = call.campaign_id ? store::campaigns_repo::status_of(tx, *call.campaign_id) : std::nullopt;
      const bool campaign_canceled = campaign && *campaign == domain::CampaignStatus::canceled;
      const bool campaign_paused = campaign && *campaign == domain::CampaignStatus::paused;
      const bool agent_gone = locked->agent_status == domain::to_string(domain::AgentStatus::archived);
      if (campaign_canceled || agent_gone) {
        call_flow::end_unplaced(tx, call, domain::CallEvent::cancel, domain::CallStatus::canceled,
                                agent_gone ? domain::kAgentArchived : domain::kCampaignCanceled, now_ms);
        return finish_held(tx, job);
      }
      if (campaign_paused || locked->agent_status != domain::to_string(domain::AgentStatus::active))
        return postpone_held(tx, job, now_ms + kPausedPollMs);
      if (store::do_not_call_repo::contains(tx, call.company_id, call.to_number)) {
        call_flow::end_unplaced(tx, call, domain::CallEvent::cancel, domain::CallStatus::canceled, domain::kDoNotCall,
                                now_ms);
        return finish_held(tx, job);
      }
      store::calls_repo::StatusChange change(domain::CallStatus::dialing);
      change.dial_started_ms = now_ms;
      if (!call_flow::move(tx, call, domain::CallEvent::dial, change, iso_ms(now_ms)))
        return postpone_held(tx, job, now_ms);
      call.dial_started_ms = now_ms;
      to_dial = std::move(*locked);
    });
  } catch (const LeaseLost&) {
    return;
  }
  if (to_dial) dial(job, *to_dial, api_key);
}

void Dialer::dial(const Job& job, const domain::DialJob& d, const std::string& api_key) {
  const auto& call = d.call;
  try {
    const auto conversation_id =
        voice_.place_call(api_key, {d.telephony, d.external_agent_id, d.external_number_id.value_or(""), call.to_number,
                                    call.dial_token, call.dynamic_variables_json, call.first_message});
    db_.write([&](store::Tx& tx) {
      const auto now_ms = clock_.now_ms();
      auto locked = store::calls_repo::lock_for_dial(tx, call.id);
      // A webhook that carried the dial token may have settled the call already.
      if (locked && locked->call.status == domain::CallStatus::dialing) {
        store::calls_repo::StatusChange change(domain::CallStatus::initiated);
        change.external_conversation_id = conversation_id;
        call_flow::move(tx, locked->call, domain::CallEvent::accepted, change, iso_ms(now_ms));
      }
      store::work_queue::postpone(tx, job, now_ms + options_.call_poll.count());
    });
  } catch (const providers::ProviderError& e) {
    const auto now_ms = clock_.now_ms();
    // No answer at all: the call may have been placed. It is looked up, never dialed again.
    if (e.status == 0) {
      util::log_warn("dialer: dial answer lost; will look the call up at the provider",
                     {{"call_id", std::to_string(call.id)}, {"error", e.what()}});
      postpone(job, now_ms + options_.dial_settle.count());
      return;
    }
    db_.write([&](store::Tx& tx) {
      auto locked = store::calls_repo::lock_for_dial(tx, call.id);
      if (locked && locked->call.status == domain::CallStatus::dialing)
        call_flow::end_unplaced(tx, locked->call, domain::CallEvent::dial_failed, domain::CallStatus::failed,
                                provider_reason(e), now_ms);
      store::work_queue::finish(tx, job);
    });
  }
}

// A call left `dialing` (its node died, or the dial's answer was lost): found at the provider by
// its dial token, or, once the provider would have shown it, counted as never placed.
void Dialer::recover(const Job& job, const domain::DialJob& d, const std::string& api_key) {
  const auto now_ms = clock_.now_ms();
  const auto settled_at = d.call.dial_started_ms.value_or(now_ms) + options_.dial_settle.count();
  if (now_ms < settled_at) {
    postpone(job, settled_at);
    return;
  }
  std::optional<std::string> conversation_id;
  try {
    conversation_id = voice_.find_conversation(api_key, d.external_agent_id, d.call.dial_token);
  } catch (const providers::ProviderError& e) {
    util::log_warn("dialer: could not look a dial up at the provider",
                   {{"call_id", std::to_string(d.call.id)}, {"error", e.what()}});
    postpone(job, now_ms + options_.call_poll.count());
    return;
  }
  db_.write([&](store::Tx& tx) {
    auto locked = store::calls_repo::lock_for_dial(tx, d.call.id);
    if (!locked || locked->call.status != domain::CallStatus::dialing)
      return store::work_queue::postpone(tx, job, now_ms);
    if (!conversation_id) {
      call_flow::end_unplaced(tx, locked->call, domain::CallEvent::dial_failed, domain::CallStatus::failed,
                              domain::kNotPlaced, now_ms);
      return store::work_queue::finish(tx, job);
    }
    store::calls_repo::StatusChange change(domain::CallStatus::initiated);
    change.external_conversation_id = conversation_id;
    call_flow::move(tx, locked->call, domain::CallEvent::accepted, change, iso_ms(now_ms));
    util::log_info("dialer: recovered a dial from the provider", {{"call_id", std::to_string(d.call.id)}});
    return store::work_queue::postpone(tx, job, now_ms);
  });
}

// A call on its way or talking: its conversation at the provider says how it is going. Finished
// conversations go through the same ingestion as the post-call webhook, which settles the call.
void Dialer::follow(const Job& job, const domain::DialJob& d, const std::string& api_key) {
  const auto now_ms = clock_.now_ms();
  const auto& call = d.call;
  if (call.dial_started_ms && now_ms - *call.dial_started_ms > options_.give_up.count()) {
    db_.write([&](store::Tx& tx) {
      auto locked = store::calls_repo::lock_for_dial(tx, call.id);
      if (locked && !domain::is_terminal(locked->call.status)) {
        store::calls_repo::StatusChange change(domain::CallStatus::failed);
        change.end_reason = "no_report";
        change.ended_at = iso_ms(now_ms);
        if (call_flow::move(tx, locked->call, domain::CallEvent::ended, change, iso_ms(now_ms)))
          call_flow::after_end(tx, locked->call, domain::CallStatus::failed, now_ms);
      }
      store::work_queue::finish(tx, job);
    });
    return;
  }
  domain::CallRecord record;
  try {
    record = providers::parse_conversation(voice_.get_conversation(api_key, call.external_conversation_id.value_or("")),
                                           now_ms / 1000);
  } catch (const std::exception& e) {
    // A provider outage, or an answer we cannot read: look again later.
    util::log_warn("dialer: could not read a call's conversation",
                   {{"call_id", std::to_string(call.id)}, {"error", e.what()}});
    postpone(job, now_ms + options_.call_poll.count());
    return;
  }
  if (record.finished()) {
    const auto stored = conversations_.record(record);
    db_.write([&](store::Tx& tx) {
      if (!store::work_queue::finish(tx, job)) return;
      // Settled by record() unless the conversation could not be stored (its agent is gone).
      call_flow::settle(tx, record, stored.conversation_id, clock_.now_ms());
    });
    return;
  }
  db_.write([&](store::Tx& tx) {
    auto locked = store::calls_repo::lock_for_dial(tx, call.id);
    if (record.connected && locked && locked->call.status == domain::CallStatus::initiated) {
      store::calls_repo::StatusChange change(domain::CallStatus::in_progress);
      change.started_at = util::iso8601(record.started_unix);
      call_flow::move(tx, locked->call, domain::CallEvent::answered, change, iso_ms(now_ms));
    }
    store::work_queue::postpone(tx, job, now_ms + options_.call_poll.count());
  });
}

}  // namespace cxco::services
