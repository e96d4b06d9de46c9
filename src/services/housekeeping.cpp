#include "services/housekeeping.h"

#include "store/audit_repo.h"
#include "store/work_queue.h"
#include "util/log.h"

namespace cxco::services {

namespace {

constexpr std::int64_t kPruneEveryMs = 3600 * 1000;
// The prune job's row: there is only ever one, whichever node enqueued it first.
constexpr std::int64_t kPruneJobRef = 0;

}  // namespace

Housekeeping::Housekeeping(store::Database& db, const util::Clock& clock, Keys& keys, HousekeepingOptions options)
    : db_(db),
      clock_(clock),
      keys_(keys),
      options_(options),
      worker_("housekeeping", db, clock, 1, options_.poll,
              {QueueSpec{kAuditPruneQueue, [this](const store::work_queue::Job& job) { prune_audit_log(job); }}},
              [this] { keys_.flush_use(); }) {}

void Housekeeping::start() {
  if (options_.audit_retention_days > 0)
    db_.write([&](store::Tx& tx) {
      store::work_queue::enqueue(tx, kAuditPruneQueue, kPruneJobRef, "", clock_.now_ms(), util::iso8601(clock_.now()));
    });
  worker_.start();
}

void Housekeeping::stop() {
  worker_.stop();
  keys_.flush_use();
}

void Housekeeping::prune_audit_log(const store::work_queue::Job& job) {
  db_.write([&](store::Tx& tx) {
    // Retention turned off since the job was queued: the job ends.
    if (options_.audit_retention_days <= 0) {
      store::work_queue::finish(tx, job);
      return;
    }
    // One reading of the clock for the cutoff and the next run: read twice, a clock that jumped
    // in between (a test's clock, a corrected system clock) put the next run past rows the cutoff missed.
    const auto now_ms = clock_.now_ms();
    const auto cutoff = util::iso8601(now_ms / 1000 - std::int64_t{options_.audit_retention_days} * 86400);
    if (const auto pruned = store::audit_repo::prune(tx, cutoff))
      util::log_info("pruned the audit log", {{"rows", std::to_string(pruned)}, {"before", cutoff}});
    store::work_queue::postpone(tx, job, now_ms + kPruneEveryMs);
  });
}

}  // namespace cxco::services
