// A background thread that runs `pass` every `poll`, or at once when kicked, until stopped:
// the shape of every worker that claims work from the database (webhooks, WhatsApp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "util/log.h"

namespace cxco::util {

class PollingLoop {
 public:
  PollingLoop(std::string name, std::chrono::milliseconds poll, std::function<void()> pass)
      : name_(std::move(name)), poll_(poll), pass_(std::move(pass)) {}
  ~PollingLoop() { stop(); }
  PollingLoop(const PollingLoop&) = delete;
  PollingLoop& operator=(const PollingLoop&) = delete;

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
  }

  // Returns once the pass in progress, if any, has finished.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (!thread_.joinable()) return;
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // Run the next pass now rather than at the next poll (e.g. a worker slot came free).
  void kick() {
    {
      std::lock_guard lock(mutex_);
      kicked_ = true;
    }
    wake_.notify_all();
  }

 private:
  void run() {
    for (;;) {
      try {
        pass_();
      } catch (const std::exception& e) {
        log_error(name_ + " pass failed", {{"error", e.what()}});
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, poll_, [&] { return stopping_ || kicked_; });
      kicked_ = false;
      if (stopping_) return;
    }
  }

  std::string name_;
  std::chrono::milliseconds poll_;
  std::function<void()> pass_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool kicked_ = false;
};

}  // namespace cxco::util
