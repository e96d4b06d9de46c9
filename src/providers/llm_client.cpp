// The live Llm: POST {base_url}/chat/completions of any OpenAI-compatible server. One attempt
// per call: the WhatsApp worker retries durably on its own schedule.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "http/client.h"
#include "providers/llm.h"
#include "providers/whatsapp_provider.h"
#include "util/json.h"

namespace cxco::providers {

namespace {

namespace json = boost::json;

constexpr const char* kOperation = "chat_completion";

std::string completions_url(const std::string& base_url) {
  auto u = http::parse_base_url(base_url);
  if (!u) throw ProviderError(kOperation, 0, "the LLM base URL is not an absolute http(s) URL");
  auto segments = u->segments();
  segments.push_back("chat");
  segments.push_back("completions");
  return std::string(u->buffer());
}

// {"error":{"message":"...","type":"...","code":"..."}} as OpenAI and most compatible servers send it.
std::string error_text(const std::string& body) {
  json::error_code ec;
  const auto parsed = json::parse(body, ec);
  const auto* error = !ec && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
  if (!error) return {};
  if (error->is_string()) return std::string(error->get_string());
  const auto* message = error->is_object() ? error->get_object().if_contains("message") : nullptr;
  return message && message->is_string() ? std::string(message->get_string()) : std::string();
}

class LlmClient final : public Llm {
 public:
  explicit LlmClient(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  std::string complete(const LlmEndpoint& endpoint, const std::vector<ChatMessage>& messages,
                       double temperature) override {
    return ask(endpoint, messages, temperature, nullptr);
  }

  std::string complete(const LlmEndpoint& endpoint, const std::vector<ChatMessage>& messages, double temperature,
                       const ResponseSchema& format) override {
    return ask(endpoint, messages, temperature, &format);
  }

 private:
  std::string ask(const LlmEndpoint& endpoint, const std::vector<ChatMessage>& messages, double temperature,
                  const ResponseSchema* format) {
    json::array turns;
    for (const auto& m : messages) turns.push_back(json::object{{"role", m.role}, {"content", m.content}});
    http::ClientRequest request;
    request.method = "POST";
    request.url = completions_url(endpoint.base_url);
    request.timeout = timeout_;
    request.allow_address = endpoint.allow_address;
    request.headers = {{"Authorization", "Bearer " + endpoint.api_key},
                       {"Content-Type", "application/json"},
                       {"Accept", "application/json"}};
    json::object body{{"model", endpoint.model}, {"messages", std::move(turns)}, {"temperature", temperature}};
    if (format)
      body["response_format"] = {
          {"type", "json_schema"},
          {"json_schema", {{"name", format->name}, {"strict", true}, {"schema", json::parse(format->schema_json)}}}};
    request.body = util::to_json(body);

    const auto response = http::perform(request);
    if (response.status == 0) throw ProviderError(kOperation, 0, "transport error: " + response.error);
    if (!response.ok()) {
      std::string message = "HTTP " + std::to_string(response.status);
      if (const auto text = error_text(response.body); !text.empty()) message += " " + text;
      throw ProviderError(kOperation, response.status, redact(std::move(message), endpoint.api_key));
    }
    json::error_code ec;
    const auto parsed = json::parse(response.body, ec);
    // choices[0].message.content
    const json::value* content = nullptr;
    if (!ec && parsed.is_object())
      if (const auto* choices = parsed.get_object().if_contains("choices");
          choices && choices->is_array() && !choices->get_array().empty() && choices->get_array()[0].is_object())
        if (const auto* message = choices->get_array()[0].get_object().if_contains("message");
            message && message->is_object())
          content = message->get_object().if_contains("content");
    if (!content || !content->is_string() || content->get_string().empty())
      throw ProviderError(kOperation, response.status, "response has no choices[0].message.content");
    return std::string(content->get_string());
  }

  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Llm> make_llm_client(std::chrono::milliseconds timeout) { return std::make_unique<LlmClient>(timeout); }

}  // namespace cxco::providers
