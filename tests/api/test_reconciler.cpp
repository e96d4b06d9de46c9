// The reconciler inside `cxco serve` (live mode): on its schedule it stores the calls whose
// post-call webhook never arrived, and on PostgreSQL one node at a time runs it.
#include "fakes/elevenlabs_fake.h"
#include "harness.h"
#include "providers/simulated_post_call.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
constexpr std::int64_t kInterval = 600;

// A finished call as the provider's GET conversation answers it (the post-call webhook's data).
json::object finished_call(const std::string& agent_id, std::int64_t started) {
  providers::SimulatedCall call;
  call.external_agent_id = agent_id;
  call.agent_number = "+27211234567";
  call.started_unix = started;
  call.duration_seconds = 95;
  return providers::simulated_post_call(call)["data"].as_object();
}

}  // namespace

class Reconciler : public ::testing::Test {
 protected:
  std::function<void(std::map<std::string, std::string>&)> live(const std::string& database_url = "") {
    return [this, database_url](std::map<std::string, std::string>& v) {
      v["CXCO_PROVIDER_MODE"] = "live";
      v["CXCO_ELEVENLABS_BASE_URL"] = fake.base_url();
      v["CXCO_ELEVENLABS_API_KEY"] = FakeElevenLabs::kDefaultKey;
      v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test";
      v["CXCO_RECONCILE_INTERVAL_SECONDS"] = std::to_string(kInterval);
      if (!database_url.empty()) v["CXCO_DATABASE_URL"] = database_url;
    };
  }
  void SetUp() override {
    server = std::make_unique<TestServer>(live(), app::StartOptions{}, &clock);
    db = store::Database::open(server->database().url(), 1);
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    server->add_numbers({"+27211234567"});
    agent = server->publish_agent(user.key, "Front desk");
  }
  // Where the last complete run left off; 0 before the first.
  std::int64_t settled_before() {
    return db->read([](store::Tx& tx) {
      const auto row = tx.one("SELECT settled_before_unix FROM reconciliation_state WHERE source = 'elevenlabs'");
      return row ? row->i64("settled_before_unix") : 0;
    });
  }
  json::array conversations() {
    auto r = server->get("/api/conversations/", user.key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.at("items").as_array();
  }

  ManualClock clock{kNow * 1000};
  FakeElevenLabs fake;
  std::unique_ptr<TestServer> server;
  std::unique_ptr<store::Database> db;
  TestServer::Account company{}, user{};
  TestServer::LiveAgent agent{};
};

TEST_F(Reconciler, StoresACallWhoseWebhookWasDroppedAtTheNextRun) {
  // The run at start found nothing to list yet and settled everything up to 3 hours back.
  ASSERT_TRUE(eventually([&] { return settled_before() == kNow - 3 * 3600; }));
  const auto listed = fake.request_count("list_conversations");

  // A call ends and its webhook is lost: nothing runs before the interval is up.
  const auto dropped = finished_call(agent.external_id, kNow - 300);
  fake.add_conversation(dropped);
  EXPECT_TRUE(conversations().empty());

  clock.advance_seconds(kInterval);
  ASSERT_TRUE(eventually([&] { return conversations().size() == 1; }));
  const auto stored = conversations()[0];
  EXPECT_EQ(stored.at("external_conversation_id"), dropped.at("conversation_id"));
  EXPECT_EQ(stored.at("agent_id").as_int64(), agent.id);
  EXPECT_EQ(stored.at("duration_seconds").as_int64(), 95);
  ASSERT_TRUE(eventually([&] { return settled_before() == kNow + kInterval - 3 * 3600; }));
  EXPECT_EQ(fake.request_count("list_conversations"), listed + 1);
  // Listed from where the previous run left off.
  EXPECT_EQ(fake.last_query("list_conversations", "call_start_after_unix"), std::to_string(kNow - 3 * 3600));
}

TEST_F(Reconciler, AFailedRunKeepsItsWindowForTheNextOne) {
  ASSERT_TRUE(eventually([&] { return settled_before() == kNow - 3 * 3600; }));
  const auto listed = fake.request_count("list_conversations");
  fake.add_conversation(finished_call(agent.external_id, kNow - 60));
  fake.fail("list_conversations", 503, 3);  // every attempt of the next run
  clock.advance_seconds(kInterval);
  ASSERT_TRUE(fake.wait_for_requests("list_conversations", listed + 3));
  // Not settled further: the next run lists from the same point again and finds the call.
  ASSERT_TRUE(eventually([&] {
    return db->read([](store::Tx& tx) {
      return tx.one("SELECT last_error FROM jobs WHERE queue = 'reconcile' AND last_error IS NOT NULL").has_value();
    });
  }));
  EXPECT_EQ(settled_before(), kNow - 3 * 3600);
  EXPECT_TRUE(conversations().empty());
  clock.advance_seconds(kInterval);
  ASSERT_TRUE(eventually([&] { return conversations().size() == 1; }));
  EXPECT_EQ(fake.last_query("list_conversations", "call_start_after_unix"), std::to_string(kNow - 3 * 3600));
}

// Two nodes on one PostgreSQL database: each due run is claimed by one of them.
TEST_F(Reconciler, OneNodeAtATimeRunsIt) {
  if (!postgres_backend()) GTEST_SKIP() << "several nodes share a database only on PostgreSQL";
  ASSERT_TRUE(eventually([&] { return settled_before() == kNow - 3 * 3600; }));
  TestServer second(live(server->database().url()), app::StartOptions{}, &clock);
  for (int run = 1; run <= 3; ++run) {
    const auto listed = fake.request_count("list_conversations");
    fake.add_conversation(finished_call(agent.external_id, clock.now() - 60));
    clock.advance_seconds(kInterval);
    ASSERT_TRUE(eventually([&] { return conversations().size() == static_cast<std::size_t>(run); }));
    ASSERT_TRUE(eventually([&] { return settled_before() == clock.now() - 3 * 3600; }));
    EXPECT_EQ(fake.request_count("list_conversations"), listed + 1) << "run " << run;
  }
}

}  // namespace cxco::test
