// What lets a team run CXCo: Idempotency-Key replay, per-key rate limits, Prometheus metrics.
#include <atomic>
#include <thread>

#include "harness.h"

namespace cxco::test {

namespace json = boost::json;

class Operability : public ::testing::Test {
 protected:
  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
  }
  Reply post_with_key(const std::string& path, const std::string& api_key, const std::string& idem,
                      const json::object& body) {
    return server.request("POST", path, api_key, json::serialize(body), {{"Idempotency-Key", idem}});
  }
  json::object agent_body(const std::string& name) {
    return json::object{{"name", name}, {"personality", "P"}, {"opening_line", "O"}, {"voice_id", 1}};
  }

  TestServer server;
  TestServer::Account company{}, user{};
};

TEST_F(Operability, IdempotencyKeyReplaysTheFirstAnswer) {
  auto first = post_with_key("/api/agents/", user.key, "create-agent-1", agent_body("Once"));
  ASSERT_EQ(first.status, 201);
  auto again = post_with_key("/api/agents/", user.key, "create-agent-1", agent_body("Once"));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(server.get("/api/agents/", user.key).json.at("items").as_array().size(), 1u);  // created once

  auto different = post_with_key("/api/agents/", user.key, "create-agent-1", agent_body("Twice"));
  EXPECT_EQ(different.status, 422);
  EXPECT_EQ(different.json.at("errors").at(0).at("loc").at(1), "Idempotency-Key");

  // Keys are scoped to the company: another company may use the same key for its own request.
  auto other = server.create_company("Other");
  auto other_user = server.create_user(other.key, "eve@other.io");
  EXPECT_EQ(post_with_key("/api/agents/", other_user.key, "create-agent-1", agent_body("Once")).status, 201);
  // Without a key every POST does the work.
  EXPECT_EQ(server.post("/api/agents/", user.key, agent_body("Once")).status, 201);
  EXPECT_EQ(server.get("/api/agents/", user.key).json.at("items").as_array().size(), 2u);
}

TEST_F(Operability, IdempotencyKeyKeepsClientErrorsButNotServerErrors) {
  auto bad = post_with_key("/api/agents/", user.key, "k-422", json::object{{"name", "X"}});
  ASSERT_EQ(bad.status, 422);
  auto replayed = post_with_key("/api/agents/", user.key, "k-422", json::object{{"name", "X"}});
  EXPECT_EQ(replayed.status, 422);
  EXPECT_EQ(replayed.header("idempotent-replayed"), "true");
  EXPECT_EQ(server.request("POST", "/api/agents/", user.key, "{}", {{"Idempotency-Key", std::string(300, 'k')}}).status,
            422);
}

TEST_F(Operability, ConcurrentRetriesWithOneKeyDoTheWorkOnce) {
  std::atomic<int> created{0}, in_progress{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = post_with_key("/api/agents/", user.key, "race-key", agent_body("Racer"));
      if (r.status == 201)
        ++created;
      else if (r.status == 409)
        ++in_progress;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created + in_progress, 8);
  EXPECT_EQ(server.get("/api/agents/", user.key).json.at("items").as_array().size(), 1u);
}

TEST(RateLimits, TokenBucketPerKeyAnswers429WithRetryAfter) {
  TestServer server([](auto& v) {
    v["CXCO_RATE_LIMIT_PER_SECOND"] = '1';  // chars: GCC 12 at -O3 flags 1-char literals (GCC bug 105329)
    v["CXCO_RATE_LIMIT_BURST"] = '3';
  });
  auto company = server.create_company("Acme");
  auto user = server.create_user(company.key, "jane@acme.com");
  int ok = 0;
  Reply limited;
  for (int i = 0; i < 6; ++i) {
    auto r = server.get("/api/users/me", user.key);
    if (r.status == 200)
      ++ok;
    else
      limited = r;
  }
  EXPECT_LE(ok, 4);  // the burst, plus at most one token refilled meanwhile
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.json.at("error_type"), "rate_limited");
  EXPECT_GE(std::stoi(limited.header("retry-after")), 1);
  // Another key has its own bucket.
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(company.id), company.key).status, 200);
}

TEST_F(Operability, MetricsExposeRequestsLatencyPoolAndQueues) {
  ASSERT_EQ(server.get("/api/users/me", user.key).status, 200);
  ASSERT_EQ(server.get("/api/agents/424242", user.key).status, 404);
  auto m = server.get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.header("content-type").find("text/plain"), std::string::npos);
  for (const auto* needle : {"cxco_http_requests_total{route=\"/api/users/me\",method=\"GET\",status=\"200\"}",
                             "cxco_http_requests_total{route=\"/api/agents/{agent_id}\",method=\"GET\",status=\"404\"}",
                             "cxco_http_request_duration_seconds_bucket{route=\"/api/users/me\",le=\"+Inf\"}",
                             "cxco_db_pool_connections{state=\"idle\"}", "cxco_outbox_pending_events",
                             "cxco_webhook_deliveries_pending", "# TYPE cxco_http_request_duration_seconds histogram"})
    EXPECT_NE(m.body.find(needle), std::string::npos) << needle;
}

}  // namespace cxco::test
