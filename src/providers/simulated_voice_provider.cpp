// The simulated VoiceProvider: answers in process so the server runs without an ElevenLabs
// account (embedded mode, demos, API tests). It keeps no state; the catalogue of voices is
// seeded elsewhere and no calls ever happen, so there are no conversations to report, and every
// recording is the same short tone.
#include <cmath>
#include <numbers>

#include "crypto/crypto.h"
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

// Random rather than counted: ids stored by one run must not be handed out again by the next.
std::string new_id(std::string_view prefix) { return std::string(prefix) + crypto::to_hex(crypto::random_bytes(8)); }

class SimulatedVoiceProvider final : public VoiceProvider {
 public:
  std::string create_agent(const std::string&, const AgentSpec&) override { return new_id("sim_agent_"); }
  void update_agent(const std::string&, const std::string&, const AgentSpec&) override {}
  void delete_agent(const std::string&, const std::string&) override {}
  std::string import_number(const std::string&, const NumberSpec&) override { return new_id("sim_phone_"); }
  void assign_agent(const std::string&, const std::string&, const std::optional<std::string>&) override {}
  void delete_number(const std::string&, const std::string&) override {}
  std::vector<ProviderVoice> list_voices(const std::string&) override { return {}; }
  ConversationPage list_conversations(const std::string&, const std::optional<std::string>&,
                                      std::optional<std::int64_t>) override {
    return {};
  }
  boost::json::object get_conversation(const std::string&, const std::string& conversation_id) override {
    throw ProviderError("get_conversation", 404, "conversation " + conversation_id + " not found (simulated provider)");
  }
  // Range is not honoured: the whole file is the answer, as HTTP allows.
  Recording conversation_audio(const std::string&, const std::string&, const std::optional<std::string>&) override {
    static const std::string wav = tone_wav();
    return {200, "audio/wav", wav.size(), std::nullopt, std::nullopt, [](http::BodySink& sink) { sink.write(wav); }};
  }
};

}  // namespace

std::unique_ptr<VoiceProvider> make_simulated_voice_provider() { return std::make_unique<SimulatedVoiceProvider>(); }

}  // namespace cxco::providers
