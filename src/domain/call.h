// Outbound calls (platform.md section 7) and the dial state machine that keeps every dial to
// one attempt: a call is `queued`, then `dialing` is recorded BEFORE the provider is asked to
// call out, so a node that dies mid-dial leaves a call whose fate is looked up at the provider
// (by its dial token) and never dialed again. `dialing` is internal: answers show it as
// `initiated` (the call is on its way; cancel is no longer possible).
//
//   queued --dial--> dialing --accepted--> initiated --answered--> in_progress
//     |                 |  \                   |                        |
//   cancel        dial_failed  ended(*)      ended(*)                ended(*)
//     v                 v                      v                        v
//   canceled          failed        completed | failed | no_answer | busy | voicemail
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/company.h"
#include "domain/conversation.h"
#include "domain/keys.h"

namespace cxco::domain {

enum class CallStatus {
  queued,
  dialing,
  initiated,
  in_progress,
  completed,
  failed,
  no_answer,
  busy,
  voicemail,
  canceled
};
// The stored name ("dialing" included).
std::string_view to_string(CallStatus s);
std::optional<CallStatus> parse_call_status(std::string_view s);
// The status customers see: `dialing` reads as `initiated`.
std::string_view public_name(CallStatus s);
bool is_terminal(CallStatus s);
// completed, failed, no_answer, busy, voicemail: how a call that was placed can end.
bool is_outcome(CallStatus s);

enum class CallEvent {
  dial,         // the dialer takes a queued call (recorded before the provider is called)
  accepted,     // the provider accepted the call and named its conversation
  dial_failed,  // the provider refused the call, or it was never placed
  answered,     // the provider reports the call connected
  ended,        // the provider reports how the call ended (the outcome)
  cancel,       // the customer cancels a call not dialed yet
};

// The status `event` leads to from `from`; for `ended`, `outcome` (an is_outcome status) is
// where it leads. nullopt when the machine does not allow it: a terminal call never moves, and
// a report that arrives late (answered after ended) changes nothing.
std::optional<CallStatus> next_status(CallStatus from, CallEvent event, CallStatus outcome = CallStatus::completed);

// How the provider's conversation says the call ended: voicemail or completed after talking;
// busy, no_answer or failed by the failure reason; nullopt while it is not over.
std::optional<CallStatus> outcome_of(const CallRecord& record);

// Why a call ended, as end_reason says it, where the outcome alone does not tell.
inline constexpr std::string_view kNotPlaced = "not_placed";  // the provider has no record of the dial
inline constexpr std::string_view kDoNotCall = "do_not_call";
inline constexpr std::string_view kCanceledByCustomer = "canceled";
inline constexpr std::string_view kCampaignCanceled = "campaign_canceled";
inline constexpr std::string_view kAgentArchived = "agent_archived";

struct Call {
  std::int64_t id = 0;
  CompanyId company_id;
  std::int64_t agent_id = 0;
  std::optional<std::int64_t> campaign_id, recipient_id;
  std::optional<std::string> from_number;
  std::string to_number;
  CallStatus status = CallStatus::queued;
  std::optional<std::string> end_reason;
  std::int64_t attempt = 1;
  std::string dial_token;  // names the call at the provider (conversation user_id)
  std::optional<std::int64_t> dial_started_ms;
  std::optional<std::string> external_conversation_id;
  std::optional<std::int64_t> conversation_id;
  std::string dynamic_variables_json = "{}";
  std::optional<std::string> first_message;
  std::optional<std::string> metadata_json;  // the customer's object, echoed as given
  std::string created_at, updated_at;
  std::optional<std::string> started_at, ended_at;
};

// POST /api/calls.
struct NewCall {
  std::int64_t agent_id = 0;
  std::string to_number;
  std::string dynamic_variables_json = "{}";
  std::optional<std::string> first_message;
  std::optional<std::string> metadata_json;
};

struct CallFilter {
  AgentScope visible;  // calls of other agents are not there for the caller
  std::optional<CallStatus> status;
  std::optional<std::int64_t> agent_id, campaign_id;
};

// What a call needs to be dialed: the call and its agent's provider ids.
struct DialJob {
  Call call;
  std::string external_agent_id;
  std::optional<std::string> external_number_id;
  std::string telephony;     // the agent number's provider slug: sip_trunk or twilio
  std::string agent_status;  // active, paused, ...
};

// A do-not-call entry (platform.md section 7).
struct DoNotCallEntry {
  std::int64_t id = 0;
  std::string phone_number;
  std::optional<std::string> reason;
  std::string created_at;
};

}  // namespace cxco::domain
