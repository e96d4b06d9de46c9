// The language model that writes WhatsApp replies in an agent's personality: any
// OpenAI-compatible chat completions endpoint (`live`), or a deterministic writer in process
// (`simulated`).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "providers/voice_provider.h"

namespace cxco::providers {

struct ChatMessage {
  std::string role;  // system, user or assistant
  std::string content;
};

// Where to send a completion: the company's `llm` credentials, else CXCO_LLM_*.
struct LlmEndpoint {
  std::string base_url;  // e.g. https://api.openai.com/v1; requests go to {base_url}/chat/completions
  std::string api_key;
  std::string model;
  // Set for a tenant's endpoint: the egress policy's check of each connection (http/egress.h).
  std::function<bool(const std::string& ip)> allow_address = {};
};

// A structured answer: response_format {"type": "json_schema", "json_schema": {name, strict,
// schema}}, the schema given as JSON text.
struct ResponseSchema {
  std::string name;
  std::string schema_json;
};

class Llm {
 public:
  virtual ~Llm() = default;
  // The assistant's answer to `messages`. Throws ProviderError.
  virtual std::string complete(const LlmEndpoint& endpoint, const std::vector<ChatMessage>& messages,
                               double temperature) = 0;
  // The same, asked to answer JSON of `format`'s schema. The answer is the model's text as it
  // came: the caller checks it.
  virtual std::string complete(const LlmEndpoint& endpoint, const std::vector<ChatMessage>& messages,
                               double temperature, const ResponseSchema& format) = 0;
};

std::unique_ptr<Llm> make_simulated_llm();
std::unique_ptr<Llm> make_llm_client(std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace cxco::providers
