// Runs jobs of the work queue (store/work_queue.h) on a pool of threads: every `poll`, or at
// once when a slot frees up, it claims due jobs of its queues up to its free slots and hands
// each to its queue's handler. Several nodes running the same queues share the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/work_queue.h"
#include "util/polling_loop.h"
#include "util/time.h"
#include "util/worker_pool.h"

namespace cxco::services {

struct QueueSpec {
  std::string queue;
  // The handler: does the work and, in the transaction that records its outcome, finishes,
  // retries or postpones the job (which fails if the lease was lost, so nothing is recorded
  // twice). If it throws, the lease runs out and the job is taken up again.
  std::function<void(const store::work_queue::Job&)> run;
  std::chrono::milliseconds lease{60000};
  bool ordered_groups = false;  // a group's jobs one at a time, oldest first
  int per_group_limit = 0;      // jobs of one group in flight on this node; 0: no limit
};

class QueueWorker {
 public:
  // `before_claim` runs at the start of every pass (e.g. fanning events out into jobs);
  // `niceness` above 0 runs the jobs at a lower CPU priority (util::WorkerPool).
  QueueWorker(std::string name, store::Database& db, const util::Clock& clock, int concurrency,
              std::chrono::milliseconds poll, std::vector<QueueSpec> queues, std::function<void()> before_claim = {},
              int niceness = 0);
  ~QueueWorker();
  QueueWorker(const QueueWorker&) = delete;
  QueueWorker& operator=(const QueueWorker&) = delete;

  void start();
  // Stops claiming work and waits for the jobs in progress.
  void stop();

 private:
  void pass();
  void claim(const QueueSpec& spec);
  void run(const QueueSpec& spec, const store::work_queue::Job& job);

  std::string name_;
  store::Database& db_;
  const util::Clock& clock_;
  int concurrency_;
  std::vector<QueueSpec> queues_;
  std::function<void()> before_claim_;
  int niceness_;
  std::unique_ptr<util::WorkerPool> workers_;
  std::mutex mutex_;  // guards the in-flight counts
  int in_flight_ = 0;
  std::map<std::pair<std::string, std::string>, int> in_flight_by_group_;  // (queue, group)
  util::PollingLoop loop_;  // last: stopped before the members its passes use are destroyed
};

}  // namespace cxco::services
