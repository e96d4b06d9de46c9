#include "services/queue_worker.h"

#include "util/log.h"

namespace cxco::services {

QueueWorker::QueueWorker(std::string name, store::Database& db, const util::Clock& clock, int concurrency,
                         std::chrono::milliseconds poll, std::vector<QueueSpec> queues,
                         std::function<void()> before_claim, int niceness)
    : name_(std::move(name)),
      db_(db),
      clock_(clock),
      concurrency_(concurrency),
      queues_(std::move(queues)),
      before_claim_(std::move(before_claim)),
      niceness_(niceness),
      loop_(name_, poll, [this] { pass(); }) {}

QueueWorker::~QueueWorker() { stop(); }

void QueueWorker::start() {
  if (workers_) return;
  // A single SQLite node owns every job: leases left by a crash are void at start.
  if (db_.dialect() == store::Dialect::sqlite) db_.write([](store::Tx& tx) { store::work_queue::release_leases(tx); });
  workers_ = std::make_unique<util::WorkerPool>(concurrency_, niceness_);
  loop_.start();
}

void QueueWorker::stop() {
  loop_.stop();
  workers_.reset();  // finishes the jobs in progress
}

void QueueWorker::pass() {
  if (before_claim_) before_claim_();
  for (const auto& spec : queues_) claim(spec);
}

void QueueWorker::claim(const QueueSpec& spec) {
  const auto now_ms = clock_.now_ms();
  {
    std::lock_guard lock(mutex_);
    if (in_flight_ >= concurrency_) return;
  }
  if (!db_.read([&](store::Tx& tx) { return store::work_queue::any_due(tx, spec.queue, now_ms, spec.ordered_groups); }))
    return;
  std::vector<store::work_queue::Job> jobs;
  {
    // Held across the claim, so the counts the filter reads are the ones the jobs are added to.
    std::lock_guard lock(mutex_);
    std::map<std::pair<std::string, std::string>, int> taken;
    store::work_queue::ClaimOptions options;
    options.queue = spec.queue;
    options.limit = concurrency_ - in_flight_;
    options.now_ms = now_ms;
    options.lease_ms = spec.lease.count();
    options.ordered_groups = spec.ordered_groups;
    if (spec.per_group_limit > 0)
      options.accept = [&](const store::work_queue::Job& job) {
        auto& n = taken[{spec.queue, job.group}];
        if (n >= spec.per_group_limit) return false;
        ++n;
        return true;
      };
    jobs = db_.write([&](store::Tx& tx) {
      taken = in_flight_by_group_;  // afresh if the transaction is run again
      return store::work_queue::claim(tx, options);
    });
    for (const auto& job : jobs) ++in_flight_, ++in_flight_by_group_[{spec.queue, job.group}];
  }
  for (auto& job : jobs) workers_->post([this, &spec, job = std::move(job)] { run(spec, job); });
}

void QueueWorker::run(const QueueSpec& spec, const store::work_queue::Job& job) {
  try {
    spec.run(job);
  } catch (const std::exception& e) {
    // The lease runs out and the job is taken up again; nothing is lost.
    util::log_error(name_ + ": job failed to run",
                    {{"queue", spec.queue}, {"ref_id", std::to_string(job.ref_id)}, {"error", e.what()}});
  }
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    const std::pair key{spec.queue, job.group};
    if (--in_flight_by_group_[key] == 0) in_flight_by_group_.erase(key);
  }
  loop_.kick();  // a slot is free, and the next job of the group may be due now
}

}  // namespace cxco::services
