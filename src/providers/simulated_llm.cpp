// The simulated Llm: a deterministic reply from the conversation itself, so WhatsApp chats work
// offline and tests can predict every answer.
#include "providers/llm.h"

namespace cxco::providers {

namespace {

class SimulatedLlm final : public Llm {
 public:
  std::string complete(const LlmEndpoint&, const std::vector<ChatMessage>& messages, double) override {
    std::size_t user_turns = 0;
    const ChatMessage* last_user = nullptr;
    for (const auto& m : messages)
      if (m.role == "user") ++user_turns, last_user = &m;
    const std::string heard = last_user ? last_user->content : std::string();
    return "Thanks for your message (" + std::to_string(user_turns) + " so far). You said: \"" + heard +
           "\". How else can I help?";
  }
};

}  // namespace

std::unique_ptr<Llm> make_simulated_llm() { return std::make_unique<SimulatedLlm>(); }

}  // namespace cxco::providers
