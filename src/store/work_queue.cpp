#include "store/work_queue.h"

#include "crypto/crypto.h"

namespace cxco::store::work_queue {

namespace {

constexpr std::string_view kEnqueue =
    "INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at) VALUES (?, ?, ?, 0, ?, ?) "
    "ON CONFLICT (queue, ref_id) DO NOTHING";
constexpr std::string_view kEnqueueBy =
    "INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at) VALUES (?, ?, ?, 0, ?, ?) "
    "ON CONFLICT (queue, ref_id) DO UPDATE SET run_at = excluded.run_at WHERE jobs.run_at > excluded.run_at";
constexpr std::string_view kDue =
    "SELECT j.id, j.queue, j.ref_id, j.group_key, j.attempts FROM jobs j "
    "WHERE j.queue = ? AND j.run_at <= ? AND (j.leased_until IS NULL OR j.leased_until < ?)";
constexpr std::string_view kNoOlderInGroup =
    " AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.queue = j.queue AND e.group_key = j.group_key AND e.id < j.id)";
constexpr std::string_view kDueOrder = " ORDER BY j.run_at, j.id LIMIT ?";
constexpr std::string_view kLease = "UPDATE jobs SET lease_token = ?, leased_until = ? WHERE id = ?";
constexpr std::string_view kFinish = "DELETE FROM jobs WHERE id = ? AND lease_token = ?";
constexpr std::string_view kRetry =
    "UPDATE jobs SET attempts = attempts + 1, run_at = ?, last_error = ?, lease_token = NULL, leased_until = NULL "
    "WHERE id = ? AND lease_token = ?";
constexpr std::string_view kPostpone =
    "UPDATE jobs SET run_at = ?, lease_token = NULL, leased_until = NULL WHERE id = ? AND lease_token = ?";
constexpr std::string_view kReleaseLeases =
    "UPDATE jobs SET lease_token = NULL, leased_until = NULL WHERE lease_token IS NOT NULL";
constexpr std::string_view kDepth = "SELECT queue, count(*) AS n FROM jobs GROUP BY queue ORDER BY queue";

// Candidates read per claim: more than the slots, so that jobs the worker declines (their
// group is busy) do not hide others behind them.
constexpr std::int64_t kCandidates = 100;

std::string due_query(bool ordered_groups) {
  return std::string(kDue) + (ordered_groups ? std::string(kNoOlderInGroup) : std::string()) + std::string(kDueOrder);
}

}  // namespace

void enqueue(Tx& tx, std::string_view queue, std::int64_t ref_id, std::string_view group, std::int64_t run_at_ms,
             const std::string& now) {
  tx.exec(kEnqueue, {std::string(queue), ref_id, std::string(group), run_at_ms, now});
}

void enqueue_by(Tx& tx, std::string_view queue, std::int64_t ref_id, std::string_view group, std::int64_t run_at_ms,
                const std::string& now) {
  tx.exec(kEnqueueBy, {std::string(queue), ref_id, std::string(group), run_at_ms, now});
}

bool any_due(Tx& tx, std::string_view queue, std::int64_t now_ms, bool ordered_groups) {
  return tx.one(due_query(ordered_groups), {std::string(queue), now_ms, now_ms, std::int64_t{1}}).has_value();
}

std::vector<Job> claim(Tx& tx, const ClaimOptions& o) {
  const auto rows = tx.query(due_query(o.ordered_groups) + std::string(tx.lock_rows_clause()),
                             {std::string(o.queue), o.now_ms, o.now_ms, kCandidates});
  std::vector<Job> claimed;
  for (const auto& row : rows.rows) {
    if (static_cast<int>(claimed.size()) >= o.limit) break;
    Job job{row.i64("id"), row.str("queue"), row.i64("ref_id"), row.str("group_key"), row.i64("attempts"), {}};
    if (o.accept && !o.accept(job)) continue;
    job.lease_token = crypto::random_base62(20);
    tx.exec(kLease, {job.lease_token, o.now_ms + o.lease_ms, job.id});
    claimed.push_back(std::move(job));
  }
  return claimed;
}

bool finish(Tx& tx, const Job& job) { return tx.exec(kFinish, {job.id, job.lease_token}) == 1; }

bool retry(Tx& tx, const Job& job, std::int64_t run_at_ms, std::string_view error) {
  return tx.exec(kRetry, {run_at_ms, std::string(error), job.id, job.lease_token}) == 1;
}

bool postpone(Tx& tx, const Job& job, std::int64_t run_at_ms) {
  return tx.exec(kPostpone, {run_at_ms, job.id, job.lease_token}) == 1;
}

void release_leases(Tx& tx) { tx.exec(kReleaseLeases); }

std::vector<std::pair<std::string, std::int64_t>> depth(Tx& tx) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& row : tx.query(kDepth).rows) out.emplace_back(row.str("queue"), row.i64("n"));
  return out;
}

}  // namespace cxco::store::work_queue
