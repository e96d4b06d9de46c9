// Webhook delivery (platform.md section 5): fans each outbox event out to the company's
// subscribed webhooks, then delivers due deliveries with bounded concurrency, signed, with
// retries on the configured schedule. Work is claimed with a lease in the database, so
// several nodes on PostgreSQL share it and a crashed node's deliveries are picked up again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "api/context.h"
#include "util/polling_loop.h"
#include "util/worker_pool.h"

namespace cxco::events {

struct DispatcherOptions {
  int concurrency = 8;  // deliveries in flight on this node
  int per_webhook = 2;  // of which at most this many to one webhook, so one slow endpoint cannot take them all
  std::chrono::milliseconds poll{100};
};

class Dispatcher {
 public:
  explicit Dispatcher(api::AppContext& app, DispatcherOptions options = {});
  ~Dispatcher();
  void start();
  // Stops claiming new work and waits for deliveries in flight.
  void stop();

 private:
  struct Claimed {
    std::int64_t id, webhook_id, lease;
  };
  void pass();
  void fan_out();
  std::vector<Claimed> claim(int slots);
  void deliver(const Claimed& c);
  std::int64_t lease_ms() const;

  api::AppContext& app_;
  DispatcherOptions options_;
  std::unique_ptr<util::WorkerPool> workers_;
  std::mutex mutex_;  // guards the in-flight counts
  int in_flight_ = 0;
  std::map<std::int64_t, int> in_flight_by_webhook_;
  util::PollingLoop loop_;  // last: stopped before the members its passes use are destroyed
};

}  // namespace cxco::events
