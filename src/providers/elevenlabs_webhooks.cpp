#include "providers/elevenlabs_webhooks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/json.h"
#include "wire/field_reader.h"

namespace cxco::providers {

namespace json = boost::json;
using wire::FieldReader;
using wire::kRequired;

namespace {

// Bounds of what a real call can report: unix times between 2000 and 2100, a call (and any
// moment in it) at most a day long. A signed payload beyond them is refused rather than
// metered: it would put a call in year -292277022601 and usage in the negative.
constexpr std::int64_t kEarliestUnix = 946684800;  // 2000-01-01
constexpr std::int64_t kLatestUnix = 4102444800;   // 2100-01-01
constexpr std::int64_t kLongestCallSeconds = 86400;

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
        (type->get_string() == "transfer_to_number_sip_success" ||
         type->get_string() == "transfer_to_number_twilio_success"))
      return std::string(number->get_string());
  }
  return std::nullopt;
}

// Whether the provider's voicemail detection ended the call (a voicemail_detection_success result).
bool voicemail_detected(const json::array* tool_results) {
  if (!tool_results) return false;
  return std::any_of(tool_results->begin(), tool_results->end(), [](const json::value& item) {
    const auto* result = item.is_object() ? item.get_object().if_contains("result") : nullptr;
    const auto* type = result && result->is_object() ? result->get_object().if_contains("result_type") : nullptr;
    return type && type->is_string() && type->get_string() == "voicemail_detection_success";
  });
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

// analysis.evaluation_criteria_results and analysis.data_collection_results (platform.md
// section 8), keyed by criterion and field id. A result the provider adds later reads as
// unknown; a value that is not a scalar reads as null. Neither present, or both empty: none.
std::optional<domain::Analysis> results_of(FieldReader& analysis) {
  domain::Analysis out;
  auto criteria = analysis.object("evaluation_criteria_results");
  if (const auto* all = criteria.object()) {
    for (const auto& [id, item] : *all) {
      auto result = criteria.object(id);
      if (!result.object()) continue;
      const auto outcome = result.string("result", kRequired);
      out.criteria[std::string(id)] = {
          domain::parse_criterion_result(outcome.value_or("")).value_or(domain::CriterionResult::unknown),
          result.string("rationale", wire::kOptional, 100000).value_or("")};
    }
  }
  auto data = analysis.object("data_collection_results");
  if (const auto* all = data.object()) {
    for (const auto& [id, item] : *all) {
      auto result = data.object(id);
      if (!result.object()) continue;
      domain::DataOutcome d;
      if (const auto* v = result.value("value")) {
        if (v->is_string())
          d.value = std::string(v->get_string());
        else if (v->is_bool())
          d.value = v->get_bool();
        else if (v->is_int64())
          d.value = v->get_int64();
        else if (v->is_uint64() || v->is_double())
          d.value = v->to_number<double>();
      }
      d.rationale = result.string("rationale", wire::kOptional, 100000).value_or("");
      out.data[std::string(id)] = std::move(d);
    }
  }
  if (out.criteria.empty() && out.data.empty()) return std::nullopt;
  return out;
}

// post_call_transcription `data` = the provider's GET conversation object (platform.md section 4).
domain::CallRecord map_transcription(FieldReader& data, std::optional<std::int64_t> event_unix, std::int64_t now_unix) {
  domain::CallRecord m;
  m.external_id = data.string("conversation_id", kRequired).value_or("");
  m.external_agent_id = data.string("agent_id", kRequired).value_or("");
  const auto provider_status = data.string("status");
  m.status = status_of(provider_status);
  m.connected = provider_status == "in-progress" || provider_status == "processing" || provider_status == "done";
  m.dial_token = data.object("conversation_initiation_client_data").string("user_id");

  auto meta = data.object("metadata");
  m.started_unix = meta.integer("start_time_unix_secs", wire::kOptional, kEarliestUnix, kLatestUnix)
                       .value_or(event_unix.value_or(now_unix));
  m.duration_seconds = meta.integer("call_duration_secs", wire::kOptional, 0, kLongestCallSeconds).value_or(0);
  if (m.status == "failed") m.failure_reason = meta.string("termination_reason");
  auto phone = meta.object("phone_call");
  m.caller_number = phone.string("external_number");
  // Calls without a phone leg (web widget) are the caller reaching the agent: inbound.
  if (phone.string("direction") == "outbound") m.direction = "outbound";

  auto analysis = data.object("analysis");
  const auto outcome = analysis.string("call_successful");
  if (outcome == "success") m.successful = true;
  if (outcome == "failure") m.successful = false;
  m.summary = analysis.string("transcript_summary");
  m.analysis = results_of(analysis);

  std::optional<std::int64_t> tokens;
  if (const auto* turns = data.array("transcript")) {
    for (std::size_t i = 0; i < turns->size(); ++i) {
      auto turn = data.element("transcript", i, (*turns)[i]);
      if (!turn.object()) continue;
      const auto role = turn.string("role", kRequired);
      const auto message = turn.string("message");
      const auto at = turn.number("time_in_call_secs", kRequired, 0, kLongestCallSeconds).value_or(0.0);
      m.transcript.push_back({role.value_or(""), message, at});
      // The first transfer ends the agent's part; the call time after it is SIP refer time.
      m.voicemail = m.voicemail || voicemail_detected(turn.array("tool_results"));
      const auto destination = transfer_destination(turn.array("tool_results"));
      if (destination && !m.sip_refer_destination) {
        m.sip_refer_destination = destination;
        m.sip_refer_seconds = std::clamp<std::int64_t>(m.duration_seconds - std::llround(at), 0, m.duration_seconds);
      }
      if (const auto* usage = turn.value("llm_usage")) tokens = tokens.value_or(0) + llm_tokens(*usage);
    }
  }

  // metadata_: what the provider reports beyond our columns (cost, LLM figures, why it ended).
  json::object metadata;
  if (provider_status) metadata["provider_status"] = *provider_status;
  keep(metadata, meta.object(),
       {"cost", "termination_reason", "main_language", "error", "charging", "conversation_initiation_source",
        "accepted_time_unix_secs"});
  if (phone.object()) metadata["phone_call"] = *phone.object();
  keep(metadata, analysis.object(), {"call_summary_title"});
  if (tokens) metadata["llm_tokens"] = *tokens;
  m.metadata_json = util::to_json(metadata);
  return m;
}

// call_initiation_failure: an outbound call that never connected (busy, no answer).
domain::CallRecord map_initiation_failure(FieldReader& data, std::optional<std::int64_t> event_unix,
                                          std::int64_t now_unix) {
  domain::CallRecord m;
  m.external_id = data.string("conversation_id", kRequired).value_or("");
  m.external_agent_id = data.string("agent_id", kRequired).value_or("");
  m.status = "failed";
  m.direction = "outbound";
  m.started_unix = event_unix.value_or(now_unix);
  json::object metadata;
  m.failure_reason = data.string("failure_reason");
  if (m.failure_reason) metadata["failure_reason"] = *m.failure_reason;
  if (const auto details = data.object("metadata"); details.object()) metadata["failure_details"] = *details.object();
  m.metadata_json = util::to_json(metadata);
  return m;
}

}  // namespace

PostCall parse_post_call(const json::object& payload, std::int64_t now_unix) {
  std::vector<FieldError> errors;
  FieldReader body(&payload, {"body"}, errors);
  PostCall out;
  const auto type = body.string("type", kRequired);
  const auto event_unix = body.integer("event_timestamp", wire::kOptional, kEarliestUnix, kLatestUnix);
  body.check();
  out.type = *type;
  // post_call_audio and types added later are acknowledged, so the provider does not retry them.
  if (out.type != "post_call_transcription" && out.type != "call_initiation_failure") return out;
  auto data = body.object("data", kRequired);
  body.check();
  out.call = out.type == "post_call_transcription" ? map_transcription(data, event_unix, now_unix)
                                                   : map_initiation_failure(data, event_unix, now_unix);
  body.check();
  return out;
}

domain::CallRecord parse_conversation(const json::object& conversation, std::int64_t now_unix) {
  std::vector<FieldError> errors;
  FieldReader data(&conversation, {"conversation"}, errors);
  auto call = map_transcription(data, std::nullopt, now_unix);
  data.check();
  return call;
}

std::optional<ListedConversation> parse_listed_conversation(const json::object& item) {
  std::vector<FieldError> errors;
  FieldReader reader(&item, {}, errors);
  const auto id = reader.string("conversation_id");
  if (!id) return std::nullopt;
  const auto status = reader.string("status");
  return ListedConversation{*id, status == "done" || status == "failed"};
}

}  // namespace cxco::providers
