// The one durable work queue every background job runs from (webhook deliveries, WhatsApp
// replies and verifications): a `jobs` row per piece of work still to do, pointing at the row
// it works on (`ref_id`). A worker claims due jobs with a lease token; only the holder of the
// token may finish, retry or postpone the job, so a node whose lease ran out (it stalled, or
// another node took over after it died) can no longer record anything. Finished jobs are
// deleted: the rows they worked on keep the history.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/db.h"

namespace cxco::store::work_queue {

struct Job {
  std::int64_t id = 0;
  std::string queue;
  std::int64_t ref_id = 0;
  std::string group;          // jobs of one group: ordered, or limited in flight, as the worker says
  std::int64_t attempts = 0;  // failed attempts so far
  std::string lease_token;
};

struct ClaimOptions {
  std::string_view queue;
  int limit = 1;
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 60000;
  // A job waits while an older job of its group is still queued: one conversation's replies
  // go out in order.
  bool ordered_groups = false;
  // Whether to take a due job now (e.g. a cap on jobs in flight per group); empty: all.
  std::function<bool(const Job&)> accept;
};

// Adds a job (one per queue and ref_id: enqueueing it twice is a no-op).
void enqueue(Tx& tx, std::string_view queue, std::int64_t ref_id, std::string_view group, std::int64_t run_at_ms,
             const std::string& now);
// Adds the job, or brings it forward to run_at_ms if it is queued for later (a wake-up: work
// for it arrived). A job leased meanwhile keeps what its holder records.
void enqueue_by(Tx& tx, std::string_view queue, std::int64_t ref_id, std::string_view group, std::int64_t run_at_ms,
                const std::string& now);
// A cheap read to skip the write transaction of a claim when nothing is due.
bool any_due(Tx& tx, std::string_view queue, std::int64_t now_ms, bool ordered_groups);
// Leases up to options.limit due jobs (FOR UPDATE SKIP LOCKED on PostgreSQL).
std::vector<Job> claim(Tx& tx, const ClaimOptions& options);

// Each answers false, and changes nothing, when the caller no longer holds the job's lease.
bool finish(Tx& tx, const Job& job);
bool retry(Tx& tx, const Job& job, std::int64_t run_at_ms, std::string_view error);  // counts an attempt
bool postpone(Tx& tx, const Job& job, std::int64_t run_at_ms);                       // polling: no attempt

// Leases left by a node that died. A single SQLite node owns every job, so at its start none
// is really held.
void release_leases(Tx& tx);
// Jobs queued per queue, for /metrics.
std::vector<std::pair<std::string, std::int64_t>> depth(Tx& tx);

}  // namespace cxco::store::work_queue
