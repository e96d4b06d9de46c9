#include "services/reconciler.h"

#include <algorithm>

#include "store/reconciliation_repo.h"
#include "store/work_queue.h"
#include "util/log.h"

namespace cxco::services {

namespace {

constexpr const char* kQueue = "reconcile";
constexpr std::int64_t kJob = 0;               // the one job of the queue
constexpr const char* kSource = "elevenlabs";  // the voice provider's conversations
// A call lasts at most 7200 s (max_call_duration_seconds) and the provider analyses it after it
// ends: a conversation that started this long before a run is finished when the run lists it.
constexpr std::int64_t kSettleSeconds = 3 * 3600;
// How far back one run lists at most; after longer outages, `cxco admin reconcile-conversations
// --since-unix` fetches the rest.
constexpr std::int64_t kMaxLookbackSeconds = 7 * 86400;
// Longer than a run takes: another node takes the job over only from a node that died.
constexpr std::chrono::milliseconds kLease = std::chrono::minutes(30);

}  // namespace

Reconciler::Reconciler(store::Database& db, const util::Clock& clock, Conversations& conversations,
                       ReconcilerOptions options)
    : db_(db),
      clock_(clock),
      conversations_(conversations),
      options_(options),
      worker_("reconciler", db, clock, 1, options_.poll,
              {QueueSpec{kQueue, [this](const store::work_queue::Job& job) { run(job); }, kLease}}) {}

void Reconciler::start() {
  db_.write([&](store::Tx& tx) {
    store::work_queue::enqueue(tx, kQueue, kJob, "", clock_.now_ms(), util::iso8601(clock_.now()));
  });
  worker_.start();
}

void Reconciler::run(const store::work_queue::Job& job) {
  const auto started_ms = clock_.now_ms();
  const auto started = started_ms / 1000;
  const auto settled = db_.read([](store::Tx& tx) { return store::reconciliation_repo::settled_before(tx, kSource); });
  // From where the last complete run left off, so calls of an outage are fetched too.
  const auto since = std::max(started - kMaxLookbackSeconds, settled.value_or(0));
  const auto report = conversations_.reconcile(since);
  const auto next_ms = started_ms + options_.interval.count();
  db_.write([&](store::Tx& tx) {
    const auto now = util::iso8601(clock_.now());
    // A workspace that could not be listed keeps the window open: the next run lists it again.
    if (report.failed_workspaces) {
      store::work_queue::retry(tx, job, next_ms,
                               std::to_string(report.failed_workspaces) + " provider workspace(s) not listed");
      return;
    }
    if (store::work_queue::postpone(tx, job, next_ms))
      store::reconciliation_repo::settle(tx, kSource, std::max(settled.value_or(0), started - kSettleSeconds), now);
  });
  util::log(report.failed_workspaces ? util::LogLevel::warn : util::LogLevel::info, "conversations reconciled",
            {{"since_unix", std::to_string(since)},
             {"listed", std::to_string(report.listed)},
             {"stored", std::to_string(report.stored)},
             {"failed_workspaces", std::to_string(report.failed_workspaces)}});
}

}  // namespace cxco::services
