#include "services/conversations.h"

#include <set>

#include "crypto/signatures.h"
#include "domain/errors.h"
#include "domain/usage.h"
#include "providers/elevenlabs_webhooks.h"
#include "services/call_flow.h"
#include "store/agents_repo.h"
#include "store/conversations_repo.h"
#include "store/outbox.h"
#include "store/usage_repo.h"
#include "util/log.h"
#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::services {

namespace {

constexpr const char* kSource = "elevenlabs";

}  // namespace

// Stores the conversation, its usage and its events in one transaction. The unique index on
// (source, external_conversation_id) decides between concurrent replays: the losers insert
// nothing, so they count nothing.
domain::IngestResult Conversations::record(const domain::CallRecord& call) {
  return db_.write([&](store::Tx& tx) -> domain::IngestResult {
    const auto agent = store::agents_repo::find_by_external_id(tx, call.external_agent_id);
    if (!agent)
      return {domain::IngestResult::Outcome::ignored, std::nullopt, "unknown agent " + call.external_agent_id};
    const auto now = util::iso8601(clock_.now());
    const auto id = store::conversations_repo::insert_call(tx, agent->company_id, agent->agent_id, call, kSource, now);
    if (!id) {
      const auto earlier = store::conversations_repo::find_by_external_id(tx, kSource, call.external_id);
      // A call whose conversation arrived before the call could take it (a lost dial answer).
      if (earlier) call_flow::settle(tx, call, *earlier, clock_.now_ms());
      return {domain::IngestResult::Outcome::duplicate, earlier, {}};
    }

    domain::UsageTotals usage;
    usage.conversations = 1;
    usage.duration_seconds = call.duration_seconds;
    usage.sip_refer_seconds = call.sip_refer_seconds;
    usage.messages = static_cast<std::int64_t>(call.transcript.size());
    usage.successful = call.successful.value_or(false) ? 1 : 0;
    usage.known_outcomes = call.successful ? 1 : 0;
    if (call.direction == "outbound") {
      usage.outbound_conversations = 1;
      usage.outbound_duration_seconds = call.duration_seconds;
    }
    store::usage_repo::add(tx, agent->company_id, util::utc_date(call.started_unix), agent->agent_id, "voice", usage);

    const auto data = wire::to_json(*store::conversations_repo::find_summary(tx, agent->company_id, *id));
    // In the order they happened: the transfer, then the end of the call.
    if (call.sip_refer_destination) store::outbox::emit(tx, agent->company_id, "conversation.transferred", data, now);
    if (call.finished()) store::outbox::emit(tx, agent->company_id, "conversation.completed", data, now);
    call_flow::settle(tx, call, *id, clock_.now_ms());
    return {domain::IngestResult::Outcome::stored, id, {}};
  });
}

domain::IngestResult Conversations::receive_post_call(std::string_view signature, std::string_view raw_body) {
  if (webhook_secret_.empty()) {
    util::log_warn("post-call webhook refused: CXCO_ELEVENLABS_WEBHOOK_SECRET is not set");
    throw ApiError::unauthenticated("The post-call webhook is not configured on this server");
  }
  const auto check = crypto::verify_elevenlabs_signature(signature, webhook_secret_, raw_body, clock_.now());
  if (check != crypto::SignatureCheck::ok) {
    util::log_warn("post-call webhook refused: bad ElevenLabs-Signature", {{"reason", crypto::describe(check)}});
    throw ApiError::unauthenticated("Missing, invalid or expired ElevenLabs-Signature");
  }
  const auto post_call = providers::parse_post_call(wire::parse_body(raw_body), clock_.now());
  if (!post_call.call)
    return {domain::IngestResult::Outcome::ignored, std::nullopt, "event type " + post_call.type + " is not stored"};
  return record(*post_call.call);
}

domain::Page<domain::ConversationSummary> Conversations::list(domain::CompanyId company,
                                                              const domain::ConversationFilter& filter,
                                                              const domain::PageRequest& page) {
  return domain::page_of(
      db_.read([&](store::Tx& tx) { return store::conversations_repo::list(tx, company, filter, page); }), page.limit);
}

domain::ConversationDetail Conversations::get(domain::CompanyId company, std::int64_t conversation_id) {
  auto found =
      db_.read([&](store::Tx& tx) { return store::conversations_repo::find_detail(tx, company, conversation_id); });
  if (!found) throw ApiError::not_found("Conversation not found");
  return std::move(*found);
}

domain::ReconcileReport Conversations::reconcile(std::optional<std::int64_t> since_unix) {
  // Conversations are listed per provider workspace, so each key in use is paged once.
  std::set<std::string> keys;
  for (const auto company :
       db_.read([](store::Tx& tx) { return store::agents_repo::companies_with_provider_agents(tx); }))
    keys.insert(credentials_.voice_api_key(company));

  domain::ReconcileReport report;
  for (const auto& key : keys) {
    std::optional<std::string> cursor;
    do {
      const auto page = voice_.list_conversations(key, cursor, since_unix);
      for (const auto& item : page.conversations) {
        ++report.listed;
        const auto listed = providers::parse_listed_conversation(item);
        if (!listed) {
          ++report.ignored;
          continue;
        }
        // Running or still being analysed: the webhook will bring the finished conversation.
        if (!listed->finished) {
          ++report.unfinished;
          continue;
        }
        const bool known = db_.read([&](store::Tx& tx) {
          return store::conversations_repo::find_by_external_id(tx, kSource, listed->conversation_id).has_value();
        });
        if (known) {
          ++report.already_stored;
          continue;
        }
        boost::json::object conversation;
        try {
          conversation = voice_.get_conversation(key, listed->conversation_id);
        } catch (const providers::ProviderError& e) {
          if (e.status != 404) throw;
          ++report.ignored;  // deleted at the provider since it was listed
          continue;
        }
        try {
          const auto result = record(providers::parse_conversation(conversation, clock_.now()));
          if (result.outcome == domain::IngestResult::Outcome::stored) ++report.stored;
          if (result.outcome == domain::IngestResult::Outcome::duplicate) ++report.already_stored;
          if (result.outcome == domain::IngestResult::Outcome::ignored) ++report.ignored;
        } catch (const ApiError& e) {
          // One malformed conversation must not stop the others from being recovered.
          util::log_warn("reconcile: provider conversation not stored",
                         {{"conversation_id", listed->conversation_id}, {"error", e.detail}});
          ++report.ignored;
        }
      }
      cursor = page.has_more ? page.next_cursor : std::nullopt;
    } while (cursor);
  }
  return report;
}

}  // namespace cxco::services
