#include "fakes/elevenlabs_fake.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

#include "contract/contract_log.h"
#include "util/json.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

// Premade voices as GET /v1/voices returns them (trimmed). Antoni is a legacy voice: no
// top-level description and no language label, as older voices really come.
constexpr const char* kVoices = R"({"voices":[
 {"voice_id":"21m00Tcm4TlvDq8ikWAM","name":"Rachel","category":"premade",
  "labels":{"accent":"american","descriptive":"calm","age":"young","gender":"female","language":"en",
            "use_case":"conversational"},
  "description":"Matter-of-fact, personable woman. Great for conversational use cases.",
  "preview_url":"https://storage.googleapis.com/eleven-public-prod/premade/voices/21m00Tcm4TlvDq8ikWAM/b4928a68-c03b-411f-8533-3d5c299fd451.mp3",
  "available_for_tiers":[],"high_quality_base_model_ids":["eleven_turbo_v2","eleven_multilingual_v2"],
  "settings":null,"sharing":null,"is_owner":false},
 {"voice_id":"EXAVITQu4vr4xnSDxMaL","name":"Sarah","category":"premade",
  "labels":{"accent":"american","descriptive":"professional","age":"young","gender":"female","language":"en",
            "use_case":"entertainment_tv"},
  "description":"Young adult woman with a confident and warm, mature quality and a reassuring, professional tone.",
  "preview_url":"https://storage.googleapis.com/eleven-public-prod/premade/voices/EXAVITQu4vr4xnSDxMaL/01a3e33c-6e99-4ee7-8543-ff2216a32186.mp3",
  "available_for_tiers":[],"high_quality_base_model_ids":["eleven_turbo_v2","eleven_multilingual_v2"],
  "settings":null,"sharing":null,"is_owner":false},
 {"voice_id":"ErXwobaYiN019PkySvjV","name":"Antoni","category":"premade",
  "labels":{"accent":"american","description":"well-rounded","age":"young","gender":"male","use_case":"narration"},
  "description":null,"preview_url":null,
  "available_for_tiers":[],"high_quality_base_model_ids":[],"settings":null,"sharing":null,"is_owner":false}
]})";

http::Response reply(int status, json::value body) { return {status, util::to_json(body), "application/json", {}}; }

// The provider's error shape: {"detail":{"status":"<code>","message":"..."}}.
http::Response error(int status, std::string_view code, std::string_view message) {
  return reply(status, {{"detail", {{"status", code}, {"message", message}}}});
}

// FastAPI's validation shape: {"detail":[{"loc":[...],"msg":...,"type":...}]}.
http::Response invalid(std::string_view field, std::string_view message) {
  return reply(422, {{"detail", json::array{{{"loc", {"body", field}}, {"msg", message}, {"type", "value_error"}}}}});
}

std::optional<json::object> parse_object(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

const json::value* find(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::object* at = &o;
  const json::value* v = nullptr;
  for (const auto key : path) {
    if (!at || !(v = at->if_contains(key))) return nullptr;
    at = v->if_object();
  }
  return v;
}

json::value value_or(const json::object& o, std::initializer_list<std::string_view> path, json::value fallback) {
  const auto* v = find(o, path);
  return v ? *v : fallback;
}

std::int64_t start_time(const json::object& conversation) {
  const auto* v = find(conversation, {"metadata", "start_time_unix_secs"});
  return v && v->is_int64() ? v->get_int64() : 0;
}

// The list item the provider derives from a full conversation.
json::object summary(const json::object& c) {
  const auto* transcript = find(c, {"transcript"});
  return {{"agent_id", value_or(c, {"agent_id"}, nullptr)},
          {"agent_name", value_or(c, {"agent_name"}, nullptr)},
          {"conversation_id", value_or(c, {"conversation_id"}, nullptr)},
          {"start_time_unix_secs", start_time(c)},
          {"call_duration_secs", value_or(c, {"metadata", "call_duration_secs"}, 0)},
          {"message_count", transcript && transcript->is_array() ? transcript->get_array().size() : 0},
          {"status", value_or(c, {"status"}, "done")},
          {"call_successful", value_or(c, {"analysis", "call_successful"}, "unknown")},
          {"transcript_summary", value_or(c, {"analysis", "transcript_summary"}, "")},
          {"direction", value_or(c, {"metadata", "phone_call", "direction"}, nullptr)}};
}

std::string_view code_for(int status) {
  if (status == 401) return "invalid_api_key";
  if (status == 404) return "not_found";
  if (status == 429) return "too_many_concurrent_requests";
  if (status >= 500) return "internal_server_error";
  return "bad_request";
}

bool is_string_or_null(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return !v || v->is_null() || v->is_string();
}

bool is_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string();
}

// A trunk config's credentials: null, or a username and password.
bool valid_credentials(const json::object& trunk) {
  const auto* c = trunk.if_contains("credentials");
  if (!c || c->is_null()) return true;
  return c->is_object() && is_string(c->get_object(), "username") && is_string(c->get_object(), "password");
}

// What the provider would reject in a create or update body (top-level keys only), and a
// non-English agent on an English-only TTS model (the provider's default, eleven_turbo_v2, when
// model_id is absent): callers would hear their language read by an English voice model, so
// the fake refuses it and a client that leaves the model out fails the tests.
std::optional<http::Response> agent_body_problem(const json::object& body) {
  static const std::set<std::string, std::less<>> kKeys{"conversation_config", "platform_settings", "workflow", "name",
                                                        "tags"};
  static const std::set<std::string, std::less<>> kEnglishOnly{"eleven_turbo_v2", "eleven_flash_v2"};
  for (const auto& [key, value] : body)
    if (!kKeys.contains(key)) return invalid(key, "Extra inputs are not permitted");
  if (const auto* c = body.if_contains("conversation_config"); c && !c->is_object())
    return invalid("conversation_config", "Input should be a valid dictionary");
  if (!is_string_or_null(body, "name")) return invalid("name", "Input should be a valid string");
  const auto language = value_or(body, {"conversation_config", "agent", "language"}, "en");
  const auto model = value_or(body, {"conversation_config", "tts", "model_id"}, "eleven_turbo_v2");
  if (language != "en" && model.is_string() && kEnglishOnly.contains(model.get_string()))
    return invalid("conversation_config.tts.model_id", "An English-only TTS model cannot speak this agent's language");
  return std::nullopt;
}

}  // namespace

FakeElevenLabs::FakeElevenLabs(std::string expected_key)
    : expected_key_(std::move(expected_key)),
      server_(http::ServerLimits{.drain_timeout = std::chrono::seconds(2)},
              [this](http::Request&& request, http::Respond respond) {
                dispatch(std::move(request), std::move(respond));
              }) {
  router_.add("POST", "/v1/convai/agents/create", {"create_agent", &FakeElevenLabs::create_agent});
  router_.add("PATCH", "/v1/convai/agents/{agent_id}", {"update_agent", &FakeElevenLabs::update_agent});
  router_.add("DELETE", "/v1/convai/agents/{agent_id}", {"delete_agent", &FakeElevenLabs::delete_agent});
  router_.add("POST", "/v1/convai/phone-numbers", {"import_number", &FakeElevenLabs::import_number});
  router_.add("PATCH", "/v1/convai/phone-numbers/{phone_number_id}", {"assign_agent", &FakeElevenLabs::assign_agent});
  router_.add("DELETE", "/v1/convai/phone-numbers/{phone_number_id}",
              {"delete_number", &FakeElevenLabs::delete_number});
  router_.add("GET", "/v1/voices", {"list_voices", &FakeElevenLabs::list_voices});
  router_.add("GET", "/v1/convai/conversations", {"list_conversations", &FakeElevenLabs::list_conversations});
  router_.add("GET", "/v1/convai/conversations/{conversation_id}",
              {"get_conversation", &FakeElevenLabs::get_conversation});
  router_.add("GET", "/v1/convai/conversations/{conversation_id}/audio",
              {"get_conversation_audio", &FakeElevenLabs::get_conversation_audio});
  router_.add("POST", "/v1/convai/sip-trunk/outbound-call", {"place_call", &FakeElevenLabs::place_call});
  router_.add("POST", "/v1/convai/twilio/outbound-call", {"place_call", &FakeElevenLabs::place_call});
  server_.listen("127.0.0.1:0");
  thread_ = std::thread([this] { server_.run(false); });
}

FakeElevenLabs::~FakeElevenLabs() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();  // hung calls answer now, so the server can drain
  server_.stop();
  thread_.join();
  for (auto& t : delayed_) t.join();
}

std::string FakeElevenLabs::base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

void FakeElevenLabs::configure_live(std::map<std::string, std::string>& v) const {
  v["CXCO_PROVIDER_MODE"] = "live";
  v["CXCO_ELEVENLABS_BASE_URL"] = base_url();
  v["CXCO_ELEVENLABS_API_KEY"] = kDefaultKey;
  v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test";
}

void FakeElevenLabs::fail(std::string operation, int status, int times, std::optional<int> retry_after_seconds) {
  std::lock_guard lock(mutex_);
  failures_[std::move(operation)] = Failure{status, times, retry_after_seconds};
}

void FakeElevenLabs::hang(std::string operation, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  if (delay.count() > 0)
    hangs_[std::move(operation)] = delay;
  else
    hangs_.erase(operation);
}

void FakeElevenLabs::add_conversation(json::object conversation) {
  std::lock_guard lock(mutex_);
  conversations_.push_back(std::move(conversation));
}

void FakeElevenLabs::add_recording(const std::string& conversation_id, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  recordings_[conversation_id] = bytes;
}

void FakeElevenLabs::serve_ranges(bool on) {
  std::lock_guard lock(mutex_);
  serve_ranges_ = on;
}

std::size_t FakeElevenLabs::audio_bytes_sent() const {
  std::lock_guard lock(mutex_);
  return audio_sent_;
}

bool FakeElevenLabs::audio_cut_short() const {
  std::lock_guard lock(mutex_);
  return audio_cut_short_;
}

bool FakeElevenLabs::audio_done() const {
  std::lock_guard lock(mutex_);
  return audio_done_;
}

char FakeElevenLabs::recording_byte(std::size_t offset) { return static_cast<char>(offset % 251); }

std::vector<json::object> FakeElevenLabs::placed_calls() const {
  std::lock_guard lock(mutex_);
  return placed_calls_;
}

std::size_t FakeElevenLabs::agent_count() const {
  std::lock_guard lock(mutex_);
  return agents_.size();
}

std::size_t FakeElevenLabs::number_count() const {
  std::lock_guard lock(mutex_);
  return numbers_.size();
}

std::optional<json::object> FakeElevenLabs::agent(const std::string& agent_id) const {
  std::lock_guard lock(mutex_);
  const auto it = agents_.find(agent_id);
  if (it == agents_.end()) return std::nullopt;
  return it->second;
}

std::optional<json::object> FakeElevenLabs::number(const std::string& phone_number_id) const {
  std::lock_guard lock(mutex_);
  const auto it = numbers_.find(phone_number_id);
  if (it == numbers_.end()) return std::nullopt;
  return it->second;
}

int FakeElevenLabs::request_count(const std::string& operation) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(operation);
  return it == requests_.end() ? 0 : it->second;
}

std::optional<std::string> FakeElevenLabs::last_query(const std::string& operation, std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = last_requests_.find(operation);
  const auto value = it == last_requests_.end() ? std::nullopt : it->second.query_param(name);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

std::optional<std::string> FakeElevenLabs::last_header(const std::string& operation,
                                                       std::string_view lower_name) const {
  std::lock_guard lock(mutex_);
  const auto it = last_requests_.find(operation);
  const auto value = it == last_requests_.end() ? std::nullopt : it->second.header(lower_name);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

bool FakeElevenLabs::wait_for_requests(const std::string& operation, int n, std::chrono::milliseconds within) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, within, [&] {
    const auto it = requests_.find(operation);
    return it != requests_.end() && it->second >= n;
  });
}

void FakeElevenLabs::dispatch(http::Request&& request, http::Respond respond) {
  const auto match = router_.match(request);
  respond = contract_recorded("elevenlabs", request, std::move(respond));
  if (match.kind == http::Router<Route>::Match::not_found) return respond(error(404, "not_found", "Not Found"));
  if (match.kind == http::Router<Route>::Match::method_not_allowed) {
    auto r = error(405, "method_not_allowed", "Method Not Allowed");
    r.headers.emplace_back("Allow", match.allow);
    return respond(std::move(r));
  }
  const Route* route = match.payload;
  {
    std::lock_guard lock(mutex_);
    ++requests_[route->operation];
    last_requests_[route->operation] = request;
    changed_.notify_all();
    const auto hang = hangs_.find(route->operation);
    // Hung calls wait on threads of their own: the I/O thread must keep serving the retries. So
    // does a recording: its body is written on the thread that responds.
    if ((hang != hangs_.end() || route->operation == "get_conversation_audio") && !stopping_) {
      const auto delay = hang == hangs_.end() ? std::chrono::milliseconds(0) : hang->second;
      delayed_.emplace_back([this, route, delay, request = std::move(request), respond = std::move(respond)] {
        {
          std::unique_lock wait_lock(mutex_);
          changed_.wait_for(wait_lock, delay, [this] { return stopping_; });
        }
        respond(answer(*route, request));
      });
      return;
    }
  }
  respond(answer(*route, request));
}

http::Response FakeElevenLabs::answer(const Route& route, const http::Request& request) {
  std::lock_guard lock(mutex_);
  if (request.header("xi-api-key") != std::optional<std::string_view>(expected_key_))
    return error(401, "invalid_api_key", "Invalid API key");
  if (const auto it = failures_.find(route.operation); it != failures_.end()) {
    const Failure failure = it->second;
    if (--it->second.times <= 0) failures_.erase(it);
    auto r = failure.status == 422 ? invalid("name", "Injected validation failure")
                                   : error(failure.status, code_for(failure.status), "Injected failure");
    if (failure.retry_after_seconds)
      r.headers.emplace_back("Retry-After", std::to_string(*failure.retry_after_seconds));
    return r;
  }
  return (this->*route.handler)(request);
}

http::Response FakeElevenLabs::create_agent(const http::Request& request) {
  auto body = parse_object(request.body);
  if (!body) return error(400, "invalid_json", "Body is not a JSON object");
  if (!body->contains("conversation_config")) return invalid("conversation_config", "Field required");
  if (auto problem = agent_body_problem(*body)) return std::move(*problem);
  const auto id = "agent_fake" + std::to_string(next_id_++);
  agents_[id] = std::move(*body);
  return reply(200, {{"agent_id", id}});
}

http::Response FakeElevenLabs::update_agent(const http::Request& request) {
  const auto it = agents_.find(std::string(request.path_param("agent_id")));
  if (it == agents_.end()) return error(404, "agent_not_found", "Agent not found");
  auto body = parse_object(request.body);
  if (!body) return error(400, "invalid_json", "Body is not a JSON object");
  if (auto problem = agent_body_problem(*body)) return std::move(*problem);
  // Whether the provider deep-merges is unconfirmed; replacing whole top-level keys is the
  // stricter reading, so a client that sends partial sub-objects shows up here.
  for (auto& [key, value] : *body) it->second[key] = std::move(value);
  json::object out = it->second;
  out["agent_id"] = it->first;
  out["metadata"] = {{"created_at_unix_secs", 1735689600}};
  out["phone_numbers"] = json::array();
  return reply(200, out);
}

http::Response FakeElevenLabs::delete_agent(const http::Request& request) {
  const auto it = agents_.find(std::string(request.path_param("agent_id")));
  if (it == agents_.end()) return error(404, "agent_not_found", "Agent not found");
  for (auto& [id, number] : numbers_)
    if (number["assigned_agent_id"] == json::value(it->first)) number["assigned_agent_id"] = nullptr;
  agents_.erase(it);
  return {204, "", "application/json", {}};
}

http::Response FakeElevenLabs::import_number(const http::Request& request) {
  auto body = parse_object(request.body);
  if (!body) return error(400, "invalid_json", "Body is not a JSON object");
  for (const auto* field : {"phone_number", "label"})
    if (!is_string(*body, field)) return invalid(field, "Field required");
  const auto provider = value_or(*body, {"provider"}, nullptr);
  if (provider == "twilio") {
    // The provider imports a Twilio number through the Twilio account it belongs to.
    for (const auto* field : {"sid", "token"})
      if (!is_string(*body, field) || body->at(field).get_string().empty()) return invalid(field, "Field required");
    return keep_number(std::move(*body));
  }
  if (provider != "sip_trunk") return invalid("provider", "Input should be 'twilio' or 'sip_trunk'");
  for (const auto* config : {"inbound_trunk_config", "outbound_trunk_config"}) {
    const auto* v = body->if_contains(config);
    if (!v || v->is_null()) continue;
    if (!v->is_object() || !valid_credentials(v->get_object()))
      return invalid(config, "Input should be a valid dictionary with credentials null or {username, password}");
  }
  if (const auto* out = find(*body, {"outbound_trunk_config"}); out && out->is_object()) {
    const auto* address = out->get_object().if_contains("address");
    if (!address || !address->is_string() || address->get_string().empty())
      return invalid("outbound_trunk_config.address", "Field required");
    static const std::set<std::string, std::less<>> kTransports{"auto", "udp", "tcp", "tls"};
    const auto* transport = out->get_object().if_contains("transport");
    if (transport && (!transport->is_string() || !kTransports.contains(transport->get_string())))
      return invalid("outbound_trunk_config.transport", "Input should be 'auto', 'udp', 'tcp' or 'tls'");
  }
  return keep_number(std::move(*body));
}

http::Response FakeElevenLabs::keep_number(json::object body) {
  const auto id = "phnum_fake" + std::to_string(next_id_++);
  body["assigned_agent_id"] = nullptr;
  numbers_[id] = std::move(body);
  return reply(200, {{"phone_number_id", id}});
}

http::Response FakeElevenLabs::assign_agent(const http::Request& request) {
  const auto it = numbers_.find(std::string(request.path_param("phone_number_id")));
  if (it == numbers_.end()) return error(404, "phone_number_not_found", "Phone number not found");
  const auto body = parse_object(request.body);
  if (!body) return error(400, "invalid_json", "Body is not a JSON object");
  const auto* agent_id = body->if_contains("agent_id");
  if (!agent_id || !(agent_id->is_null() || agent_id->is_string()))
    return invalid("agent_id", "Input should be a valid string or null");
  if (agent_id->is_string() && !agents_.contains(std::string(agent_id->get_string())))
    return error(404, "agent_not_found", "Agent not found");
  auto& number = it->second;
  number["assigned_agent_id"] = *agent_id;
  json::value assigned = nullptr;
  if (agent_id->is_string()) {
    const auto& agent = agents_.at(std::string(agent_id->get_string()));
    assigned = {{"agent_id", *agent_id}, {"agent_name", value_or(agent, {"name"}, nullptr)}};
  }
  return reply(200, {{"phone_number", number["phone_number"]},
                     {"label", number["label"]},
                     {"supports_inbound", value_or(number, {"supports_inbound"}, true)},
                     {"supports_outbound", value_or(number, {"supports_outbound"}, true)},
                     {"phone_number_id", it->first},
                     {"assigned_agent", assigned},
                     {"provider", number["provider"]}});
}

http::Response FakeElevenLabs::delete_number(const http::Request& request) {
  if (numbers_.erase(std::string(request.path_param("phone_number_id"))) == 0)
    return error(404, "phone_number_not_found", "Phone number not found");
  return {200, "", "application/json", {}};
}

http::Response FakeElevenLabs::list_voices(const http::Request&) { return {200, kVoices, "application/json", {}}; }

http::Response FakeElevenLabs::list_conversations(const http::Request& request) {
  const auto page_size = to_int(request.query_param("page_size").value_or("30"));
  if (!page_size || *page_size < 1 || *page_size > 100) return invalid("page_size", "Input should be 1..100");
  const auto offset = to_int(request.query_param("cursor").value_or("0"));
  if (!offset || *offset < 0) return error(400, "invalid_cursor", "Invalid cursor");
  std::optional<std::int64_t> after;
  if (const auto p = request.query_param("call_start_after_unix")) {
    after = to_int(*p);
    if (!after) return invalid("call_start_after_unix", "Input should be a valid integer");
  }
  const auto agent_id = request.query_param("agent_id");
  const auto user_id = request.query_param("user_id");
  std::vector<const json::object*> matching;
  for (const auto& c : conversations_)
    if ((!after || start_time(c) >= *after) &&
        (!agent_id || value_or(c, {"agent_id"}, nullptr) == json::value(json::string(*agent_id))) &&
        (!user_id || value_or(c, {"user_id"}, nullptr) == json::value(json::string(*user_id))))
      matching.push_back(&c);
  std::stable_sort(matching.begin(), matching.end(),
                   [](const auto* a, const auto* b) { return start_time(*a) > start_time(*b); });
  const auto begin = std::min<std::size_t>(static_cast<std::size_t>(*offset), matching.size());
  const auto end = std::min<std::size_t>(begin + static_cast<std::size_t>(*page_size), matching.size());
  json::array items;
  for (auto i = begin; i < end; ++i) items.push_back(summary(*matching[i]));
  const bool has_more = end < matching.size();
  return reply(200, {{"conversations", std::move(items)},
                     {"has_more", has_more},
                     {"next_cursor", has_more ? json::value(std::to_string(end)) : json::value(nullptr)}});
}

namespace {

// A Range the fake honours: bytes=a-b or bytes=a- within the recording.
std::optional<std::pair<std::size_t, std::size_t>> byte_range(std::string_view range, std::size_t size) {
  if (!range.starts_with("bytes=")) return std::nullopt;
  range.remove_prefix(6);
  const auto dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto first = to_int(range.substr(0, dash));
  const auto last = dash + 1 == range.size() ? std::optional<std::int64_t>(static_cast<std::int64_t>(size) - 1)
                                             : to_int(range.substr(dash + 1));
  if (!first || !last || *first < 0 || *first > *last || static_cast<std::size_t>(*first) >= size) return std::nullopt;
  return std::pair<std::size_t, std::size_t>(*first, std::min<std::size_t>(*last, size - 1));
}

}  // namespace

http::Response FakeElevenLabs::get_conversation_audio(const http::Request& request) {
  const auto it = recordings_.find(std::string(request.path_param("conversation_id")));
  if (it == recordings_.end()) return error(404, "conversation_audio_not_found", "Conversation audio not found");
  std::size_t first = 0, last = it->second - 1;
  http::Response r{200, "", "audio/mpeg", {}};
  if (serve_ranges_) {
    r.headers.emplace_back("Accept-Ranges", "bytes");
    if (const auto range = byte_range(request.header("range").value_or(""), it->second)) {
      std::tie(first, last) = *range;
      r.status = 206;
      r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                  std::to_string(it->second));
    }
  }
  r.content_length = last - first + 1;
  audio_sent_ = 0;
  audio_cut_short_ = audio_done_ = false;
  r.producer = [this, first, last](http::BodySink& sink) {
    std::string piece;
    bool cut_short = false;
    std::size_t sent = 0;
    for (auto at = first; at <= last && !cut_short; at += piece.size()) {
      piece.resize(std::min<std::size_t>(16 * 1024, last + 1 - at));
      for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = recording_byte(at + i);
      cut_short = !sink.write(piece);
      if (!cut_short) sent += piece.size();
    }
    std::lock_guard lock(mutex_);
    audio_sent_ = sent;
    audio_cut_short_ = cut_short;
    audio_done_ = true;
  };
  return r;
}

http::Response FakeElevenLabs::get_conversation(const http::Request& request) {
  const auto id = request.path_param("conversation_id");
  for (const auto& c : conversations_)
    if (const auto* v = c.if_contains("conversation_id"); v && v->is_string() && v->get_string() == id)
      return reply(200, c);
  return error(404, "conversation_not_found", "Conversation not found");
}

http::Response FakeElevenLabs::place_call(const http::Request& request) {
  auto body = parse_object(request.body);
  if (!body) return error(400, "invalid_json", "Body is not a JSON object");
  for (const auto* field : {"agent_id", "agent_phone_number_id", "to_number"})
    if (!is_string(*body, field)) return invalid(field, "Field required");
  if (!agents_.contains(std::string(body->at("agent_id").as_string())))
    return error(404, "agent_not_found", "Agent not found");
  if (!numbers_.contains(std::string(body->at("agent_phone_number_id").as_string())))
    return error(404, "phone_number_not_found", "Phone number not found");
  // As the provider: an override the agent's platform_settings.overrides do not allow fails the call.
  const auto& agent = agents_.at(std::string(body->at("agent_id").as_string()));
  if (!value_or(*body,
                {"conversation_initiation_client_data", "conversation_config_override", "agent", "first_message"},
                nullptr)
           .is_null() &&
      value_or(agent, {"platform_settings", "overrides", "conversation_config_override", "agent", "first_message"},
               false) != json::value(true))
    return error(400, "override_not_allowed", "Override for field 'first_message' is not allowed by config");
  const bool twilio = request.path.find("/twilio/") != std::string::npos;
  const auto id = "conv_fake" + std::to_string(next_id_++);
  const auto client_data = value_or(*body, {"conversation_initiation_client_data"}, json::object{});
  conversations_.push_back({{"agent_id", body->at("agent_id")},
                            {"conversation_id", id},
                            {"status", "initiated"},
                            {"user_id", value_or(*body, {"conversation_initiation_client_data", "user_id"}, nullptr)},
                            {"transcript", json::array{}},
                            {"metadata",
                             {{"start_time_unix_secs", 1767225600},
                              {"call_duration_secs", 0},
                              {"phone_call",
                               {{"type", twilio ? "twilio" : "sip_trunking"},
                                {"direction", "outbound"},
                                {"phone_number_id", body->at("agent_phone_number_id")},
                                {"agent_number", ""},
                                {"external_number", body->at("to_number")},
                                {"call_sid", "call_" + id}}}}},
                            {"analysis", nullptr},
                            {"conversation_initiation_client_data", client_data},
                            {"has_audio", false},
                            {"has_user_audio", false},
                            {"has_response_audio", false}});
  auto placed = *body;
  placed["conversation_id"] = id;
  placed["telephony"] = twilio ? "twilio" : "sip_trunk";
  placed_calls_.push_back(std::move(placed));
  json::object answer{{"success", true}, {"message", "Outbound call initiated"}, {"conversation_id", id}};
  answer[twilio ? "callSid" : "sip_call_id"] = "call_" + id;
  return reply(200, answer);
}

}  // namespace cxco::test
