// A customer's webhook endpoint on 127.0.0.1: records what arrives and answers as told
// (status, delay), so delivery, retries and timeouts are tested against real HTTP.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace cxco::test {

class WebhookReceiver {
 public:
  struct Received {
    std::string path;
    http::Fields headers;
    std::string body;
    std::string header(std::string_view lower) const;
  };

  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string url(const std::string& path = "/hooks/cxco") const;
  // Answers `status` from now on (default 200).
  void answer(int status);
  // The next `n` requests answer `status` (before falling back to answer()).
  void fail_next(int n, int status = 500);
  // The next `n` requests are answered only after `delay`.
  void delay_next(int n, std::chrono::milliseconds delay);

  std::vector<Received> received() const;
  std::size_t count() const;
  // Waits until at least n requests arrived; false after `within`.
  bool wait_for(std::size_t n, std::chrono::milliseconds within = std::chrono::seconds(10)) const;

 private:
  void handle(http::Request&& request, http::Respond respond);

  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<Received> received_;
  std::deque<int> scripted_statuses_;
  int default_status_ = 200;
  int delayed_left_ = 0;
  std::chrono::milliseconds delay_{0};
  std::vector<std::thread> delayed_;
};

}  // namespace cxco::test
