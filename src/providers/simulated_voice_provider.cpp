// The simulated VoiceProvider: answers in process so the server runs without an ElevenLabs
// account (embedded mode, demos, API tests). It keeps no state; the catalogue of voices is
// seeded elsewhere and no calls ever happen, so there are no conversations to report.
#include "crypto/crypto.h"
#include "providers/voice_provider.h"

namespace cxco::providers {

namespace {

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
};

}  // namespace

std::unique_ptr<VoiceProvider> make_simulated_voice_provider() { return std::make_unique<SimulatedVoiceProvider>(); }

}  // namespace cxco::providers
