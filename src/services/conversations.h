// Conversations from the voice provider (platform.md sections 3 and 4, providers.md 1.3-1.5):
// post-call webhooks mapped into conversations, stored once per provider conversation id with
// their usage rollup and outbox events in one transaction; browsing; reconciliation of
// conversations a lost webhook never delivered; realistic payloads for `cxco dev simulate-call`.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "api/context.h"

namespace cxco::services {

struct IngestResult {
  enum class Outcome { stored, duplicate, ignored } outcome = Outcome::ignored;
  std::optional<std::int64_t> conversation_id;  // stored, or the earlier copy of a duplicate
  std::string reason;                           // why an ignored delivery was ignored
};

// A post-call webhook body whose signature has been checked. post_call_transcription and
// call_initiation_failure of known agents are stored; other types and unknown agents are
// acknowledged and ignored. A payload that does not have the provider's shape: 422.
IngestResult ingest_post_call(api::AppContext& app, const boost::json::object& payload);

struct ConversationFilter {
  std::optional<std::int64_t> agent_id;
  std::optional<std::string> channel;
};

// Summaries (no transcript, no metadata_), newest first: ids below before_id when set, at most limit.
boost::json::array list_conversations(store::Tx& tx, std::int64_t company_id, const ConversationFilter& filter,
                                      std::optional<std::int64_t> before_id, std::int64_t limit);
// The full conversation with transcript and metadata_; nullopt when not the company's.
std::optional<boost::json::object> find_conversation(store::Tx& tx, std::int64_t company_id,
                                                     std::int64_t conversation_id);

struct ReconcileReport {
  std::int64_t listed = 0;          // conversations the provider listed
  std::int64_t stored = 0;          // missing here, now stored
  std::int64_t already_stored = 0;  // delivered earlier by the webhook (or an earlier run)
  std::int64_t unfinished = 0;      // still running or being analysed: their webhook is yet to come
  std::int64_t ignored = 0;         // unknown agents, or gone at the provider meanwhile
};

// Pages through the provider's conversations that started at or after since_unix (all when
// unset) with each provider key in use and stores the finished ones that are missing, through
// the webhook's own code path.
ReconcileReport reconcile_conversations(api::AppContext& app, std::optional<std::int64_t> since_unix);

// A post_call_transcription body as the provider sends it, for demos and benchmarks.
struct SimulatedCall {
  std::string external_agent_id;
  std::string agent_number;  // E.164; empty when the agent has none
  std::int64_t started_unix = 0;
  std::int64_t duration_seconds = 180;
  bool successful = true;
  std::optional<std::string> transfer_to;  // E.164: the agent transfers by SIP REFER mid-call
};
boost::json::object simulated_post_call(const SimulatedCall& call);
// A SimulatedCall of an active agent (any company: an operator command), with its provider id
// and number filled in; nullopt when there is no such active agent.
std::optional<SimulatedCall> simulated_call_of(store::Tx& tx, std::int64_t agent_id);

}  // namespace cxco::services
