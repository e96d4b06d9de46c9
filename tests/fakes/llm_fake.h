// An HTTP fake of an OpenAI-compatible chat completions server: POST /v1/chat/completions with
// Bearer auth, answering scripted replies, failing on request, and keeping every request body so
// tests can assert what the model was asked. Every exchange goes to the contract log
// (contract/contract_log.h).
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace cxco::test {

class FakeLlm {
 public:
  static constexpr const char* kKey = "sk-test-llm-key";

  explicit FakeLlm(std::string expected_key = kKey);
  ~FakeLlm();
  FakeLlm(const FakeLlm&) = delete;
  FakeLlm& operator=(const FakeLlm&) = delete;

  // What CXCO_LLM_BASE_URL (or llm credentials' base_url) names: ".../v1".
  std::string base_url() const;

  // Replies are given in order; once they run out the answer is "Reply <n>".
  void script(std::vector<std::string> replies);
  // The next `times` requests answer `status` with OpenAI's error body, whose message quotes
  // the key it was sent (as some servers do), so redaction is tested.
  void fail(int status, int times = 1);

  // Bodies of the requests that got a completion, in order.
  std::vector<boost::json::object> requests() const;
  int attempts() const;  // every request, failed ones included
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds within = std::chrono::seconds(10)) const;

 private:
  void handle(http::Request&& request, http::Respond respond);

  const std::string expected_key_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<std::string> scripted_;
  std::vector<boost::json::object> requests_;
  int attempts_ = 0;
  int failures_left_ = 0;
  int failure_status_ = 500;

  http::Server server_;
  std::thread thread_;
};

}  // namespace cxco::test
