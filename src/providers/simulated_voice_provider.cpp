// The simulated VoiceProvider: answers in process so the server runs without an ElevenLabs
// account (embedded mode, demos, API tests). Agents and numbers need no state; the catalogue of
// voices is seeded elsewhere. Outbound calls keep their state in their conversation id (when
// they were dialed, whom, for which agent), so any node can answer for any call at any time.
// Every recording is the same short tone.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>

#include "crypto/crypto.h"
#include "providers/simulated_post_call.h"
#include "providers/voice_provider.h"

namespace cxco::providers {

namespace {

// A recording a player can play: 1.5 s of a 440 Hz tone, 8 kHz 16-bit mono PCM in a RIFF/WAVE
// file (a 44-byte header, then the samples, little-endian).
std::string tone_wav() {
  constexpr std::uint32_t kRate = 8000, kSamples = kRate * 3 / 2;
  constexpr std::uint16_t kBits = 16, kChannels = 1, kBlock = kChannels * kBits / 8;
  std::string out;
  auto put = [&](std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  };
  out += "RIFF";
  put(36 + kSamples * kBlock, 4);
  out += "WAVEfmt ";
  put(16, 4);  // the fmt chunk's size
  put(1, 2);   // PCM
  put(kChannels, 2);
  put(kRate, 4);
  put(kRate * kBlock, 4);  // bytes per second
  put(kBlock, 2);
  put(kBits, 2);
  out += "data";
  put(kSamples * kBlock, 4);
  for (std::uint32_t i = 0; i < kSamples; ++i) {
    const auto sample = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * 440 * i / kRate));
    put(static_cast<std::uint16_t>(sample), 2);
  }
  return out;
}
namespace json = boost::json;

constexpr std::string_view kCallPrefix = "simconv.";
// The longest a simulated phone rings before it is answered (or turns out busy).
constexpr std::int64_t kMaxRingMs = 1000;

// Random rather than counted: ids stored by one run must not be handed out again by the next.
std::string new_id(std::string_view prefix) { return std::string(prefix) + crypto::to_hex(crypto::random_bytes(8)); }

// "simconv.<dial token>.<dialed at, unix ms>.<number without +>.<agent id>"
struct SimulatedDial {
  std::string dial_token;
  std::int64_t dialed_ms = 0;
  std::string to_number, agent_id;
};

std::optional<SimulatedDial> parse_dial(std::string_view id) {
  if (!id.starts_with(kCallPrefix)) return std::nullopt;
  id.remove_prefix(kCallPrefix.size());
  std::string_view parts[3];
  for (auto& part : parts) {
    const auto dot = id.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    part = id.substr(0, dot);
    id.remove_prefix(dot + 1);
  }
  SimulatedDial dial{std::string(parts[0]), 0, "+" + std::string(parts[2]), std::string(id)};
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), dial.dialed_ms);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size()) return std::nullopt;
  return dial;
}

// How a simulated call ends, by the last digit of the number (platform.md section 7).
enum class Ending { busy, no_answer, failed, voicemail, talk };
Ending ending_of(const std::string& number) {
  switch (number.back()) {
    case '1': return Ending::busy;
    case '2': return Ending::no_answer;
    case '3': return Ending::voicemail;
    case '4': return Ending::failed;
    default: return Ending::talk;
  }
}

// A conversation that is not over (ringing or talking), or one that never connected.
json::object unfinished(const SimulatedDial& dial, const std::string& id, std::string_view status,
                        std::string_view termination_reason) {
  return {{"agent_id", dial.agent_id},
          {"conversation_id", id},
          {"status", status},
          {"user_id", dial.dial_token},
          {"transcript", json::array{}},
          {"metadata",
           {{"start_time_unix_secs", dial.dialed_ms / 1000},
            {"call_duration_secs", 0},
            {"termination_reason", termination_reason},
            {"phone_call",
             {{"type", "sip_trunking"},
              {"direction", "outbound"},
              {"phone_number_id", "sim_phone"},
              {"agent_number", ""},
              {"external_number", dial.to_number},
              {"call_sid", "sim_call_" + dial.dial_token}}}}},
          {"analysis", nullptr},
          {"conversation_initiation_client_data", {{"user_id", dial.dial_token}}},
          {"has_audio", false},
          {"has_user_audio", false},
          {"has_response_audio", false}};
}

class SimulatedVoiceProvider final : public VoiceProvider {
 public:
  SimulatedVoiceProvider(const util::Clock& clock, double call_seconds)
      : clock_(clock), call_ms_(std::max<std::int64_t>(std::llround(call_seconds * 1000), 1)) {}

  std::string create_agent(const std::string&, const AgentSpec& spec) override {
    auto id = new_id("sim_agent_");
    remember(id, spec);
    return id;
  }
  void update_agent(const std::string&, const std::string& agent_id, const AgentSpec& spec) override {
    remember(agent_id, spec);
  }
  void delete_agent(const std::string&, const std::string&) override {}
  std::string import_number(const std::string&, const NumberSpec&) override { return new_id("sim_phone_"); }
  void assign_agent(const std::string&, const std::string&, const std::optional<std::string>&) override {}
  void delete_number(const std::string&, const std::string&) override {}
  std::vector<ProviderVoice> list_voices(const std::string&) override { return {}; }
  ConversationPage list_conversations(const std::string&, const std::optional<std::string>&,
                                      std::optional<std::int64_t>) override {
    return {};
  }

  json::object get_conversation(const std::string&, const std::string& conversation_id) override {
    const auto dial = parse_dial(conversation_id);
    if (!dial)
      throw ProviderError("get_conversation", 404,
                          "conversation " + conversation_id + " not found (simulated provider)");
    const auto elapsed = clock_.now_ms() - dial->dialed_ms;
    const auto ending = ending_of(dial->to_number);
    if (elapsed < std::min(kMaxRingMs, call_ms_ / 4)) return unfinished(*dial, conversation_id, "initiated", "");
    switch (ending) {
      case Ending::busy: return unfinished(*dial, conversation_id, "failed", "busy");
      case Ending::no_answer: return unfinished(*dial, conversation_id, "failed", "no-answer");
      case Ending::failed: return unfinished(*dial, conversation_id, "failed", "Call failed: the line is unreachable");
      case Ending::voicemail:
      case Ending::talk: break;
    }
    if (elapsed < call_ms_) return unfinished(*dial, conversation_id, "in-progress", "");
    SimulatedCall call;
    call.external_agent_id = dial->agent_id;
    call.started_unix = dial->dialed_ms / 1000;
    call.duration_seconds = std::max<std::int64_t>((call_ms_ + 999) / 1000, 1);
    call.outbound =
        SimulatedCall::Outbound{dial->to_number, conversation_id, dial->dial_token, ending == Ending::voicemail};
    call.analysis = analysis_of(dial->agent_id);
    auto payload = simulated_post_call(call);
    return std::move(payload["data"].as_object());
  }
  // Range is not honoured: the whole file is the answer, as HTTP allows.
  Recording conversation_audio(const std::string&, const std::string&, const std::optional<std::string>&) override {
    static const std::string wav = tone_wav();
    return {200, "audio/wav", wav.size(), std::nullopt, std::nullopt, [](http::BodySink& sink) { sink.write(wav); }};
  }

  std::string place_call(const std::string&, const OutboundCall& call) override {
    return std::string(kCallPrefix) + call.dial_token + "." + std::to_string(clock_.now_ms()) + "." +
           call.to_number.substr(1) + "." + call.agent_id;
  }

  // A simulated dial lives in its conversation id only: one whose answer was never recorded
  // was never placed.
  std::optional<std::string> find_conversation(const std::string&, const std::string&, const std::string&) override {
    return std::nullopt;
  }

 private:
  // The analysis settings each agent was last given on this node, so its simulated calls carry
  // results for them; an agent another node made has none here.
  void remember(const std::string& agent_id, const AgentSpec& spec) {
    const std::lock_guard lock(mutex_);
    analysis_[agent_id] = spec.analysis;
  }
  domain::AnalysisSettings analysis_of(const std::string& agent_id) {
    const std::lock_guard lock(mutex_);
    const auto found = analysis_.find(agent_id);
    return found == analysis_.end() ? domain::AnalysisSettings{} : found->second;
  }

  const util::Clock& clock_;
  std::int64_t call_ms_;
  std::mutex mutex_;
  std::map<std::string, domain::AnalysisSettings> analysis_;
};

}  // namespace

std::unique_ptr<VoiceProvider> make_simulated_voice_provider(const util::Clock& clock, double call_seconds) {
  return std::make_unique<SimulatedVoiceProvider>(clock, call_seconds);
}

}  // namespace cxco::providers
