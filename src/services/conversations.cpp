#include "services/conversations.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "domain/usage.h"
#include "services/agents.h"
#include "services/events.h"
#include "services/usage.h"
#include "util/json.h"
#include "util/log.h"
#include "util/time.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

constexpr const char* kSource = "elevenlabs";
constexpr const char* kSummaryColumns =
    "id, agent_id, company_id, channel, caller_number, direction, started_at, ended_at, duration_seconds, "
    "message_count, status, call_successful, sip_refer_destination, transcript_summary, source, "
    "external_conversation_id, created_at";

// Reads one object of a provider payload. Unknown fields are ignored and absent (or null) ones
// take defaults, as providers add fields over time; a field of the wrong type is collected as an
// error, because a signed payload of another shape would otherwise be metered wrongly.
class Fields {
 public:
  Fields(const json::object* object, std::vector<std::string> loc, std::vector<FieldError>& errors)
      : object_(object), loc_(std::move(loc)), errors_(&errors) {}

  const json::object* get() const { return object_; }

  std::optional<std::string> string(std::string_view key, bool required = false) {
    const auto* v = value(key, required);
    if (!v) return std::nullopt;
    if (v->is_string() && !(required && v->get_string().empty())) return std::string(v->get_string());
    error(key, required ? "Input should be a non-empty string" : "Input should be a valid string", "string_type");
    return std::nullopt;
  }

  // Whole numbers; senders that write them as 12.0 are accepted too.
  std::optional<std::int64_t> integer(std::string_view key) {
    const auto* v = value(key, false);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double() && std::floor(v->get_double()) == v->get_double() && std::abs(v->get_double()) < 9e15)
      return static_cast<std::int64_t>(v->get_double());
    error(key, "Input should be a valid integer", "int_type");
    return std::nullopt;
  }

  std::optional<double> number(std::string_view key, bool required = false) {
    const auto* v = value(key, required);
    if (!v) return std::nullopt;
    if (v->is_number()) return v->to_number<double>();
    error(key, "Input should be a valid number", "float_type");
    return std::nullopt;
  }

  // An absent object reads as one with no fields.
  Fields object(std::string_view key, bool required = false) {
    const auto* v = value(key, required);
    if (v && !v->is_object()) error(key, "Input should be an object", "dict_type");
    return Fields(v && v->is_object() ? &v->get_object() : nullptr, loc(key), *errors_);
  }

  const json::array* array(std::string_view key) {
    const auto* v = value(key, false);
    if (v && !v->is_array()) error(key, "Input should be a valid list", "list_type");
    return v && v->is_array() ? &v->get_array() : nullptr;
  }

  // Element `index` of the array at `key`, which must be an object.
  Fields element(std::string_view key, std::size_t index, const json::value& item) {
    auto at = loc(key);
    at.push_back(std::to_string(index));
    if (!item.is_object()) errors_->push_back(FieldError{at, "Input should be an object", "dict_type"});
    return Fields(item.is_object() ? &item.get_object() : nullptr, std::move(at), *errors_);
  }

  std::vector<std::string> loc(std::string_view key) const {
    auto out = loc_;
    out.emplace_back(key);
    return out;
  }

 private:
  const json::value* value(std::string_view key, bool required) {
    const auto* v = object_ ? object_->if_contains(key) : nullptr;
    if (v && !v->is_null()) return v;
    if (required) error(key, "Field required", "missing");
    return nullptr;
  }
  void error(std::string_view key, std::string msg, std::string type) {
    errors_->push_back(FieldError{loc(key), std::move(msg), std::move(type)});
  }

  const json::object* object_;
  std::vector<std::string> loc_;
  std::vector<FieldError>* errors_;
};

// A conversation as the provider's payload describes it, ready to store.
struct Mapped {
  std::string external_id;
  std::string external_agent_id;
  std::optional<std::string> caller_number;
  std::string direction = "inbound";
  std::int64_t started_unix = 0;
  std::int64_t duration = 0;
  std::string status;
  std::optional<bool> successful;
  std::optional<std::string> summary;
  json::array transcript;
  json::object metadata;
  std::optional<std::string> sip_refer_destination;
  std::int64_t sip_refer_seconds = 0;
};

// Copies the fields that are present and not null.
void keep(json::object& to, const json::object* from, std::initializer_list<std::string_view> keys) {
  if (!from) return;
  for (const auto key : keys)
    if (const auto* v = from->if_contains(key); v && !v->is_null()) to[key] = *v;
}

// The number a successful transfer-to-number tool result moved the caller to (providers.md 1.4).
std::optional<std::string> transfer_destination(const json::array* tool_results) {
  if (!tool_results) return std::nullopt;
  for (const auto& item : *tool_results) {
    const auto* result = item.is_object() ? item.get_object().if_contains("result") : nullptr;
    if (!result || !result->is_object()) continue;
    const auto& r = result->get_object();
    const auto* type = r.if_contains("result_type");
    const auto* number = r.if_contains("transfer_number");
    if (type && type->is_string() && number && number->is_string() && !number->get_string().empty() &&
        (type->get_string() == "transfer_to_number_sip_success" || type->get_string() == "transfer_to_number_twilio_success"))
      return std::string(number->get_string());
  }
  return std::nullopt;
}

// Tokens of every model and category in a turn's llm_usage ({"model_usage": {model: {input:
// {tokens}, output_total: {tokens}, ...}}}). A figure for metadata_ only, so odd shapes count 0.
std::int64_t llm_tokens(const json::value& usage) {
  const auto* models = usage.is_object() ? usage.get_object().if_contains("model_usage") : nullptr;
  if (!models || !models->is_object()) return 0;
  std::int64_t total = 0;
  for (const auto& [model, categories] : models->get_object()) {
    if (!categories.is_object()) continue;
    for (const auto& [category, figures] : categories.get_object()) {
      const auto* tokens = figures.is_object() ? figures.get_object().if_contains("tokens") : nullptr;
      if (tokens && tokens->is_int64()) total += tokens->get_int64();
    }
  }
  return total;
}

std::string status_of(const std::optional<std::string>& provider_status) {
  if (provider_status == "done") return "completed";
  if (provider_status == "failed") return "failed";
  return "in_progress";
}

// post_call_transcription data = the provider's GET conversation object (platform.md section 4).
Mapped map_transcription(Fields& data, std::optional<std::int64_t> event_unix, std::int64_t now_unix) {
  Mapped m;
  m.external_id = data.string("conversation_id", true).value_or("");
  m.external_agent_id = data.string("agent_id", true).value_or("");
  const auto provider_status = data.string("status");
  m.status = status_of(provider_status);

  auto meta = data.object("metadata");
  m.started_unix = meta.integer("start_time_unix_secs").value_or(event_unix.value_or(now_unix));
  m.duration = std::max<std::int64_t>(0, meta.integer("call_duration_secs").value_or(0));
  auto phone = meta.object("phone_call");
  m.caller_number = phone.string("external_number");
  // Calls without a phone leg (web widget) are the caller reaching the agent: inbound.
  if (phone.string("direction") == "outbound") m.direction = "outbound";

  auto analysis = data.object("analysis");
  const auto outcome = analysis.string("call_successful");
  if (outcome == "success") m.successful = true;
  if (outcome == "failure") m.successful = false;
  m.summary = analysis.string("transcript_summary");

  std::optional<std::int64_t> tokens;
  if (const auto* turns = data.array("transcript")) {
    for (std::size_t i = 0; i < turns->size(); ++i) {
      auto turn = data.element("transcript", i, (*turns)[i]);
      if (!turn.get()) continue;
      const auto role = turn.string("role", true);
      const auto message = turn.string("message");
      const auto at = turn.number("time_in_call_secs", true).value_or(0.0);
      m.transcript.push_back(json::object{{"role", role.value_or("")},
                                          {"message", message ? json::value(*message) : json::value(nullptr)},
                                          {"timestamp", at}});
      // The first transfer ends the agent's part; the call time after it is SIP refer time.
      const auto destination = transfer_destination(turn.array("tool_results"));
      if (destination && !m.sip_refer_destination) {
        m.sip_refer_destination = destination;
        m.sip_refer_seconds = std::clamp<std::int64_t>(m.duration - std::llround(at), 0, m.duration);
      }
      if (const auto* usage = turn.get()->if_contains("llm_usage"); usage && !usage->is_null())
        tokens = tokens.value_or(0) + llm_tokens(*usage);
    }
  }

  // metadata_: what the provider reports beyond our columns (cost, LLM figures, why it ended).
  if (provider_status) m.metadata["provider_status"] = *provider_status;
  keep(m.metadata, meta.get(),
       {"cost", "termination_reason", "main_language", "error", "charging", "conversation_initiation_source",
        "accepted_time_unix_secs"});
  if (phone.get()) m.metadata["phone_call"] = *phone.get();
  keep(m.metadata, analysis.get(), {"call_summary_title", "evaluation_criteria_results", "data_collection_results"});
  if (tokens) m.metadata["llm_tokens"] = *tokens;
  return m;
}

// call_initiation_failure: an outbound call that never connected (busy, no answer).
Mapped map_initiation_failure(Fields& data, std::optional<std::int64_t> event_unix, std::int64_t now_unix) {
  Mapped m;
  m.external_id = data.string("conversation_id", true).value_or("");
  m.external_agent_id = data.string("agent_id", true).value_or("");
  m.status = "failed";
  m.direction = "outbound";
  m.started_unix = event_unix.value_or(now_unix);
  const auto reason = data.string("failure_reason");
  if (reason) m.metadata["failure_reason"] = *reason;
  if (const auto details = data.object("metadata"); details.get()) m.metadata["failure_details"] = *details.get();
  return m;
}

json::value nullable(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value nullable(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object summary_json(const store::Row& r) {
  json::object o;
  o["id"] = r.i64("id");
  o["agent_id"] = r.i64("agent_id");
  o["company_id"] = r.i64("company_id");
  o["channel"] = r.str("channel");
  o["caller_number"] = nullable(r.opt_str("caller_number"));
  o["direction"] = r.str("direction");
  o["started_at"] = r.str("started_at");
  o["ended_at"] = nullable(r.opt_str("ended_at"));
  o["duration_seconds"] = nullable(r.opt_i64("duration_seconds"));
  o["message_count"] = nullable(r.opt_i64("message_count"));
  o["status"] = r.str("status");
  o["call_successful"] = r.is_null("call_successful") ? json::value(nullptr) : json::value(r.boolean("call_successful"));
  o["sip_refer_destination"] = nullable(r.opt_str("sip_refer_destination"));
  o["transcript_summary"] = nullable(r.opt_str("transcript_summary"));
  o["source"] = r.str("source");
  o["external_conversation_id"] = nullable(r.opt_str("external_conversation_id"));
  o["created_at"] = r.str("created_at");
  return o;
}

// Stores the conversation, its usage and its events in one transaction. The unique index on
// (source, external_conversation_id) decides between concurrent replays: the losers insert
// nothing, so they count nothing.
IngestResult store_conversation(api::AppContext& app, const Mapped& m) {
  return app.db.write([&](store::Tx& tx) -> IngestResult {
    const auto agent = tx.one("SELECT id, company_id FROM agents WHERE external_agent_id = ?", {m.external_agent_id});
    if (!agent) return {IngestResult::Outcome::ignored, std::nullopt, "unknown agent " + m.external_agent_id};
    const auto company_id = agent->i64("company_id");
    const auto agent_id = agent->i64("id");
    const bool finished = m.status != "in_progress";
    const auto now = app.now_iso();
    const auto inserted = tx.one(
        "INSERT INTO conversations (company_id, agent_id, channel, caller_number, direction, started_at, ended_at, "
        "duration_seconds, message_count, status, call_successful, sip_refer_destination, sip_refer_seconds, "
        "transcript_summary, source, external_conversation_id, transcript, metadata, created_at) "
        "VALUES (?, ?, 'voice', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source, external_conversation_id) DO NOTHING RETURNING id",
        {company_id, agent_id, store::opt(m.caller_number), m.direction, util::iso8601(m.started_unix),
         finished ? store::Param(util::iso8601(m.started_unix + m.duration)) : store::Param(nullptr), m.duration,
         static_cast<std::int64_t>(m.transcript.size()), m.status,
         m.successful ? store::Param(*m.successful) : store::Param(nullptr), store::opt(m.sip_refer_destination),
         m.sip_refer_seconds, store::opt(m.summary), std::string(kSource), m.external_id, util::to_json(m.transcript),
         util::to_json(m.metadata), now});
    if (!inserted) {
      const auto earlier = tx.one("SELECT id FROM conversations WHERE source = ? AND external_conversation_id = ?",
                                  {std::string(kSource), m.external_id});
      return {IngestResult::Outcome::duplicate, earlier ? earlier->opt_i64("id") : std::nullopt, {}};
    }
    const auto id = inserted->i64("id");

    domain::UsageTotals usage;
    usage.conversations = 1;
    usage.duration_seconds = m.duration;
    usage.sip_refer_seconds = m.sip_refer_seconds;
    usage.messages = static_cast<std::int64_t>(m.transcript.size());
    usage.successful = m.successful.value_or(false) ? 1 : 0;
    usage.known_outcomes = m.successful ? 1 : 0;
    add_usage(tx, company_id, util::utc_date(m.started_unix), agent_id, "voice", usage);

    const auto conversation =
        summary_json(*tx.one(std::string("SELECT ") + kSummaryColumns + " FROM conversations WHERE id = ?", {id}));
    // In the order they happened: the transfer, then the end of the call.
    if (m.sip_refer_destination) emit_event(tx, company_id, "conversation.transferred", conversation, now);
    if (finished) emit_event(tx, company_id, "conversation.completed", conversation, now);
    return {IngestResult::Outcome::stored, id, {}};
  });
}

IngestResult ingest(api::AppContext& app, const std::string& type, const json::object* data,
                    std::optional<std::int64_t> event_unix, std::vector<std::string> loc) {
  std::vector<FieldError> errors;
  Fields fields(data, std::move(loc), errors);
  const auto now = app.clock.now();
  const auto mapped = type == "post_call_transcription" ? map_transcription(fields, event_unix, now)
                                                        : map_initiation_failure(fields, event_unix, now);
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
  return store_conversation(app, mapped);
}

}  // namespace

IngestResult ingest_post_call(api::AppContext& app, const json::object& payload) {
  std::vector<FieldError> errors;
  Fields body(&payload, {"body"}, errors);
  const auto type = body.string("type", true);
  const auto event_unix = body.integer("event_timestamp");
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
  // post_call_audio and types added later are acknowledged, so the provider does not retry them.
  if (*type != "post_call_transcription" && *type != "call_initiation_failure")
    return {IngestResult::Outcome::ignored, std::nullopt, "event type " + *type + " is not stored"};
  const auto data = body.object("data", true);
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
  return ingest(app, *type, data.get(), event_unix, body.loc("data"));
}

json::array list_conversations(store::Tx& tx, std::int64_t company_id, const ConversationFilter& filter,
                               std::optional<std::int64_t> before_id, std::int64_t limit) {
  std::string sql = std::string("SELECT ") + kSummaryColumns + " FROM conversations WHERE company_id = ?";
  store::Params params{company_id};
  if (filter.agent_id) sql += " AND agent_id = ?", params.emplace_back(*filter.agent_id);
  if (filter.channel) sql += " AND channel = ?", params.emplace_back(*filter.channel);
  if (before_id) sql += " AND id < ?", params.emplace_back(*before_id);
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(limit);
  json::array out;
  for (const auto& row : tx.query(sql, params).rows) out.push_back(summary_json(row));
  return out;
}

std::optional<json::object> find_conversation(store::Tx& tx, std::int64_t company_id, std::int64_t conversation_id) {
  const auto row = tx.one(std::string("SELECT ") + kSummaryColumns +
                              ", transcript, metadata FROM conversations WHERE company_id = ? AND id = ?",
                          {company_id, conversation_id});
  if (!row) return std::nullopt;
  auto o = summary_json(*row);
  o["transcript"] = json::parse(row->str("transcript"));
  o["metadata_"] = json::parse(row->str("metadata"));
  return o;
}

ReconcileReport reconcile_conversations(api::AppContext& app, std::optional<std::int64_t> since_unix) {
  // Conversations are listed per provider workspace, so each key in use is paged once.
  std::set<std::string> keys;
  const auto companies = app.db.read([](store::Tx& tx) {
    return tx.query("SELECT DISTINCT company_id FROM agents WHERE external_agent_id IS NOT NULL");
  });
  for (const auto& row : companies.rows) keys.insert(voice_api_key(app, row.i64("company_id")));

  ReconcileReport report;
  for (const auto& key : keys) {
    std::optional<std::string> cursor;
    do {
      const auto page = app.voice->list_conversations(key, cursor, since_unix);
      for (const auto& item : page.conversations) {
        ++report.listed;
        const auto* id = item.if_contains("conversation_id");
        const auto* status = item.if_contains("status");
        if (!id || !id->is_string()) {
          ++report.ignored;
          continue;
        }
        // Running or still being analysed: the webhook will bring the finished conversation.
        if (!status || !status->is_string() || (status->get_string() != "done" && status->get_string() != "failed")) {
          ++report.unfinished;
          continue;
        }
        const std::string conversation_id(id->get_string());
        const bool known = app.db.read([&](store::Tx& tx) {
          return tx.one("SELECT id FROM conversations WHERE source = ? AND external_conversation_id = ?",
                        {std::string(kSource), conversation_id})
              .has_value();
        });
        if (known) {
          ++report.already_stored;
          continue;
        }
        json::object conversation;
        try {
          conversation = app.voice->get_conversation(key, conversation_id);
        } catch (const providers::ProviderError& e) {
          if (e.status != 404) throw;
          ++report.ignored;  // deleted at the provider since it was listed
          continue;
        }
        try {
          const auto result = ingest(app, "post_call_transcription", &conversation, std::nullopt, {"conversation"});
          if (result.outcome == IngestResult::Outcome::stored) ++report.stored;
          if (result.outcome == IngestResult::Outcome::duplicate) ++report.already_stored;
          if (result.outcome == IngestResult::Outcome::ignored) ++report.ignored;
        } catch (const ApiError& e) {
          // One malformed conversation must not stop the others from being recovered.
          util::log_warn("reconcile: provider conversation not stored",
                         {{"conversation_id", conversation_id}, {"error", e.detail}});
          ++report.ignored;
        }
      }
      cursor = page.has_more ? page.next_cursor : std::nullopt;
    } while (cursor);
  }
  return report;
}

json::object simulated_post_call(const SimulatedCall& call) {
  const auto duration = std::max<std::int64_t>(call.duration_seconds, 1);
  // Lines of a short sales call; the transfer, when there is one, replaces the goodbye.
  const std::vector<std::pair<const char*, const char*>> lines = {
      {"agent", "Hi there! Thanks for calling. How can I help you today?"},
      {"user", "Hi, I was wondering about your pricing for the Pro plan."},
      {"agent", "Great question! The Pro plan starts at R499 per month and includes unlimited users."},
      {"user", "Does that include support over the phone?"},
      {"agent", "It does, on weekdays from eight to six. Shall I send the details by email?"},
      {"user", "Yes please."},
  };
  const std::int64_t talk_until = call.transfer_to ? duration * 6 / 10 : duration;
  json::array transcript;
  auto turn = [&](const char* role, const char* message, std::int64_t at) {
    json::object t{{"role", role}, {"message", message}, {"time_in_call_secs", at}, {"tool_calls", json::array{}},
                   {"tool_results", json::array{}}, {"feedback", nullptr}, {"interrupted", false}};
    if (std::string_view(role) == "agent")
      t["llm_usage"] = {{"model_usage",
                         {{"gemini-2.0-flash",
                           {{"input", {{"tokens", 600 + 40 * static_cast<std::int64_t>(transcript.size())}, {"price", 0.00006}}},
                            {"output_total", {{"tokens", 45}, {"price", 0.000018}}}}}}}};
    transcript.push_back(std::move(t));
  };
  for (std::size_t i = 0; i < lines.size(); ++i)
    turn(lines[i].first, lines[i].second, talk_until * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(lines.size() + 1));
  if (call.transfer_to) {
    turn("agent", "Let me put you through to a colleague now.", talk_until);
    auto& last = transcript.back().as_object();
    const std::string request_id = "transfer_" + crypto::to_hex(crypto::random_bytes(4));
    last["tool_calls"] = json::array{json::object{
        {"request_id", request_id}, {"tool_name", "transfer_to_number"}, {"type", "system"},
        {"params_as_json", util::to_json(json::object{{"transfer_number", *call.transfer_to}})}, {"tool_has_been_called", true}}};
    last["tool_results"] = json::array{json::object{
        {"request_id", request_id}, {"tool_name", "transfer_to_number"}, {"type", "system"}, {"is_error", false},
        {"tool_has_been_called", true}, {"result_value", R"({"status":"success"})"},
        {"result", {{"result_type", "transfer_to_number_sip_success"}, {"status", "success"},
                    {"transfer_number", *call.transfer_to}, {"reason", "The caller asked for a person"},
                    {"note", nullptr}}}}};
  } else {
    turn("agent", "Done! Thanks for calling, goodbye.", std::max<std::int64_t>(duration - 2, 0));
  }

  // A South African mobile number; uniformity does not matter for a demo caller.
  std::string caller = "+2782";
  for (const unsigned char b : crypto::random_bytes(7)) caller += static_cast<char>('0' + b % 10);
  json::object phone_call{{"type", "sip_trunking"},
                          {"direction", "inbound"},
                          {"phone_number_id", "sim_phone"},
                          {"agent_number", call.agent_number},
                          {"external_number", std::move(caller)},
                          {"call_sid", "sim_call_" + crypto::to_hex(crypto::random_bytes(6))}};
  json::object metadata{{"start_time_unix_secs", call.started_unix},
                        {"accepted_time_unix_secs", call.started_unix},
                        {"call_duration_secs", duration},
                        {"cost", duration * 10},
                        {"termination_reason", call.transfer_to ? "Call transferred" : "end_call tool was called."},
                        {"main_language", "en"},
                        {"conversation_initiation_source", "sip_trunk"},
                        {"charging", {{"tier", "pro"}, {"llm_price", 0.0009}, {"llm_charge", 4}, {"call_charge", duration * 10}}},
                        {"phone_call", std::move(phone_call)}};
  json::object analysis{
      {"call_successful", call.successful ? "success" : "failure"},
      {"transcript_summary", call.transfer_to ? "The caller asked about the Pro plan and was transferred to a colleague."
                                              : "The caller asked about Pro plan pricing; the agent offered to email details."},
      {"call_summary_title", "Pro plan pricing"},
      {"evaluation_criteria_results", json::object{}},
      {"data_collection_results", json::object{}}};
  json::object data{{"agent_id", call.external_agent_id},
                    {"conversation_id", "conv_" + crypto::to_hex(crypto::random_bytes(12))},
                    {"status", "done"},
                    {"user_id", nullptr},
                    {"transcript", std::move(transcript)},
                    {"metadata", std::move(metadata)},
                    {"analysis", std::move(analysis)},
                    {"conversation_initiation_client_data", json::object{}},
                    {"has_audio", true},
                    {"has_user_audio", true},
                    {"has_response_audio", true}};
  return {{"type", "post_call_transcription"},
          {"event_timestamp", call.started_unix + duration + 5},
          {"data", std::move(data)}};
}

std::optional<SimulatedCall> simulated_call_of(store::Tx& tx, std::int64_t agent_id) {
  const auto row = tx.one(
      "SELECT a.external_agent_id, p.number FROM agents a LEFT JOIN phone_numbers p ON p.id = a.phone_number_id "
      "WHERE a.id = ? AND a.status = 'active' AND a.external_agent_id IS NOT NULL",
      {agent_id});
  if (!row) return std::nullopt;
  SimulatedCall call;
  call.external_agent_id = row->str("external_agent_id");
  call.agent_number = row->str("number");
  return call;
}

}  // namespace cxco::services
