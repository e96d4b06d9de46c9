#include "services/conversations.h"

#include <map>
#include <vector>

#include "crypto/signatures.h"
#include "domain/errors.h"
#include "domain/usage.h"
#include "providers/analysis_llm.h"
#include "providers/elevenlabs_webhooks.h"
#include "services/call_flow.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/conversations_repo.h"
#include "store/outbox.h"
#include "store/usage_repo.h"
#include "util/log.h"
#include "wire/csv.h"
#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::services {

namespace {

constexpr const char* kSource = "elevenlabs";
// No field CXCo reads from a post-call webhook comes near 1 MiB (a whole body of 1 MiB was the
// limit before the audio webhook), while post_call_audio's full_audio runs to 50 MiB.
constexpr std::size_t kMaxPostCallString = 1024 * 1024;
// The rest of a webhook may be as large as a conversation the reconciler fetches (the 4 MiB a
// provider answer is read up to).
constexpr std::size_t kMaxPostCallKept = 4 * 1024 * 1024;

}  // namespace

// Stores the conversation, its usage and its events in one transaction. The unique index on
// (source, external_conversation_id) decides between concurrent replays: the losers insert
// nothing, so they count nothing.
domain::IngestResult Conversations::record(const domain::CallRecord& call, std::optional<domain::CompanyId> scope) {
  // Calls end in bursts: their writes share transactions (group commit).
  return db_.write_grouped([&](store::Tx& tx) -> domain::IngestResult {
    const auto agent = store::agents_repo::find_by_external_id(tx, call.external_agent_id);
    const bool foreign = agent && scope && agent->company_id != *scope;
    if (foreign)
      util::log_warn("post-call webhook on a company's URL names another company's agent: ignored",
                     {{"url_company_id", std::to_string(scope->value)},
                      {"agent_company_id", std::to_string(agent->company_id.value)},
                      {"conversation_id", call.external_id}});
    // The same answer as for an agent nobody has: the sender learns nothing about other tenants.
    if (!agent || foreign)
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
    if (call.analysis) {
      const auto settings = store::agents_repo::find(tx, agent->company_id, agent->agent_id)->analysis;
      store::usage_repo::add_analysis(tx, agent->company_id, util::utc_date(call.started_unix), agent->agent_id,
                                      domain::tallies(*call.analysis, settings), 1);
    }

    const auto data = wire::to_json(*store::conversations_repo::find_summary(tx, agent->company_id, *id));
    // In the order they happened: the transfer, then the end of the call.
    if (call.sip_refer_destination) store::outbox::emit(tx, agent->company_id, "conversation.transferred", data, now);
    if (call.finished()) store::outbox::emit(tx, agent->company_id, "conversation.completed", data, now);
    call_flow::settle(tx, call, *id, clock_.now_ms());
    return {domain::IngestResult::Outcome::stored, id, {}};
  });
}

PostCallIntake Conversations::receive_post_call(std::optional<domain::CompanyId> company, std::string_view signature) {
  const auto secret = company ? credentials_.voice_webhook_secret(*company).value_or("") : webhook_secret_;
  if (secret.empty()) {
    if (company)
      util::log_warn("post-call webhook refused: the company stored no elevenlabs webhook_secret",
                     {{"company_id", std::to_string(company->value)}});
    else
      util::log_warn("post-call webhook refused: CXCO_ELEVENLABS_WEBHOOK_SECRET is not set");
    // Whether the company exists is not said: the URL's id is the caller's to choose.
    throw ApiError::unauthenticated("The post-call webhook is not configured for this URL");
  }
  return PostCallIntake(*this, company, signature, secret);
}

PostCallIntake::PostCallIntake(Conversations& owner, std::optional<domain::CompanyId> company,
                               std::string_view signature, std::string_view secret)
    : owner_(owner),
      company_(company),
      signature_(signature, "v0", secret),
      body_(kMaxPostCallString, kMaxPostCallKept) {}

void PostCallIntake::append(std::string_view piece) {
  signature_.update(piece);
  body_.write(piece);
}

domain::IngestResult PostCallIntake::finish() {
  const auto check = signature_.finish(owner_.clock_.now(), crypto::kElevenLabsTolerance);
  if (check != crypto::SignatureCheck::ok) {
    util::log_warn("post-call webhook refused: bad ElevenLabs-Signature", {{"reason", crypto::describe(check)}});
    throw ApiError::unauthenticated("Missing, invalid or expired ElevenLabs-Signature");
  }
  const auto post_call = providers::parse_post_call(body_.finish(), owner_.clock_.now());
  if (!post_call.call)
    return {domain::IngestResult::Outcome::ignored, std::nullopt, "event type " + post_call.type + " is not stored"};
  return owner_.record(*post_call.call, company_);
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

domain::ConversationDetail Conversations::analyze(domain::CompanyId company, const domain::AgentScope& visible,
                                                  std::int64_t conversation_id) {
  struct Subject {
    domain::ConversationDetail conversation;
    domain::AnalysisSettings settings;
  };
  const auto subject = db_.read([&](store::Tx& tx) -> Subject {
    auto found = store::conversations_repo::find_detail(tx, company, conversation_id);
    // Another agent's conversation is not there for a key limited to some agents.
    if (!found || !visible.allows(found->agent_id)) throw ApiError::not_found("Conversation not found");
    auto agent = store::agents_repo::find(tx, company, found->agent_id);
    return {std::move(*found), agent ? agent->analysis : domain::AnalysisSettings{}};
  });
  if (subject.settings.empty())
    throw ApiError::invalid_state(
        "The conversation's agent has no analysis criteria or data fields; set them with PUT /api/agents/{id}");

  std::string answer;
  try {
    answer = llm_.complete(credentials_.llm_endpoint(company),
                           providers::analysis_prompt(subject.settings, subject.conversation), 0,
                           providers::analysis_schema(subject.settings));
  } catch (const providers::ProviderError& e) {
    util::log_warn("LLM call failed",
                   {{"operation", e.operation}, {"status", std::to_string(e.status)}, {"error", e.what()}});
    throw ApiError::provider("The LLM failed (" +
                             (e.status ? "HTTP " + std::to_string(e.status) : std::string("no answer")) +
                             "); nothing was stored, try again");
  }
  std::string problem;
  const auto analysis = providers::parse_analysis_answer(answer, subject.settings, problem);
  if (!analysis) {
    util::log_warn("LLM analysis answer refused",
                   {{"conversation_id", std::to_string(conversation_id)}, {"problem", problem}});
    throw ApiError::provider("The LLM's answer did not fit the analysis settings (" + problem +
                             "); nothing was stored, try again");
  }

  return db_.write([&](store::Tx& tx) {
    const auto before = store::conversations_repo::find_detail(tx, company, conversation_id);
    if (!before) throw ApiError::not_found("Conversation not found");
    const auto day = before->started_at.substr(0, 10);
    if (before->analysis)
      store::usage_repo::add_analysis(tx, company, day, before->agent_id,
                                      domain::tallies(*before->analysis, subject.settings), -1);
    store::conversations_repo::store_analysis(tx, company, conversation_id, *analysis);
    store::usage_repo::add_analysis(tx, company, day, before->agent_id, domain::tallies(*analysis, subject.settings),
                                    1);
    store::audit_repo::record(tx, company, "conversation", conversation_id, util::iso8601(clock_.now()));
    return *store::conversations_repo::find_detail(tx, company, conversation_id);
  });
}

void Conversations::for_each_match(domain::CompanyId company, const domain::ConversationFilter& filter,
                                   const std::function<bool(const domain::ConversationDetail&)>& each) {
  constexpr std::int64_t kBatch = 500;
  std::optional<std::int64_t> before;
  while (true) {
    const auto batch = db_.read(
        [&](store::Tx& tx) { return store::conversations_repo::list_details(tx, company, filter, before, kBatch); });
    for (const auto& c : batch)
      if (!each(c)) return;
    if (static_cast<std::int64_t>(batch.size()) < kBatch) return;
    before = batch.back().id;
  }
}

void Conversations::export_csv(domain::CompanyId company, const domain::ConversationFilter& filter,
                               http::BodySink& sink) {
  const auto columns = wire::export_columns(db_.read([&](store::Tx& tx) {
    return store::agents_repo::analysis_settings(tx, company, filter.visible, filter.agent_id);
  }));
  if (!sink.write(wire::export_csv_header(columns))) return;
  std::string out;
  for_each_match(company, filter, [&](const domain::ConversationDetail& c) {
    out += wire::export_csv_row(c, columns);
    if (out.size() < 64 * 1024) return true;
    const bool open = sink.write(out);
    out.clear();
    return open;
  });
  if (!out.empty()) sink.write(out);
}

void Conversations::export_jsonl(domain::CompanyId company, const domain::ConversationFilter& filter,
                                 http::BodySink& sink) {
  std::string out;
  for_each_match(company, filter, [&](const domain::ConversationDetail& c) {
    out += wire::to_json(c);
    out += '\n';
    if (out.size() < 64 * 1024) return true;
    const bool open = sink.write(out);
    out.clear();
    return open;
  });
  if (!out.empty()) sink.write(out);
}

providers::Recording Conversations::recording(domain::CompanyId company, const domain::AgentScope& visible,
                                              std::int64_t conversation_id, const std::optional<std::string>& range) {
  const auto found =
      db_.read([&](store::Tx& tx) { return store::conversations_repo::find_summary(tx, company, conversation_id); });
  // Another agent's conversation is not there for a key limited to some agents.
  if (!found || !visible.allows(found->agent_id)) throw ApiError::not_found("Conversation not found");
  if (found->channel != "voice" || !found->external_conversation_id)
    throw ApiError::not_found("This conversation has no recording");
  try {
    return voice_.conversation_audio(credentials_.voice_api_key(company), *found->external_conversation_id, range);
  } catch (const providers::ProviderError& e) {
    if (e.status == 404) throw ApiError::not_found("The voice provider has no recording of this conversation");
    util::log_warn("voice provider call failed",
                   {{"operation", e.operation}, {"status", std::to_string(e.status)}, {"error", e.what()}});
    throw ApiError::provider("The voice provider failed to send the recording; try again");
  }
}

domain::ReconcileReport Conversations::reconcile(std::optional<std::int64_t> since_unix) {
  // Conversations are listed per provider workspace, so each key in use is paged once.
  std::map<std::string, std::vector<domain::CompanyId>> workspaces;  // key -> the companies acting with it
  domain::ReconcileReport report;
  for (const auto company :
       db_.read([](store::Tx& tx) { return store::agents_repo::companies_with_provider_agents(tx); })) {
    try {
      workspaces[credentials_.voice_api_key(company)].push_back(company);
    } catch (const std::runtime_error& e) {
      // Stored credentials no configured key decrypts: that workspace cannot be listed.
      util::log_error("reconcile: workspace not listed",
                      {{"company_id", std::to_string(company.value)}, {"error", e.what()}});
      ++report.failed_workspaces;
    }
  }
  for (const auto& [key, companies] : workspaces) {
    try {
      reconcile_workspace(key, since_unix, report);
    } catch (const providers::ProviderError& e) {
      std::string ids;
      for (const auto company : companies) ids += (ids.empty() ? "" : ",") + std::to_string(company.value);
      util::log_error("reconcile: workspace not listed", {{"company_ids", ids}, {"error", e.what()}});
      ++report.failed_workspaces;
    }
  }
  return report;
}

void Conversations::reconcile_workspace(const std::string& key, std::optional<std::int64_t> since_unix,
                                        domain::ReconcileReport& report) {
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
        const auto result = record(providers::parse_conversation(conversation, clock_.now()), std::nullopt);
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

}  // namespace cxco::services
