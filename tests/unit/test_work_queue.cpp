// store::work_queue on a SQLite file of its own: claims lease due jobs, only the lease holder
// finishes, retries or postpones, ordered groups run oldest first.
#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/crypto.h"
#include "store/migrations.h"
#include "store/work_queue.h"

namespace cxco::store {

namespace {

namespace wq = work_queue;

class WorkQueue : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cxco-queue-" + crypto::to_hex(crypto::random_bytes(6)));
    std::filesystem::create_directories(dir_);
    db_ = Database::open("sqlite://" + (dir_ / "q.db").string(), 1);
    apply_migrations(*db_);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void enqueue(std::int64_t ref, std::string group = "", std::int64_t run_at = 0) {
    db_->write([&](Tx& tx) { wq::enqueue(tx, "q", ref, group, run_at, "2026-01-01T00:00:00Z"); });
  }
  std::vector<wq::Job> claim(std::int64_t now, int limit = 10, bool ordered = false,
                             std::function<bool(const wq::Job&)> accept = {}) {
    wq::ClaimOptions o;
    o.queue = "q";
    o.limit = limit;
    o.now_ms = now;
    o.lease_ms = 1000;
    o.ordered_groups = ordered;
    o.accept = std::move(accept);
    return db_->write([&](Tx& tx) { return wq::claim(tx, o); });
  }
  std::vector<std::int64_t> refs(const std::vector<wq::Job>& jobs) {
    std::vector<std::int64_t> out;
    for (const auto& j : jobs) out.push_back(j.ref_id);
    return out;
  }
  std::int64_t depth() {
    return db_->read([](Tx& tx) {
      std::int64_t n = 0;
      for (const auto& [queue, count] : wq::depth(tx)) n += count;
      return n;
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace

TEST_F(WorkQueue, ClaimsOnlyDueJobsOnceWhileLeased) {
  enqueue(1, "", 100);
  enqueue(2, "", 500);
  enqueue(1, "", 100);  // the same work twice is one job
  EXPECT_EQ(depth(), 2);
  EXPECT_TRUE(claim(50).empty());
  EXPECT_EQ(refs(claim(100)), (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(claim(200).empty()) << "leased until 1100";
  EXPECT_EQ(refs(claim(600)), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(refs(claim(1200)), (std::vector<std::int64_t>{1})) << "the lease ran out: another node takes it";
}

TEST_F(WorkQueue, OnlyTheLeaseHolderEndsAJob) {
  enqueue(1);
  const auto first = claim(0).at(0);
  const auto second = claim(5000).at(0);  // first's lease ran out; another node took over
  EXPECT_NE(first.lease_token, second.lease_token);
  EXPECT_FALSE(db_->write([&](Tx& tx) { return wq::finish(tx, first); }));
  EXPECT_FALSE(db_->write([&](Tx& tx) { return wq::retry(tx, first, 0, "late"); }));
  EXPECT_FALSE(db_->write([&](Tx& tx) { return wq::postpone(tx, first, 0); }));
  EXPECT_EQ(depth(), 1);
  EXPECT_TRUE(db_->write([&](Tx& tx) { return wq::finish(tx, second); }));
  EXPECT_EQ(depth(), 0);
}

TEST_F(WorkQueue, RetryCountsAnAttemptAndPostponeDoesNot) {
  enqueue(1);
  auto job = claim(0).at(0);
  EXPECT_EQ(job.attempts, 0);
  ASSERT_TRUE(db_->write([&](Tx& tx) { return wq::retry(tx, job, 3000, "HTTP 500"); }));
  EXPECT_TRUE(claim(2999).empty());
  job = claim(3000).at(0);
  EXPECT_EQ(job.attempts, 1);
  ASSERT_TRUE(db_->write([&](Tx& tx) { return wq::postpone(tx, job, 4000); }));
  job = claim(4000).at(0);
  EXPECT_EQ(job.attempts, 1);
}

TEST_F(WorkQueue, OrderedGroupsRunOneAtATimeOldestFirst) {
  enqueue(1, "conversation-7");
  enqueue(2, "conversation-7");
  enqueue(3, "conversation-8");
  const auto first = claim(0, 10, true);
  EXPECT_EQ(refs(first), (std::vector<std::int64_t>{1, 3}));
  EXPECT_TRUE(claim(0, 10, true).empty()) << "2 waits for 1, even while 1 is leased";
  ASSERT_TRUE(db_->write([&](Tx& tx) { return wq::finish(tx, first.at(0)); }));
  EXPECT_EQ(refs(claim(0, 10, true)), (std::vector<std::int64_t>{2}));
}

TEST_F(WorkQueue, TheWorkerMayDeclineJobsAndTakesOthersInstead) {
  for (std::int64_t ref = 1; ref <= 4; ++ref) enqueue(ref, ref <= 3 ? "busy-webhook" : "other");
  int taken_from_busy = 0;
  const auto jobs =
      claim(0, 3, false, [&](const wq::Job& j) { return j.group != "busy-webhook" || taken_from_busy++ < 1; });
  EXPECT_EQ(refs(jobs), (std::vector<std::int64_t>{1, 4}));
}

TEST_F(WorkQueue, ReleasingLeasesMakesJobsDueAgain) {
  enqueue(1);
  ASSERT_EQ(claim(0).size(), 1u);
  EXPECT_TRUE(claim(10).empty());
  db_->write([](Tx& tx) { wq::release_leases(tx); });
  EXPECT_EQ(claim(10).size(), 1u);
}

}  // namespace cxco::store
