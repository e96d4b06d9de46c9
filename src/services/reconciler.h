// The scheduled reconciler (platform.md section 4): in live mode every node runs it, and it
// stores the finished provider conversations whose post-call webhook never arrived. One job on
// the work queue (queue `reconcile`, ref_id 0) carries the schedule: each run postpones it by
// the interval, and its lease lets one node at a time run it on PostgreSQL.
#pragma once

#include <chrono>

#include "services/conversations.h"
#include "services/queue_worker.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

struct ReconcilerOptions {
  std::chrono::milliseconds interval{std::chrono::minutes(10)};  // CXCO_RECONCILE_INTERVAL_SECONDS
  std::chrono::milliseconds poll{std::chrono::seconds(1)};       // how soon a due run is noticed
};

class Reconciler {
 public:
  Reconciler(store::Database& db, const util::Clock& clock, Conversations& conversations, ReconcilerOptions options);
  // Schedules the first run now unless a run is scheduled already (by this node before a
  // restart, or by another node), then claims runs as they fall due.
  void start();
  // Stops claiming runs and waits for the one in progress.
  void stop() { worker_.stop(); }

 private:
  void run(const store::work_queue::Job& job);

  store::Database& db_;
  const util::Clock& clock_;
  Conversations& conversations_;
  ReconcilerOptions options_;
  QueueWorker worker_;  // last: stopped before the members its jobs use are destroyed
};

}  // namespace cxco::services
