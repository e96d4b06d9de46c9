// store/db on both databases: a rider (the key lookup that goes with a request's first
// statement) is settled before that statement's result is used, a rider that refuses undoes
// what the statement did, and a failure on either side leaves the connection usable; grouped
// writes (group commit) each store what they wrote and fail alone.
#include <thread>

#include "harness.h"
#include "store/db.h"

namespace cxco::test {

namespace {

// Records what the rider's statement found, and refuses it when told to.
class RecordingRider final : public store::Rider {
 public:
  RecordingRider(std::string_view sql, std::vector<std::string>& events, bool refuse = false)
      : Rider(sql, {}), events_(events), refuse_(refuse) {}

 private:
  void accept(store::Result&& result) override {
    events_.push_back("rider saw " + (result.rows.empty() ? std::string("nothing") : result.rows.front().str("v")));
    if (refuse_) throw std::runtime_error("refused");
  }
  std::vector<std::string>& events_;
  bool refuse_;
};

class DatabaseLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    db = store::Database::open(database.url(), 1);
    db->write([](store::Tx& tx) { tx.script("CREATE TABLE t (v INTEGER NOT NULL)"); });
  }
  std::int64_t rows() {
    return db->read([](store::Tx& tx) { return tx.one("SELECT COUNT(*) AS n FROM t")->i64("n"); });
  }

  TestDatabase database;
  std::unique_ptr<store::Database> db;
  std::vector<std::string> events;
};

}  // namespace

TEST_F(DatabaseLayer, ARiderIsSettledBeforeTheStatementItGoesWithIsUsedAndGoesOnce) {
  RecordingRider rider("SELECT 7 AS v", events);
  {
    store::RideScope ride(rider);
    const auto row = db->one("SELECT 8 AS v", {});
    events.push_back("statement saw " + row->str("v"));
    db->one("SELECT 9 AS v", {});
  }
  EXPECT_TRUE(rider.settled());
  EXPECT_EQ(events, (std::vector<std::string>{"rider saw 7", "statement saw 8"}));
}

TEST_F(DatabaseLayer, ARiderThatRefusesUndoesTheWriteItWentWith) {
  RecordingRider rider("SELECT 7 AS v", events, /*refuse=*/true);
  {
    store::RideScope ride(rider);
    EXPECT_THROW(db->write([](store::Tx& tx) { tx.exec("INSERT INTO t (v) VALUES (1)"); }), std::runtime_error);
  }
  EXPECT_EQ(events, std::vector<std::string>{"rider saw 7"});
  EXPECT_EQ(rows(), 0);
  db->write([](store::Tx& tx) { tx.exec("INSERT INTO t (v) VALUES (2)"); });
  EXPECT_EQ(rows(), 1);
}

TEST_F(DatabaseLayer, AStatementThatFailsAfterARiderStillSettlesIt) {
  RecordingRider rider("SELECT 7 AS v", events);
  {
    store::RideScope ride(rider);
    EXPECT_THROW(db->one("INSERT INTO t (v) VALUES (NULL)", {}), store::DatabaseError);
  }
  EXPECT_EQ(events, std::vector<std::string>{"rider saw 7"});
  EXPECT_EQ(db->one("SELECT 8 AS v", {})->str("v"), "8");
}

TEST_F(DatabaseLayer, ARiderThatFailsKeepsTheStatementsResultFromTheCallerAndTheConnectionUsable) {
  RecordingRider rider("INSERT INTO t (v) VALUES (NULL)", events);
  {
    store::RideScope ride(rider);
    EXPECT_THROW(db->one("SELECT 8 AS v", {}), store::DatabaseError);
  }
  EXPECT_FALSE(rider.settled());
  EXPECT_EQ(db->one("SELECT 8 AS v", {})->str("v"), "8");
}

TEST_F(DatabaseLayer, ARiderNoStatementTookIsSettledAlone) {
  RecordingRider rider("SELECT 7 AS v", events);
  { store::RideScope ride(rider); }
  EXPECT_FALSE(rider.settled());
  db->settle(rider);
  db->settle(rider);
  EXPECT_EQ(events, std::vector<std::string>{"rider saw 7"});
}

TEST_F(DatabaseLayer, GroupedWritesEachStoreTheirRowsAndAFailingOneUndoesOnlyItself) {
  constexpr int kWriters = 16;
  std::vector<std::string> outcomes(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      try {
        const auto stored = db->write_grouped([&](store::Tx& tx) {
          tx.exec("INSERT INTO t (v) VALUES (?)", {std::int64_t{i}});
          if (i == 7) throw std::runtime_error("writer 7 refuses");
          return tx.one("SELECT COUNT(*) AS n FROM t WHERE v = ?", {std::int64_t{i}})->i64("n");
        });
        outcomes[i] = "stored " + std::to_string(stored);
      } catch (const std::runtime_error& e) {
        outcomes[i] = e.what();
      }
    });
  for (auto& w : writers) w.join();

  for (int i = 0; i < kWriters; ++i) EXPECT_EQ(outcomes[i], i == 7 ? "writer 7 refuses" : "stored 1") << i;
  EXPECT_EQ(rows(), kWriters - 1);
  EXPECT_FALSE(db->one("SELECT v FROM t WHERE v = 7", {}));
}

}  // namespace cxco::test
