// Webhook delivery (platform.md section 5): fans each outbox event out to the company's
// subscribed webhooks (a delivery row and a job each), then delivers them from the work queue
// with bounded concurrency, signed, with retries on the configured schedule. Several nodes on
// PostgreSQL share the work, and a crashed node's deliveries are picked up again.
#pragma once

#include <chrono>
#include <memory>

#include "crypto/fernet.h"
#include "domain/retry.h"
#include "services/queue_worker.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::events {

struct DispatcherOptions {
  domain::RetrySchedule retry;               // CXCO_WEBHOOK_RETRY_SCHEDULE
  std::chrono::milliseconds timeout{10000};  // CXCO_WEBHOOK_TIMEOUT
  bool allow_private = false;                // CXCO_WEBHOOK_ALLOW_PRIVATE
  int concurrency = 8;                       // deliveries in flight on this node
  int per_webhook = 2;  // of which at most this many to one webhook, so one slow endpoint cannot take them all
  std::chrono::milliseconds poll{100};
};

class Dispatcher {
 public:
  Dispatcher(store::Database& db, const util::Clock& clock, const crypto::MultiFernet& fernet,
             DispatcherOptions options);
  void start() { worker_.start(); }
  // Stops claiming new work and waits for deliveries in flight.
  void stop() { worker_.stop(); }

 private:
  void fan_out();
  void deliver(const store::work_queue::Job& job);

  store::Database& db_;
  const util::Clock& clock_;
  const crypto::MultiFernet& fernet_;
  DispatcherOptions options_;
  services::QueueWorker worker_;  // last: stopped before the members its jobs use are destroyed
};

}  // namespace cxco::events
