// Conversations: voice calls reported by the voice provider and WhatsApp threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/analysis.h"
#include "domain/company.h"
#include "domain/keys.h"

namespace cxco::domain {

struct TranscriptTurn {
  std::string role;  // agent | user
  std::optional<std::string> message;
  double timestamp = 0;  // seconds into the conversation
};

struct ConversationSummary {
  std::int64_t id = 0;
  std::int64_t agent_id = 0;
  CompanyId company_id;
  std::string channel;  // voice | whatsapp
  std::optional<std::string> caller_number;
  std::string direction;  // inbound | outbound
  std::string started_at;
  std::optional<std::string> ended_at;
  std::optional<std::int64_t> duration_seconds, message_count;
  std::string status;  // in_progress | completed | failed
  std::optional<bool> call_successful;
  std::optional<std::string> sip_refer_destination, transcript_summary;
  std::string source;
  std::optional<std::string> external_conversation_id;
  std::string created_at;
};

struct ConversationDetail : ConversationSummary {
  std::vector<TranscriptTurn> transcript;
  std::string metadata_json = "{}";  // what the provider reported beyond the columns (metadata_)
  std::optional<Analysis> analysis;  // none before any analysis
};

struct ConversationFilter {
  AgentScope visible;  // conversations of other agents are not there for the caller
  std::optional<std::int64_t> agent_id;
  std::optional<std::string> channel;
  std::optional<std::string> status, direction, caller_number;
  std::optional<std::int64_t> campaign_id;
  std::optional<std::string> started_from, started_before;  // ISO 8601 UTC: [from, before)
  std::vector<CriterionFilter> criteria;
  std::vector<DataFilter> data;
  std::vector<std::string> words;  // full-text search: every word in the transcript or summary
};

// A finished or failed call as the voice provider reports it, ready to store
// (platform.md section 4).
struct CallRecord {
  std::string external_id;
  std::string external_agent_id;
  std::optional<std::string> caller_number;
  std::string direction = "inbound";
  std::int64_t started_unix = 0;
  std::int64_t duration_seconds = 0;
  std::string status;  // completed | failed | in_progress
  std::optional<bool> successful;
  std::optional<std::string> summary;
  std::vector<TranscriptTurn> transcript;
  std::string metadata_json = "{}";
  std::optional<std::string> sip_refer_destination;
  std::int64_t sip_refer_seconds = 0;
  // What an outbound call's conversation tells beyond its status (platform.md section 7).
  bool connected = false;                     // the call was answered (talking, or over after talking)
  bool voicemail = false;                     // a voicemail system answered (the detection tool ended it)
  std::optional<std::string> failure_reason;  // why it never connected: "busy", "no-answer", ...
  std::optional<std::string> dial_token;      // conversation_initiation_client_data.user_id
  std::optional<Analysis> analysis;           // the provider's evaluation and data collection results

  bool finished() const { return status != "in_progress"; }
};

struct IngestResult {
  enum class Outcome { stored, duplicate, ignored } outcome = Outcome::ignored;
  std::optional<std::int64_t> conversation_id;  // stored, or the earlier copy of a duplicate
  std::string reason;                           // why an ignored delivery was ignored
};

struct ReconcileReport {
  std::int64_t listed = 0;             // conversations the provider listed
  std::int64_t stored = 0;             // missing here, now stored
  std::int64_t already_stored = 0;     // delivered earlier by the webhook (or an earlier run)
  std::int64_t unfinished = 0;         // still running or being analysed: their webhook is yet to come
  std::int64_t ignored = 0;            // unknown agents, or gone at the provider meanwhile
  std::int64_t failed_workspaces = 0;  // provider workspaces that could not be listed (logged)
};

}  // namespace cxco::domain
