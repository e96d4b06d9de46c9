// Usage: every figure of every usage endpoint against sums computed here from the calls
// delivered, date ranges and their validation, keys and tenants.
#include <cmath>
#include <map>
#include <random>

#include "crypto/crypto.h"
#include "harness.h"
#include "providers/simulated_post_call.h"
#include "util/time.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
constexpr const char* kSecret = "wsec_usage_test";

std::int64_t unix_of(const std::string& date, std::int64_t seconds_into_day = 0) {
  return *util::parse_date(date) * 86400 + seconds_into_day;
}

// What the calls add up to, kept the way a reader of the reference would compute it.
struct Expected {
  std::int64_t conversations = 0, seconds = 0, refer_seconds = 0, successes = 0, known = 0;

  void add(const Expected& o) {
    conversations += o.conversations, seconds += o.seconds, refer_seconds += o.refer_seconds;
    successes += o.successes, known += o.known;
  }
  static double minutes(std::int64_t s) { return std::round(static_cast<double>(s) / 6.0) / 10.0; }

  void check_voice(const json::value& voice, const std::string& where) const {
    EXPECT_EQ(voice.at("total_conversations").as_int64(), conversations) << where;
    EXPECT_DOUBLE_EQ(voice.at("total_minutes").as_double(), minutes(seconds)) << where;
    EXPECT_DOUBLE_EQ(voice.at("total_sip_refer_minutes").as_double(), minutes(refer_seconds)) << where;
    if (conversations == 0)
      EXPECT_TRUE(voice.at("average_duration_seconds").is_null()) << where;
    else
      EXPECT_DOUBLE_EQ(voice.at("average_duration_seconds").as_double(),
                       std::round(static_cast<double>(seconds) * 10.0 / static_cast<double>(conversations)) / 10.0)
          << where;
    if (known == 0)
      EXPECT_TRUE(voice.at("success_rate").is_null()) << where;
    else
      EXPECT_DOUBLE_EQ(voice.at("success_rate").as_double(),
                       std::round(static_cast<double>(successes) * 10000.0 / static_cast<double>(known)) / 10000.0)
          << where;
  }
};

void expect_no_whatsapp(const json::value& answer, const std::string& where) {
  EXPECT_EQ(answer.at("whatsapp"), (json::object{{"total_conversations", 0}, {"total_messages", 0}})) << where;
}

}  // namespace

class Usage : public ::testing::Test {
 protected:
  struct Agent {
    std::int64_t id;
    std::string external_id;
    std::string name;
  };

  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
    server.add_numbers({"+27211230001", "+27211230002", "+27211230003"});
    agents.push_back(publish("Sales"));
    agents.push_back(publish("Support"));
    agents.push_back(publish("Never called"));
  }

  Agent publish(const std::string& name) {
    const auto live = server.publish_agent(user.key, name);
    return {live.id, live.external_id, name};
  }

  // Delivers a call and answers what it adds to usage, read from the payload that was sent.
  Expected deliver_call(const Agent& agent, std::int64_t started, std::int64_t duration, const std::string& outcome,
                        std::optional<std::string> transfer_to = std::nullopt) {
    providers::SimulatedCall simulated;
    simulated.external_agent_id = agent.external_id;
    simulated.started_unix = started;
    simulated.duration_seconds = duration;
    simulated.transfer_to = std::move(transfer_to);
    auto payload = providers::simulated_post_call(simulated);
    payload["data"].as_object()["analysis"].as_object()["call_successful"] = outcome;

    Expected e;
    e.conversations = 1;
    e.seconds = duration;
    e.known = outcome == "unknown" ? 0 : 1;
    e.successes = outcome == "success" ? 1 : 0;
    for (const auto& turn : payload.at("data").at("transcript").as_array())
      for (const auto& result : turn.at("tool_results").as_array())
        if (result.at("result").at("result_type") == "transfer_to_number_sip_success")
          e.refer_seconds = duration - turn.at("time_in_call_secs").as_int64();

    const auto body = json::serialize(payload);
    auto r = server.request("POST", "/api/integrations/elevenlabs/post-call", "", body,
                            {{"ElevenLabs-Signature", elevenlabs_signature(kSecret, clock.now(), body)}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("status"), "stored") << r.body;
    return e;
  }

  json::value get(const std::string& path, const std::string& key = "") {
    auto r = server.get(path, key.empty() ? user.key : key);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json;
  }

  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; }, {}, &clock};
  TestServer::Account company{}, user{};
  std::vector<Agent> agents;
};

TEST_F(Usage, EveryFigureMatchesSumsOfTheCallsDelivered) {
  // Calls from 2026-02-25 to 2026-03-12 for two of the three agents: random lengths, outcomes
  // and transfers, at any second of the day.
  std::mt19937 rng(20260312);
  std::map<std::pair<std::string, std::int64_t>, Expected> by_day_agent;
  const char* outcomes[] = {"success", "success", "failure", "unknown"};
  for (int i = 0; i < 80; ++i) {
    const auto day = util::date_from_days(*util::parse_date("2026-02-25") + static_cast<std::int64_t>(rng() % 16));
    const auto& agent = agents[rng() % 2];
    const auto duration = static_cast<std::int64_t>(1 + rng() % 900);
    std::optional<std::string> transfer;
    if (rng() % 3 == 0) transfer = "+27115550000";
    const auto started = unix_of(day, static_cast<std::int64_t>(rng() % 86400));
    by_day_agent[{day, agent.id}].add(deliver_call(agent, started, duration, outcomes[rng() % 4], transfer));
  }
  auto sum = [&](const std::string& first, const std::string& last, std::optional<std::int64_t> agent_id) {
    Expected e;
    for (const auto& [key, value] : by_day_agent)
      if (key.first >= first && key.first <= last && (!agent_id || key.second == *agent_id)) e.add(value);
    return e;
  };

  // Summary and company usage, default range: this month so far.
  for (const auto& path :
       {std::string("/api/usage/summary"), "/api/companies/" + std::to_string(company.id) + "/usage"}) {
    const auto answer = get(path);
    EXPECT_EQ(answer.at("period"), (json::object{{"start_date", "2026-03-01"}, {"end_date", "2026-03-12"}})) << path;
    sum("2026-03-01", "2026-03-12", std::nullopt).check_voice(answer.at("voice"), path);
    expect_no_whatsapp(answer, path);
    // Active agents, called or not (the third has had no calls).
    EXPECT_EQ(answer.at("agents_active").as_int64(), 3) << path;
    const auto& by_agent = answer.at("by_agent").as_array();
    ASSERT_EQ(by_agent.size(), 2u) << path;
    for (const auto& entry : by_agent) {
      const auto id = entry.at("agent_id").as_int64();
      const auto expected = sum("2026-03-01", "2026-03-12", id);
      EXPECT_EQ(entry.at("agent_name"), id == agents[0].id ? "Sales" : "Support");
      EXPECT_DOUBLE_EQ(entry.at("voice_minutes").as_double(), Expected::minutes(expected.seconds));
      EXPECT_EQ(entry.at("total_conversations").as_int64(), expected.conversations);
    }
    EXPECT_GE(by_agent[0].at("voice_minutes").as_double(), by_agent[1].at("voice_minutes").as_double());
  }

  // An explicit range, for the company and for each agent.
  const std::string range = "?start_date=2026-02-27&end_date=2026-03-10";
  sum("2026-02-27", "2026-03-10", std::nullopt).check_voice(get("/api/usage/summary" + range).at("voice"), "range");
  for (const auto& agent : agents) {
    const auto answer = get("/api/agents/" + std::to_string(agent.id) + "/usage" + range);
    EXPECT_EQ(answer.at("agent_id").as_int64(), agent.id);
    EXPECT_EQ(answer.at("period"), (json::object{{"start_date", "2026-02-27"}, {"end_date", "2026-03-10"}}));
    sum("2026-02-27", "2026-03-10", agent.id).check_voice(answer.at("voice"), agent.name);
    expect_no_whatsapp(answer, agent.name);
  }

  // Daily: one entry per day of the range, days without calls as zeros.
  for (const std::optional<std::int64_t> agent_id : {std::optional<std::int64_t>(), std::optional(agents[1].id)}) {
    std::string path = "/api/usage/daily?start_date=2026-02-20&end_date=2026-03-14";
    if (agent_id) path += "&agent_id=" + std::to_string(*agent_id);
    const auto days = get(path, company.key).as_array();
    ASSERT_EQ(days.size(), 23u);
    for (std::size_t i = 0; i < days.size(); ++i) {
      const auto date = util::date_from_days(*util::parse_date("2026-02-20") + static_cast<std::int64_t>(i));
      EXPECT_EQ(days[i].at("date"), json::value(date));
      sum(date, date, agent_id).check_voice(days[i].at("voice"), path + " " + date);
      expect_no_whatsapp(days[i], date);
    }
  }
}

TEST_F(Usage, CallsCountOnTheUtcDayTheyStarted) {
  const auto e = deliver_call(agents[0], unix_of("2026-03-10", 86400 - 30), 600, "success");
  const auto days = get("/api/usage/daily?start_date=2026-03-10&end_date=2026-03-11").as_array();
  e.check_voice(days[0].at("voice"), "the day it started");
  Expected().check_voice(days[1].at("voice"), "the day it ended");
}

TEST_F(Usage, DefaultRangeIsTheCurrentMonthSoFar) {
  const auto february = deliver_call(agents[0], unix_of("2026-02-28", 3600), 120, "success");
  const auto march = deliver_call(agents[0], unix_of("2026-03-12", 3600), 300, "failure");
  const auto agent_path = "/api/agents/" + std::to_string(agents[0].id) + "/usage";
  for (const auto& path : {std::string("/api/usage/summary"), agent_path}) {
    const auto answer = get(path);
    EXPECT_EQ(answer.at("period"), (json::object{{"start_date", "2026-03-01"}, {"end_date", "2026-03-12"}}));
    march.check_voice(answer.at("voice"), path);
  }
  // Only an end date: from the first of its month. Only a start date: until today.
  auto only_end = get("/api/usage/summary?end_date=2026-02-28");
  EXPECT_EQ(only_end.at("period"), (json::object{{"start_date", "2026-02-01"}, {"end_date", "2026-02-28"}}));
  february.check_voice(only_end.at("voice"), "only end");
  auto only_start = get("/api/usage/summary?start_date=2026-02-15");
  EXPECT_EQ(only_start.at("period").at("end_date"), "2026-03-12");
  EXPECT_EQ(only_start.at("voice").at("total_conversations").as_int64(), 2);

  // A new month starts from zero.
  clock.set_ms(unix_of("2026-04-01", 60) * 1000);
  auto april = get("/api/usage/summary");
  EXPECT_EQ(april.at("period"), (json::object{{"start_date", "2026-04-01"}, {"end_date", "2026-04-01"}}));
  Expected().check_voice(april.at("voice"), "april");
  EXPECT_EQ(april.at("agents_active").as_int64(), 3);
  EXPECT_TRUE(april.at("by_agent").as_array().empty());
  // A paused agent is not active.
  ASSERT_EQ(server.post("/api/agents/" + std::to_string(agents[2].id) + "/pause", user.key, json::object{}).status,
            200);
  EXPECT_EQ(get("/api/usage/summary").at("agents_active").as_int64(), 2);
}

TEST_F(Usage, DatesAndRangesAreValidated) {
  auto errors_of = [&](const std::string& path) {
    auto r = server.get(path, user.key);
    EXPECT_EQ(r.status, 422) << path << ": " << r.body;
    std::vector<std::string> fields;
    if (r.status == 422)
      for (const auto& e : r.json.at("errors").as_array()) fields.emplace_back(e.at("loc").at(1).as_string());
    return fields;
  };
  using Fields = std::vector<std::string>;
  EXPECT_EQ(errors_of("/api/usage/daily"), (Fields{"start_date", "end_date"}));
  EXPECT_EQ(errors_of("/api/usage/daily?start_date=2026-03-01"), (Fields{"end_date"}));
  EXPECT_EQ(errors_of("/api/usage/daily?start_date=2026-3-1&end_date=2026-02-30&agent_id=x"),
            (Fields{"start_date", "end_date", "agent_id"}));
  EXPECT_EQ(errors_of("/api/usage/daily?start_date=2026-03-02&end_date=2026-03-01"), (Fields{"start_date"}));
  EXPECT_EQ(errors_of("/api/usage/daily?start_date=2024-01-01&end_date=2025-01-01"), (Fields{"end_date"}));  // 367 days
  EXPECT_EQ(get("/api/usage/daily?start_date=2024-01-01&end_date=2024-12-31").as_array().size(), 366u);
  EXPECT_EQ(get("/api/usage/daily?start_date=2026-03-12&end_date=2026-03-12").as_array().size(), 1u);

  EXPECT_EQ(errors_of("/api/usage/summary?start_date=2026-03-02&end_date=2026-03-01"), (Fields{"start_date"}));
  EXPECT_EQ(errors_of("/api/usage/summary?start_date=yesterday"), (Fields{"start_date"}));
  EXPECT_EQ(errors_of("/api/usage/summary?start_date=2026-04-01"), (Fields{"start_date"}));  // after today
  EXPECT_EQ(errors_of("/api/agents/" + std::to_string(agents[0].id) + "/usage?end_date=12-03-2026"),
            (Fields{"end_date"}));
  EXPECT_EQ(errors_of("/api/companies/" + std::to_string(company.id) + "/usage?end_date=2026-02-29"),
            (Fields{"end_date"}));
  // Summaries have no length limit: a multi-year report is one query over daily rows.
  EXPECT_EQ(get("/api/usage/summary?start_date=2020-01-01&end_date=2026-03-12")
                .at("voice")
                .at("total_conversations")
                .as_int64(),
            0);
}

TEST_F(Usage, KeysAndTenants) {
  const auto mine = deliver_call(agents[0], kNow - 3600, 240, "success");
  const auto agent_path = "/api/agents/" + std::to_string(agents[0].id) + "/usage";
  const auto company_path = "/api/companies/" + std::to_string(company.id) + "/usage";

  // Any Key endpoints answer a company key too; the agent endpoint wants a user key.
  mine.check_voice(get("/api/usage/summary", company.key).at("voice"), "company key");
  mine.check_voice(get(company_path, company.key).at("voice"), "company key");
  EXPECT_EQ(get("/api/usage/daily?start_date=2026-03-12&end_date=2026-03-12", company.key)
                .at(0)
                .at("voice")
                .at("total_conversations"),
            1);
  auto forbidden = server.get(agent_path, company.key);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.json.at("error_type"), "permission_denied");
  for (const auto& path : {std::string("/api/usage/summary"), agent_path, company_path})
    EXPECT_EQ(server.get(path).status, 401) << path;

  auto other_company = server.create_company("Other");
  auto other = server.create_user(other_company.key, "eve@other.io");
  EXPECT_EQ(server.get(company_path, other.key).status, 404);
  EXPECT_EQ(server.get(company_path, other_company.key).status, 404);
  EXPECT_EQ(server.get(agent_path, other.key).status, 404);
  EXPECT_EQ(server.get("/api/agents/999999/usage", user.key).status, 404);
  Expected().check_voice(get("/api/usage/summary", other.key).at("voice"), "other tenant");
  const auto theirs = get(
      "/api/usage/daily?start_date=2026-03-12&end_date=2026-03-12&agent_id=" + std::to_string(agents[0].id), other.key);
  Expected().check_voice(theirs.at(0).at("voice"), "other tenant filtering by our agent");
  EXPECT_EQ(get("/api/companies/" + std::to_string(other_company.id) + "/usage", other.key).at("agents_active"), 0);
}

}  // namespace cxco::test
