// Conversations from the voice provider (platform.md sections 3 and 4): post-call webhooks
// stored once per provider conversation id with their usage rollup and outbox events in one
// transaction; browsing; reconciliation of conversations a lost webhook never delivered.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/signatures.h"
#include "domain/conversation.h"
#include "domain/page.h"
#include "http/types.h"
#include "providers/llm.h"
#include "providers/voice_provider.h"
#include "services/credentials.h"
#include "store/db.h"
#include "util/time.h"
#include "wire/streamed_json.h"

namespace cxco::services {

class Conversations;

// A post-call webhook whose body is handed over in pieces (Conversations::receive_post_call):
// it may carry 50 MiB of base64 audio, so the signature is computed and the JSON parsed as the
// pieces go by, and strings too long for anything CXCo reads (the audio) are never kept.
class PostCallIntake {
 public:
  void append(std::string_view piece);
  // Every piece given: 401 (and nothing stored) unless the signature verifies; then as
  // Conversations::receive_post_call says.
  domain::IngestResult finish();

 private:
  friend class Conversations;
  PostCallIntake(Conversations& owner, std::optional<domain::CompanyId> company, std::string_view signature,
                 std::string_view secret);

  Conversations& owner_;
  std::optional<domain::CompanyId> company_;
  crypto::TimestampedSignature signature_;
  wire::StreamedJson body_;
};

class Conversations {
 public:
  // webhook_secret: CXCO_ELEVENLABS_WEBHOOK_SECRET, which signs the provider's post-call webhooks.
  Conversations(store::Database& db, const util::Clock& clock, providers::VoiceProvider& voice, providers::Llm& llm,
                Credentials& credentials, std::string webhook_secret)
      : db_(db),
        clock_(clock),
        voice_(voice),
        llm_(llm),
        credentials_(credentials),
        webhook_secret_(std::move(webhook_secret)) {}

  // A post-call webhook as it arrives: its ElevenLabs-Signature header and the company whose URL
  // it came to (nullopt: the platform's URL); its raw body goes to the intake answered, piece by
  // piece. 401 (and nothing stored) unless the signature verifies within 30 minutes with the
  // webhook secret: the company's stored `webhook_secret` of its own provider workspace, else the
  // platform's; without a secret nothing can be authenticated, so nothing is accepted (401 at
  // once). Then post_call_transcription and call_initiation_failure of known agents are stored;
  // other types and unknown agents are acknowledged and ignored, and so is an agent of another
  // company on a company's URL: a workspace's secret vouches for its own company's calls only. A
  // body that is not the provider's shape: 400 or 422. Strings over 1 MiB (the audio of
  // post_call_audio) read as null; past 4 MiB besides them a body is 413.
  PostCallIntake receive_post_call(std::optional<domain::CompanyId> company, std::string_view signature);

  domain::Page<domain::ConversationSummary> list(domain::CompanyId company, const domain::ConversationFilter& filter,
                                                 const domain::PageRequest& page);
  domain::ConversationDetail get(domain::CompanyId company,
                                 std::int64_t conversation_id);  // 404 when not the company's
  // Runs the agent's current analysis settings over the stored transcript with the LLM (the
  // company's llm credentials, else the platform's) and stores the result in place of the one
  // before, with its rollups and its audit row. 404 for a conversation not the company's or not
  // `visible`; 409 invalid_state when the agent has no criteria or fields; 502 when the LLM fails
  // or answers anything but what the settings ask for (nothing is stored then).
  domain::ConversationDetail analyze(domain::CompanyId company, const domain::AgentScope& visible,
                                     std::int64_t conversation_id);

  // Every conversation matching `filter`, newest first, into `sink`: CSV rows with the analysis
  // columns of the agents the filter admits, or a JSONL detail a line. Read in batches of 500,
  // each in a short read transaction, so memory stays flat; stops when the client goes away.
  void export_csv(domain::CompanyId company, const domain::ConversationFilter& filter, http::BodySink& sink);
  void export_jsonl(domain::CompanyId company, const domain::ConversationFilter& filter, http::BodySink& sink);

  // A call's recording, streamed from the voice provider with the company's own key when it
  // stored one (`range`: the caller's Range, passed on). 404 for WhatsApp chats, conversations
  // not the company's and calls the provider has no recording of; 502 when the provider fails.
  providers::Recording recording(domain::CompanyId company, const domain::AgentScope& visible,
                                 std::int64_t conversation_id, const std::optional<std::string>& range);

  // Pages through the provider's conversations that started at or after since_unix with each
  // provider key in use and stores the finished ones that are missing, through the webhook's
  // own code path. A workspace whose listing fails (a company's revoked key, an outage) is
  // logged and counted in failed_workspaces; the others are reconciled all the same.
  domain::ReconcileReport reconcile(std::optional<std::int64_t> since_unix);

  // Stores a call the provider reported (its webhook, reconciliation, the dialer following an
  // outbound call), once per provider conversation id, with its usage and events; an outbound
  // call it belongs to takes its outcome in the same transaction. `scope`: the only company
  // whose agents the call may be stored for (nullopt: any).
  domain::IngestResult record(const domain::CallRecord& call, std::optional<domain::CompanyId> scope = std::nullopt);

 private:
  friend class PostCallIntake;
  // Calls `each` with the matches, batch by batch, until it answers false.
  void for_each_match(domain::CompanyId company, const domain::ConversationFilter& filter,
                      const std::function<bool(const domain::ConversationDetail&)>& each);
  void reconcile_workspace(const std::string& api_key, std::optional<std::int64_t> since_unix,
                           domain::ReconcileReport& report);

  store::Database& db_;
  const util::Clock& clock_;
  providers::VoiceProvider& voice_;
  providers::Llm& llm_;
  Credentials& credentials_;
  std::string webhook_secret_;
};

}  // namespace cxco::services
