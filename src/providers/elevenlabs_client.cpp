// The live VoiceProvider: the ElevenLabs Agents Platform over HTTP (providers.md section 1).
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <thread>

#include "http/client.h"
#include "providers/voice_provider.h"
#include "util/json.h"
#include "util/log.h"
#include "util/metrics.h"

namespace cxco::providers {

namespace {

namespace json = boost::json;

// A provider asking for a long pause (or a long exponential run) must not park a worker for
// minutes; past this the caller is better served by an error it can report.
constexpr std::chrono::milliseconds kMaxRetryDelay{30000};
// The largest page the conversations endpoint allows: fewer round trips while reconciling.
constexpr int kConversationPageSize = 100;
// A recording is streamed through, never held; the cap only stops a peer that never ends. Two
// hours of the provider's MP3 (the longest call an agent may have) are about 120 MiB.
constexpr std::size_t kMaxRecordingBytes = 200 * 1024 * 1024;
// Of an error answer to a streamed call, what is read for the provider's words.
constexpr std::size_t kErrorBodyBytes = 16 * 1024;

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The provider's own words from {"detail":{"status","message"}} or FastAPI's
// {"detail":[{"loc":[...],"msg":...}]}; empty when the body has neither.
std::string provider_message(const std::string& body) {
  json::error_code ec;
  const auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const auto* detail = parsed.get_object().if_contains("detail");
  if (!detail) return {};
  if (detail->is_string()) return std::string(detail->get_string());
  if (detail->is_object()) {
    const auto code = string_field(detail->get_object(), "status");
    const auto message = string_field(detail->get_object(), "message");
    return code.empty() ? message : message.empty() ? code : code + ": " + message;
  }
  if (!detail->is_array()) return {};
  std::string out;
  for (const auto& item : detail->get_array()) {
    if (!item.is_object()) continue;
    std::string where;
    if (const auto* loc = item.get_object().if_contains("loc"); loc && loc->is_array()) {
      for (const auto& part : loc->get_array()) {
        if (!where.empty()) where += '.';
        where += part.is_string() ? std::string(part.get_string()) : util::to_json(part);
      }
    }
    const auto msg = string_field(item.get_object(), "msg");
    if (!out.empty()) out += "; ";
    out += where.empty() ? msg : where + ": " + msg;
  }
  return out;
}

// Retry-After in delta-seconds; the HTTP-date form is rare enough to fall back to backoff.
std::optional<std::chrono::milliseconds> retry_after(const http::ClientResponse& r) {
  const auto header = r.header("retry-after");
  if (!header) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
  if (ec != std::errc() || end != header->data() + header->size() || seconds < 0) return std::nullopt;
  // Clamped before scaling so an absurd value cannot overflow.
  return std::chrono::seconds(std::min<long long>(seconds, kMaxRetryDelay.count() / 1000));
}

bool retryable(const http::ClientResponse& r) { return r.status == 0 || r.status == 429 || r.status >= 500; }

std::optional<std::uint64_t> content_length(const http::ClientResponse& r) {
  const auto header = r.header("content-length");
  std::uint64_t length = 0;
  if (!header) return std::nullopt;
  const auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), length);
  if (ec != std::errc() || end != header->data() + header->size()) return std::nullopt;
  return length;
}

std::optional<std::string> header_of(const http::ClientResponse& r, std::string_view name) {
  const auto value = r.header(name);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

// The start of a streamed error answer, for the provider's words (the rest is left unread).
std::string error_body(http::Download& download) {
  std::string body;
  try {
    for (auto piece = download.read(); !piece.empty() && body.size() < kErrorBodyBytes; piece = download.read())
      body += piece;
  } catch (const std::runtime_error&) {
    // The status says enough.
  }
  return body;
}

// The provider's default TTS model (eleven_turbo_v2) speaks English only. Agents use the
// Flash models, built for real-time conversation: English-only v2 for English, multilingual
// v2.5 (32 languages) for every other language (docs/providers.md).
std::string_view tts_model(std::string_view language) {
  return language == "en" ? "eleven_flash_v2" : "eleven_flash_v2_5";
}

// platform_settings: the agent's analysis as evaluation criteria (the provider asks the LLM a
// yes/no goal question per criterion) and data collection (a typed value per field). The
// provider's field schema has no enum, so an enum's values are spelled out in the description.
json::object platform_settings(const domain::AnalysisSettings& analysis) {
  json::array criteria;
  for (const auto& c : analysis.criteria)
    criteria.push_back({{"id", c.id}, {"name", c.name}, {"type", "prompt"}, {"conversation_goal_prompt", c.prompt}});
  json::object data_collection;
  for (const auto& f : analysis.data_fields) {
    std::string description = f.description;
    if (!f.enum_values.empty()) {
      description += " Answer with exactly one of:";
      for (std::size_t i = 0; i < f.enum_values.size(); ++i) description += (i ? ", " : " ") + f.enum_values[i];
      description += ".";
    }
    data_collection[f.id] = {{"type", domain::to_string(f.type)}, {"description", description}};
  }
  return {{"evaluation", {{"criteria", std::move(criteria)}}},
          {"data_collection", std::move(data_collection)},
          // An outbound call may open with its own first message (POST /api/calls `first_message`):
          // the provider takes that override only from agents that allow it.
          {"overrides", {{"conversation_config_override", {{"agent", {{"first_message", true}}}}}}}};
}

json::object agent_body(const AgentSpec& spec) {
  return {
      {"platform_settings", platform_settings(spec.analysis)},
      {"name", spec.name},
      {"conversation_config",
       {{"agent",
         {{"first_message", spec.first_message},
          {"language", spec.language},
          {"prompt", {{"prompt", spec.prompt}, {"temperature", spec.temperature}}}}},
        {"tts", {{"voice_id", spec.voice_id}, {"model_id", tts_model(spec.language)}}},
        {"conversation", {{"max_duration_seconds", spec.max_duration_seconds}}}}},
  };
}

json::object number_body(const NumberSpec& spec) {
  if (spec.twilio)
    return {{"phone_number", spec.phone_number},
            {"label", spec.label},
            {"provider", "twilio"},
            {"sid", spec.twilio->account_sid},
            {"token", spec.twilio->auth_token},
            {"supports_inbound", true},
            {"supports_outbound", true}};
  json::object body{{"phone_number", spec.phone_number},
                    {"label", spec.label},
                    {"provider", "sip_trunk"},
                    {"supports_inbound", true},
                    {"supports_outbound", spec.trunk.has_value()},
                    // Inbound INVITEs are accepted from anywhere, as the provider does by default:
                    // a NumberSpec names no carrier addresses to restrict them to.
                    {"inbound_trunk_config", {{"media_encryption", "allowed"}}},
                    {"outbound_trunk_config", nullptr}};
  if (spec.trunk) {
    json::object outbound{{"address", spec.trunk->address}, {"transport", spec.trunk->transport}};
    // No username means the carrier authorises us by source address (ACL).
    if (spec.trunk->username.empty())
      outbound["credentials"] = nullptr;
    else
      outbound["credentials"] = {{"username", spec.trunk->username}, {"password", spec.trunk->password}};
    body["outbound_trunk_config"] = std::move(outbound);
  }
  return body;
}

ProviderVoice to_voice(const json::object& v) {
  ProviderVoice out;
  out.voice_id = string_field(v, "voice_id");
  out.name = string_field(v, "name");
  out.category = string_field(v, "category");
  if (const auto* labels = v.if_contains("labels"); labels && labels->is_object()) out.labels = labels->get_object();
  out.gender = string_field(out.labels, "gender");
  out.accent = string_field(out.labels, "accent");
  out.language = string_field(out.labels, "language");
  // Older voices carry their description only as a label.
  out.description = string_field(v, "description");
  if (out.description.empty()) out.description = string_field(out.labels, "description");
  if (const auto* p = v.if_contains("preview_url"); p && p->is_string()) out.preview_url = std::string(p->get_string());
  return out;
}

class ElevenLabsClient final : public VoiceProvider {
 public:
  ElevenLabsClient(const std::string& base_url, RetryPolicy retry) : retry_(retry) {
    auto parsed = http::parse_base_url(base_url);
    if (!parsed) throw std::invalid_argument("ElevenLabs base URL must be an absolute http(s) URL: " + base_url);
    base_ = std::move(*parsed);
    if (retry_.attempts < 1) retry_.attempts = 1;
  }

  std::string create_agent(const std::string& api_key, const AgentSpec& spec) override {
    const auto body =
        call("create_agent", api_key, "POST", url({"v1", "convai", "agents", "create"}), agent_body(spec));
    return required_id("create_agent", body, "agent_id");
  }

  void update_agent(const std::string& api_key, const std::string& agent_id, const AgentSpec& spec) override {
    call("update_agent", api_key, "PATCH", url({"v1", "convai", "agents", agent_id}), agent_body(spec));
  }

  void delete_agent(const std::string& api_key, const std::string& agent_id) override {
    call("delete_agent", api_key, "DELETE", url({"v1", "convai", "agents", agent_id}));
  }

  std::string import_number(const std::string& api_key, const NumberSpec& spec) override {
    const auto body = call("import_number", api_key, "POST", url({"v1", "convai", "phone-numbers"}), number_body(spec));
    return required_id("import_number", body, "phone_number_id");
  }

  void assign_agent(const std::string& api_key, const std::string& phone_number_id,
                    const std::optional<std::string>& agent_id) override {
    json::object body{{"agent_id", nullptr}};
    if (agent_id) body["agent_id"] = *agent_id;
    call("assign_agent", api_key, "PATCH", url({"v1", "convai", "phone-numbers", phone_number_id}), body);
  }

  void delete_number(const std::string& api_key, const std::string& phone_number_id) override {
    call("delete_number", api_key, "DELETE", url({"v1", "convai", "phone-numbers", phone_number_id}));
  }

  std::vector<ProviderVoice> list_voices(const std::string& api_key) override {
    const auto body = object_of("list_voices", call("list_voices", api_key, "GET", url({"v1", "voices"})));
    std::vector<ProviderVoice> out;
    if (const auto* voices = body.if_contains("voices"); voices && voices->is_array())
      for (const auto& v : voices->get_array())
        if (v.is_object()) out.push_back(to_voice(v.get_object()));
    return out;
  }

  ConversationPage list_conversations(const std::string& api_key, const std::optional<std::string>& cursor,
                                      std::optional<std::int64_t> call_start_after_unix) override {
    auto u = url({"v1", "convai", "conversations"});
    auto params = u.params();
    params.append({"page_size", std::to_string(kConversationPageSize)});
    if (cursor) params.append({"cursor", *cursor});
    if (call_start_after_unix) params.append({"call_start_after_unix", std::to_string(*call_start_after_unix)});
    const auto body = object_of("list_conversations", call("list_conversations", api_key, "GET", u));
    ConversationPage page;
    if (const auto* items = body.if_contains("conversations"); items && items->is_array())
      for (const auto& c : items->get_array())
        if (c.is_object()) page.conversations.push_back(c.get_object());
    if (const auto* more = body.if_contains("has_more"); more && more->is_bool()) page.has_more = more->get_bool();
    if (const auto next = string_field(body, "next_cursor"); !next.empty()) page.next_cursor = next;
    return page;
  }

  json::object get_conversation(const std::string& api_key, const std::string& conversation_id) override {
    return object_of("get_conversation",
                     call("get_conversation", api_key, "GET", url({"v1", "convai", "conversations", conversation_id})));
  }

  Recording conversation_audio(const std::string& api_key, const std::string& conversation_id,
                               const std::optional<std::string>& range) override {
    const std::string operation = "get_conversation_audio";
    http::ClientRequest request{
        .url = std::string(url({"v1", "convai", "conversations", conversation_id, "audio"}).buffer()),
        .headers = {{"xi-api-key", api_key}, {"Accept", "audio/mpeg"}},
        .timeout = retry_.timeout,
        .max_response_bytes = kMaxRecordingBytes};
    if (range) request.headers.emplace_back("Range", *range);
    auto answer = send(operation, api_key, true, [&] {
      auto download = std::make_unique<http::Download>(request);
      Answer a{download->head(), nullptr};
      if (a.response.ok())
        a.download = std::move(download);
      else
        a.response.body = error_body(*download);
      return a;
    });
    const auto& head = answer.response;
    Recording recording{head.status,
                        std::string(head.header("content-type").value_or("audio/mpeg")),
                        content_length(head),
                        header_of(head, "content-range"),
                        header_of(head, "accept-ranges"),
                        {}};
    recording.body = [download = std::shared_ptr<http::Download>(std::move(answer.download)),
                      operation](http::BodySink& sink) {
      try {
        for (auto piece = download->read(); !piece.empty(); piece = download->read())
          if (!sink.write(piece)) return;  // the client has gone: destroying the download ends the transfer
      } catch (const std::runtime_error& e) {
        throw ProviderError(operation, 0, std::string("transfer failed midway: ") + e.what());
      }
    };
    return recording;
  }

  std::string place_call(const std::string& api_key, const OutboundCall& c) override {
    json::object client_data{{"user_id", c.dial_token},
                             {"dynamic_variables", json::parse(c.dynamic_variables_json).as_object()}};
    if (c.first_message)
      client_data["conversation_config_override"] = {{"agent", {{"first_message", *c.first_message}}}};
    const json::object body{{"agent_id", c.agent_id},
                            {"agent_phone_number_id", c.agent_phone_number_id},
                            {"to_number", c.to_number},
                            {"conversation_initiation_client_data", std::move(client_data)}};
    // Not repeated after a lost answer: the call may have been placed (the caller looks it up).
    const auto answer = object_of(
        "place_call",
        call("place_call", api_key, "POST",
             url({"v1", "convai", c.telephony == "twilio" ? "twilio" : "sip-trunk", "outbound-call"}), body, false));
    const auto* placed = answer.if_contains("success");
    auto conversation_id = string_field(answer, "conversation_id");
    if ((placed && placed->is_bool() && !placed->get_bool()) || conversation_id.empty())
      throw ProviderError("place_call", 200, "the provider did not place the call: " + string_field(answer, "message"));
    return conversation_id;
  }

  std::optional<std::string> find_conversation(const std::string& api_key, const std::string& agent_id,
                                               const std::string& user_id) override {
    auto u = url({"v1", "convai", "conversations"});
    u.params().append({"agent_id", agent_id});
    u.params().append({"user_id", user_id});
    u.params().append({"page_size", "1"});
    const auto body = object_of("find_conversation", call("find_conversation", api_key, "GET", u));
    if (const auto* items = body.if_contains("conversations"); items && items->is_array())
      for (const auto& c : items->get_array())
        if (c.is_object())
          if (auto id = string_field(c.get_object(), "conversation_id"); !id.empty()) return id;
    return std::nullopt;
  }

 private:
  boost::urls::url url(std::initializer_list<std::string_view> segments) const {
    return http::with_segments(base_, segments);
  }

  struct Outcome {
    int status;
    json::value body;  // null for an empty body
  };

  // One logical call, sent as `send` says.
  Outcome call(const std::string& operation, const std::string& api_key, std::string method,
               const boost::urls::url& target, const std::optional<json::object>& body = std::nullopt,
               bool may_repeat = true) const {
    http::ClientRequest request;
    request.method = std::move(method);
    request.url = std::string(target.buffer());
    request.timeout = retry_.timeout;
    request.headers = {{"xi-api-key", api_key}, {"Accept", "application/json"}};
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = util::to_json(*body);
    }
    const auto answer = send(operation, api_key, may_repeat, [&] { return Answer{http::perform(request), nullptr}; });
    return {answer.response.status, parse_success(operation, answer.response)};
  }

  // An answer: the response, and for a streamed call that succeeded the download to read its body from.
  struct Answer {
    http::ClientResponse response;
    std::unique_ptr<http::Download> download;
  };

  // Sends with `attempt` until it succeeds: retries 429, 5xx and transport errors, throws
  // ProviderError on failure. A request that must not happen twice (may_repeat false) is
  // retried only after a 429, which did nothing.
  template <class Attempt>
  Answer send(const std::string& operation, const std::string& api_key, bool may_repeat, Attempt attempt_once) const {
    auto backoff = retry_.first_backoff;
    for (int attempt = 1;; ++attempt) {
      auto answer = attempt_once();
      const auto& response = answer.response;
      metrics::observe("cxco_provider_request_duration_seconds", {{"provider", "elevenlabs"}, {"operation", operation}},
                       response.elapsed_ms / 1000);
      if (response.ok()) return answer;
      if (!retryable(response) || (!may_repeat && response.status != 429) || attempt >= retry_.attempts) {
        metrics::increment("cxco_provider_errors_total", {{"provider", "elevenlabs"}, {"operation", operation}});
        throw failure(operation, response, api_key);
      }
      const auto delay = std::min(retry_after(response).value_or(backoff), kMaxRetryDelay);
      util::log_warn("provider call retried", {{"provider", "elevenlabs"},
                                               {"operation", operation},
                                               {"status", std::to_string(response.status)},
                                               {"error", response.error},
                                               {"attempt", std::to_string(attempt)},
                                               {"delay_ms", std::to_string(delay.count())}});
      std::this_thread::sleep_for(delay);
      backoff = std::min(backoff * 2, kMaxRetryDelay);
    }
  }

  static json::value parse_success(const std::string& operation, const http::ClientResponse& response) {
    if (response.body.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
    json::error_code ec;
    auto parsed = json::parse(response.body, ec);
    if (ec) throw ProviderError(operation, response.status, "response is not JSON: " + ec.message());
    return parsed;
  }

  static ProviderError failure(const std::string& operation, const http::ClientResponse& response,
                               const std::string& api_key) {
    if (response.status == 0) return ProviderError(operation, 0, "transport error: " + response.error);
    const auto detail = provider_message(response.body);
    std::string message = "HTTP " + std::to_string(response.status);
    if (!detail.empty()) message += " " + detail;
    return ProviderError(operation, response.status, redact(message, api_key));
  }

  static json::object object_of(const std::string& operation, const Outcome& outcome) {
    if (!outcome.body.is_object()) throw ProviderError(operation, outcome.status, "response is not a JSON object");
    return outcome.body.get_object();
  }

  static std::string required_id(const std::string& operation, const Outcome& outcome, std::string_view field) {
    auto id = string_field(object_of(operation, outcome), field);
    if (id.empty()) throw ProviderError(operation, outcome.status, "response has no " + std::string(field));
    return id;
  }

  boost::urls::url base_;
  RetryPolicy retry_;
};

}  // namespace

std::unique_ptr<VoiceProvider> make_elevenlabs_client(const std::string& base_url, RetryPolicy retry) {
  return std::make_unique<ElevenLabsClient>(base_url, retry);
}

}  // namespace cxco::providers
