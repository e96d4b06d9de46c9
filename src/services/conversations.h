// Conversations from the voice provider (platform.md sections 3 and 4): post-call webhooks
// stored once per provider conversation id with their usage rollup and outbox events in one
// transaction; browsing; reconciliation of conversations a lost webhook never delivered.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/conversation.h"
#include "domain/page.h"
#include "providers/voice_provider.h"
#include "services/credentials.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Conversations {
 public:
  // webhook_secret: CXCO_ELEVENLABS_WEBHOOK_SECRET, which signs the provider's post-call webhooks.
  Conversations(store::Database& db, const util::Clock& clock, providers::VoiceProvider& voice,
                Credentials& credentials, std::string webhook_secret)
      : db_(db), clock_(clock), voice_(voice), credentials_(credentials), webhook_secret_(std::move(webhook_secret)) {}

  // A post-call webhook as it arrived: its ElevenLabs-Signature header and raw body. 401 (and
  // nothing stored) unless the signature verifies with the webhook secret within 30 minutes;
  // without a secret nothing can be authenticated, so nothing is accepted. Then
  // post_call_transcription and call_initiation_failure of known agents are stored; other
  // types and unknown agents are acknowledged and ignored. A body that is not the provider's
  // shape: 400 or 422.
  domain::IngestResult receive_post_call(std::string_view signature, std::string_view raw_body);

  domain::Page<domain::ConversationSummary> list(domain::CompanyId company, const domain::ConversationFilter& filter,
                                                 const domain::PageRequest& page);
  domain::ConversationDetail get(domain::CompanyId company,
                                 std::int64_t conversation_id);  // 404 when not the company's

  // Pages through the provider's conversations that started at or after since_unix with each
  // provider key in use and stores the finished ones that are missing, through the webhook's
  // own code path.
  domain::ReconcileReport reconcile(std::optional<std::int64_t> since_unix);

  // Stores a call the provider reported (its webhook, reconciliation, the dialer following an
  // outbound call), once per provider conversation id, with its usage and events; an outbound
  // call it belongs to takes its outcome in the same transaction.
  domain::IngestResult record(const domain::CallRecord& call);

 private:
  store::Database& db_;
  const util::Clock& clock_;
  providers::VoiceProvider& voice_;
  Credentials& credentials_;
  std::string webhook_secret_;
};

}  // namespace cxco::services
