// The simulated Llm: a deterministic reply from the conversation itself, so WhatsApp chats work
// offline and tests can predict every answer.
#include <boost/json.hpp>

#include "providers/llm.h"
#include "util/json.h"

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

  // An answer that fits the schema: an object's every property, a string enum's first value,
  // a plausible value of each other type. Criteria succeed when the customer said anything.
  std::string complete(const LlmEndpoint&, const std::vector<ChatMessage>& messages, double,
                       const ResponseSchema& format) override {
    bool heard = false;
    for (const auto& m : messages)
      heard = heard || (m.role == "user" && m.content.find("Customer: ") != std::string::npos);
    return util::to_json(fill(boost::json::parse(format.schema_json), heard ? "success" : "unknown"));
  }

 private:
  static boost::json::value fill(const boost::json::value& schema, const std::string& outcome) {
    const auto& s = schema.as_object();
    if (const auto* values = s.if_contains("enum")) {
      const auto& all = values->as_array();
      for (const auto& v : all)
        if (v.is_string() && v.get_string() == outcome) return v;
      return all.empty() ? boost::json::value() : all.front();
    }
    std::string type = "null";
    if (const auto* t = s.if_contains("type"))
      type = t->is_array() ? std::string(t->as_array().front().as_string()) : std::string(t->as_string());
    if (type == "object") {
      boost::json::object out;
      if (const auto* properties = s.if_contains("properties"))
        for (const auto& [key, sub] : properties->as_object()) out[key] = fill(sub, outcome);
      return out;
    }
    if (type == "string") return boost::json::value("Stated in the conversation.");
    if (type == "boolean") return boost::json::value(outcome == "success");
    if (type == "integer") return boost::json::value(1);
    if (type == "number") return boost::json::value(1.5);
    return nullptr;
  }
};

}  // namespace

std::unique_ptr<Llm> make_simulated_llm() { return std::make_unique<SimulatedLlm>(); }

}  // namespace cxco::providers
