#include "fakes/llm_fake.h"

#include <boost/json.hpp>

#include "contract/contract_log.h"
#include "util/json.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

http::Response reply(int status, const json::value& body) {
  return {status, util::to_json(body), "application/json", {}};
}

http::Response openai_error(int status, const std::string& message, std::string_view type) {
  return reply(status, {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}});
}

// The request shape an OpenAI-compatible server accepts: a model, and messages with known roles.
bool valid_request(const json::object& body) {
  const auto* model = body.if_contains("model");
  const auto* messages = body.if_contains("messages");
  const auto* temperature = body.if_contains("temperature");
  if (!model || !model->is_string() || model->get_string().empty()) return false;
  if (temperature && !temperature->is_number()) return false;
  if (!messages || !messages->is_array() || messages->get_array().empty()) return false;
  for (const auto& m : messages->get_array()) {
    const auto* role = m.is_object() ? m.get_object().if_contains("role") : nullptr;
    const auto* content = m.is_object() ? m.get_object().if_contains("content") : nullptr;
    if (!role || !role->is_string() || !content || !content->is_string()) return false;
    if (role->get_string() != "system" && role->get_string() != "user" && role->get_string() != "assistant")
      return false;
  }
  return true;
}

}  // namespace

FakeLlm::FakeLlm(std::string expected_key)
    : expected_key_(std::move(expected_key)),
      server_(
          http::ServerLimits{.drain_timeout = std::chrono::seconds(2)},
          [this](http::Request&& request, http::Respond respond) { handle(std::move(request), std::move(respond)); }) {
  server_.listen("127.0.0.1:0");
  thread_ = std::thread([this] { server_.run(false); });
}

FakeLlm::~FakeLlm() {
  server_.stop();
  thread_.join();
}

std::string FakeLlm::base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1"; }

void FakeLlm::script(std::vector<std::string> replies) {
  std::lock_guard lock(mutex_);
  scripted_.assign(replies.begin(), replies.end());
}

void FakeLlm::fail(int status, int times) {
  std::lock_guard lock(mutex_);
  failure_status_ = status;
  failures_left_ = times;
}

std::vector<json::object> FakeLlm::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakeLlm::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

bool FakeLlm::wait_for_requests(std::size_t n, std::chrono::milliseconds within) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, within, [&] { return requests_.size() >= n; });
}

void FakeLlm::handle(http::Request&& request, http::Respond respond) {
  respond = contract_recorded("llm", request, std::move(respond));
  std::lock_guard lock(mutex_);
  ++attempts_;
  changed_.notify_all();
  if (request.method != "POST" || request.path != "/v1/chat/completions")
    return respond(
        openai_error(404, "Unknown request URL: " + request.method + " " + request.path, "invalid_request_error"));
  const auto auth = request.header("authorization");
  if (auth != std::optional<std::string_view>("Bearer " + expected_key_))
    return respond(openai_error(401, "Incorrect API key provided.", "invalid_request_error"));
  if (failures_left_ > 0) {
    --failures_left_;
    return respond(openai_error(failure_status_,
                                "The server had an error processing the request made with key " + expected_key_,
                                "server_error"));
  }
  json::error_code ec;
  auto body = json::parse(request.body, ec);
  if (ec || !body.is_object() || !valid_request(body.get_object()))
    return respond(openai_error(400, "Invalid request body", "invalid_request_error"));
  requests_.push_back(body.get_object());
  std::string content;
  if (!scripted_.empty()) {
    content = scripted_.front();
    scripted_.pop_front();
  } else {
    content = "Reply " + std::to_string(requests_.size());
  }
  respond(reply(
      200, {{"id", "chatcmpl-" + std::to_string(requests_.size())},
            {"object", "chat.completion"},
            {"created", 1739321024},
            {"model", body.get_object().at("model")},
            {"choices", json::array{{{"index", 0},
                                     {"message", {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}}},
                                     {"logprobs", nullptr},
                                     {"finish_reason", "stop"}}}},
            {"usage", {{"prompt_tokens", 42}, {"completion_tokens", 7}, {"total_tokens", 49}}}}));
}

}  // namespace cxco::test
