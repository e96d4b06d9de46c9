// Company quotas (platform.md section 9): the operator sets them, the company sees them with their
// use, and publish and resume are refused at their edges, also when nodes race for the last slot.
#include <map>

#include "harness.h"
#include "util/time.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr const char* kSecret = "wsec_quotas_test";

json::object quotas(json::value max_active_agents, json::value monthly_voice_minutes = nullptr) {
  return {{"max_active_agents", max_active_agents},
          {"max_concurrent_calls", nullptr},
          {"monthly_voice_minutes", monthly_voice_minutes},
          {"monthly_outbound_calls", nullptr}};
}

std::string agent_path(std::int64_t id, const std::string& action = "") {
  return "/api/agents/" + std::to_string(id) + action;
}

}  // namespace

class Quotas : public ::testing::Test {
 protected:
  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
    server.add_numbers({"+27211230001", "+27211230002", "+27211230003", "+27211230004"});
  }

  Reply set(const json::object& body) {
    return server.admin("PUT", "/api/admin/companies/" + std::to_string(company.id) + "/quotas", body);
  }
  json::value company_detail() { return server.get("/api/companies/" + std::to_string(company.id), company.key).json; }
  std::int64_t draft(const std::string& name) {
    auto r = server.post("/api/agents/", user.key,
                         json::object{{"name", name}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.at("id").as_int64();
  }
  Reply act(std::int64_t agent, const std::string& action) {
    return server.request("POST", agent_path(agent, action), user.key);
  }
  static void expect_quota_exceeded(const Reply& r, const std::string& quota) {
    EXPECT_EQ(r.status, 429) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "quota_exceeded") << r.body;
    EXPECT_NE(std::string(r.json.at("detail").as_string()).find(quota), std::string::npos) << r.body;
  }

  static constexpr std::int64_t kNow = 1774998000;  // 2026-03-31T23:00:00Z: an hour before the month ends
  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; }, {}, &clock};
  TestServer::Account company{}, user{};
};

TEST_F(Quotas, TheOperatorSetsThemAndTheCompanySeesThemWithTheirUse) {
  ASSERT_EQ(util::iso8601(kNow), "2026-03-31T23:00:00Z");
  const auto unlimited = company_detail();
  EXPECT_EQ(unlimited.at("quotas"), quotas(nullptr));
  EXPECT_EQ(unlimited.at("quota_usage"), (json::object{{"active_agents", 0},
                                                       {"concurrent_calls", 0},
                                                       {"voice_minutes_this_month", 0.0},
                                                       {"outbound_calls_this_month", 0}}));

  auto r = set({{"max_active_agents", 5}, {"max_concurrent_calls", 10}, {"monthly_voice_minutes", 1000}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object expected{{"max_active_agents", 5},
                              {"max_concurrent_calls", 10},
                              {"monthly_voice_minutes", 1000},
                              {"monthly_outbound_calls", nullptr}};
  EXPECT_EQ(r.json.at("quotas"), expected);
  EXPECT_EQ(company_detail().at("quotas"), expected);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(company.id), user.key).json.at("quotas"), expected);
  EXPECT_EQ(server.put("/api/companies/" + std::to_string(company.id), company.key, json::object{{"name", "Acme 2"}})
                .json.at("quotas"),
            expected);

  // A PUT is the whole set.
  EXPECT_EQ(set({{"max_active_agents", 2}}).json.at("quotas"), quotas(2));

  auto bad = set({{"max_active_agents", -1}, {"monthly_voice_minutes", "lots"}, {"max_concurrent_calls", 1.5}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json.at("errors").as_array().size(), 3u) << bad.body;
  EXPECT_EQ(server.admin("PUT", "/api/admin/companies/999999/quotas", quotas(1)).status, 404);
  EXPECT_EQ(server.put("/api/admin/companies/" + std::to_string(company.id) + "/quotas", company.key, quotas(9)).status,
            403);
  EXPECT_EQ(company_detail().at("quotas"), quotas(2));
}

TEST_F(Quotas, ActiveAgentsMayReachTheLimitButNotPassIt) {
  ASSERT_EQ(set(quotas(2)).status, 200);
  const auto a = draft("A"), b = draft("B"), c = draft("C");
  ASSERT_EQ(act(a, "/publish").status, 200);
  ASSERT_EQ(act(b, "/publish").status, 200);
  EXPECT_EQ(company_detail().at("quota_usage").at("active_agents").as_int64(), 2);

  const auto refused = act(c, "/publish");
  expect_quota_exceeded(refused, "max_active_agents");
  EXPECT_EQ(refused.header("retry-after"), "") << "a count of agents does not free with time";
  EXPECT_EQ(server.get(agent_path(c), user.key).json.at("status"), "draft");
  EXPECT_EQ(server.get("/api/phone-numbers/available?country_code=ZA", user.key).json.as_array().size(), 2u)
      << "a refused publish reserves no number";

  // A paused agent frees its slot; resuming it needs one.
  ASSERT_EQ(act(a, "/pause").status, 200);
  ASSERT_EQ(act(c, "/publish").status, 200);
  expect_quota_exceeded(act(a, "/resume"), "max_active_agents");
  EXPECT_EQ(server.get(agent_path(a), user.key).json.at("status"), "paused");
  ASSERT_EQ(server.del(agent_path(b), user.key).status, 200);
  EXPECT_EQ(act(a, "/resume").status, 200);
  EXPECT_EQ(company_detail().at("quota_usage").at("active_agents").as_int64(), 2);

  // Lowered below the count, nothing is stopped, but nothing more starts.
  ASSERT_EQ(set(quotas(0)).status, 200);
  EXPECT_EQ(server.get("/api/agents/?status=active", user.key).json.at("items").as_array().size(), 2u);
  expect_quota_exceeded(act(draft("D"), "/publish"), "max_active_agents");
}

TEST_F(Quotas, ReachingTheMonthlyVoiceMinutesStopsNewWorkUntilTheNextMonth) {
  ASSERT_EQ(set(quotas(nullptr, 2)).status, 200);
  const auto live = server.publish_agent(user.key, "A");
  ASSERT_EQ(act(live.id, "/pause").status, 200);
  auto call = [&](std::int64_t seconds) {
    providers::SimulatedCall c;
    c.external_agent_id = live.external_id;
    c.started_unix = kNow - 3600;
    c.duration_seconds = seconds;
    ASSERT_EQ(server.post_call(kSecret, c, clock.now()).status, 200);
  };
  // 119 s is under 2 minutes: work may start.
  call(119);
  ASSERT_EQ(act(live.id, "/resume").status, 200);
  ASSERT_EQ(act(live.id, "/pause").status, 200);
  call(1);
  EXPECT_DOUBLE_EQ(company_detail().at("quota_usage").at("voice_minutes_this_month").as_double(), 2.0);

  const auto refused = act(live.id, "/resume");
  expect_quota_exceeded(refused, "monthly_voice_minutes");
  EXPECT_EQ(refused.header("retry-after"), "3600") << "the quota frees at 00:00 UTC on April 1st";
  expect_quota_exceeded(server.request("POST", agent_path(draft("B"), "/publish"), user.key), "monthly_voice_minutes");

  // A new month: March's minutes no longer count.
  clock.advance_seconds(3600);
  EXPECT_DOUBLE_EQ(company_detail().at("quota_usage").at("voice_minutes_this_month").as_double(), 0.0);
  EXPECT_EQ(act(live.id, "/resume").status, 200);
}

TEST(QuotasOnTwoNodes, NodesRacingForTheLastSlotsTakeOneEach) {
  TestServer first;
  TestServer second([&](auto& v) { v["CXCO_DATABASE_URL"] = first.database().url(); });
  const auto company = first.create_company("Acme");
  const auto user = first.create_user(company.key, "jane@acme.com");
  first.add_numbers({"+27211230001", "+27211230002", "+27211230003", "+27211230004", "+27211230005", "+27211230006",
                     "+27211230007", "+27211230008"});
  constexpr int kLimit = 3, kRacers = 8;
  ASSERT_EQ(first
                .admin("PUT", "/api/admin/companies/" + std::to_string(company.id) + "/quotas",
                       json::object{{"max_active_agents", kLimit}})
                .status,
            200);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kRacers; ++i) {
    auto r = first.post("/api/agents/", user.key,
                        json::object{{"name", "Racer"}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}});
    ASSERT_EQ(r.status, 201);
    ids.push_back(r.json.at("id").as_int64());
  }
  const auto outcomes = race(kRacers, [&](int i) {
    auto& node = i % 2 ? second : first;
    return node.request("POST", agent_path(ids[static_cast<std::size_t>(i)], "/publish"), user.key);
  });
  EXPECT_EQ(outcomes, (std::map<std::string, int>{{"200", kLimit}, {"429 quota_exceeded", kRacers - kLimit}}));
  EXPECT_EQ(second.get("/api/agents/?status=active", user.key).json.at("items").as_array().size(),
            static_cast<std::size_t>(kLimit));
  EXPECT_EQ(first.get("/api/phone-numbers/", user.key).json.as_array().size(), static_cast<std::size_t>(kLimit));
}

}  // namespace cxco::test
