// Voices, the number pool and the agent lifecycle in simulated mode.
#include <set>
#include <thread>

#include "harness.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

class Agents : public ::testing::Test {
 protected:
  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
  }

  json::object agent_body(const std::string& name = "Sales Assistant") {
    return json::object{{"name", name},
                        {"personality", "You are a friendly sales assistant for Acme Corp."},
                        {"opening_line", "Hi there! Thanks for calling Acme Corp."},
                        {"voice_id", 1},
                        {"language", "en"},
                        {"config", json::object{{"temperature", 0.7}, {"max_call_duration_seconds", 600}}}};
  }
  std::int64_t create_agent(const std::string& key, const std::string& name = "Sales Assistant") {
    auto r = server.post("/api/agents/", key, agent_body(name));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.at("id").as_int64();
  }
  void add_numbers(std::initializer_list<std::pair<const char*, const char*>> numbers) {
    json::array list;
    for (const auto& [n, c] : numbers) list.push_back(json::object{{"number", n}, {"country_code", c}});
    auto r = server.admin("POST", "/api/admin/phone-numbers", json::object{{"numbers", list}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::string path(std::int64_t agent_id, const std::string& suffix = "") {
    return "/api/agents/" + std::to_string(agent_id) + suffix;
  }
  std::vector<std::pair<std::string, std::string>> events_of(std::int64_t company_id) {
    auto db = store::Database::open(server.database().url(), 1);
    auto rows = db->read([&](store::Tx& tx) {
      return tx.query("SELECT type, data FROM events WHERE company_id = ? ORDER BY id", {company_id});
    });
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : rows.rows) out.emplace_back(r.str("type"), r.str("data"));
    return out;
  }

  TestServer server;
  TestServer::Account company{}, user{};
};

TEST_F(Agents, VoiceCatalogueIsSeededAndFilterable) {
  auto all = server.get("/api/voices/", user.key);
  ASSERT_EQ(all.status, 200);
  ASSERT_GE(all.json.as_array().size(), 10u);
  std::set<std::string> languages;
  for (const auto& v : all.json.as_array()) languages.insert(std::string(v.at("language").as_string()));
  EXPECT_GE(languages.size(), 3u);
  const auto& rachel = all.json.at(0);
  EXPECT_EQ(rachel.at("external_voice_id"), "21m00Tcm4TlvDq8ikWAM");
  EXPECT_EQ(rachel.at("name"), "Rachel");
  EXPECT_TRUE(rachel.at("tags").is_object());

  auto female_en = server.get("/api/voices/?language=en&gender=female", company.key);
  ASSERT_EQ(female_en.status, 200);
  ASSERT_FALSE(female_en.json.as_array().empty());
  for (const auto& v : female_en.json.as_array()) {
    EXPECT_EQ(v.at("gender"), "female");
    EXPECT_EQ(v.at("language"), "en");
  }
  auto british = server.get("/api/voices/?accent=british", user.key);
  for (const auto& v : british.json.as_array()) EXPECT_EQ(v.at("accent"), "british");
  EXPECT_EQ(server.get("/api/voices/1", user.key).json.at("name"), "Rachel");
  EXPECT_EQ(server.get("/api/voices/99999", user.key).status, 404);
  EXPECT_EQ(server.get("/api/voices/").status, 401);
}

TEST_F(Agents, OperatorsAddVoices) {
  json::object voice{{"external_voice_id", "pNInz6obpgDQGcFmaJgB"},
                     {"name", "Adam"},
                     {"gender", "male"},
                     {"accent", "american"},
                     {"language", "en"},
                     {"tags", json::object{{"tone", "deep"}}}};
  auto r = server.admin("POST", "/api/admin/voices", voice);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("status"), "active");
  EXPECT_EQ(server.get("/api/voices/" + std::to_string(r.json.at("id").as_int64()), user.key).json.at("name"), "Adam");
  EXPECT_EQ(server.admin("POST", "/api/admin/voices", voice).status, 409);
  EXPECT_EQ(server.admin("POST", "/api/admin/voices", json::object{{"name", "X"}, {"language", "xx"}}).status, 422);
  EXPECT_EQ(server.post("/api/admin/voices", company.key, voice).status, 403);
}

TEST_F(Agents, NumberPoolImportIsAllOrNothing) {
  add_numbers({{"+27211234567", "ZA"}, {"+27211234568", "ZA"}});
  auto dup = server.admin(
      "POST", "/api/admin/phone-numbers",
      json::object{{"numbers", json::array{json::object{{"number", "+27219999999"}, {"country_code", "ZA"}},
                                           json::object{{"number", "+27211234567"}, {"country_code", "ZA"}}}}});
  EXPECT_EQ(dup.status, 409);
  auto listed = server.admin("GET", "/api/admin/phone-numbers?country_code=ZA");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json.as_array().size(), 2u);  // +27219999999 was not added

  auto bad = server.admin(
      "POST", "/api/admin/phone-numbers",
      json::object{{"numbers", json::array{json::object{{"number", "0211234567"}, {"country_code", "za"}}}}});
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json.at("errors").as_array().size(), 2u);
  EXPECT_EQ(bad.json.at("errors").at(0).at("loc"), (json::array{"body", "numbers", "0", "number"}));
  EXPECT_EQ(server.admin("POST", "/api/admin/phone-numbers", json::object{{"numbers", json::array{}}}).status, 422);
  EXPECT_EQ(server.admin("GET", "/api/admin/phone-numbers?status=lost").status, 422);
}

TEST_F(Agents, AvailableNumbersForUsers) {
  add_numbers({{"+27211234567", "ZA"}, {"+12025550101", "US"}});
  auto za = server.get("/api/phone-numbers/available?country_code=ZA", user.key);
  ASSERT_EQ(za.status, 200);
  ASSERT_EQ(za.json.as_array().size(), 1u);
  EXPECT_EQ(za.json.at(0).at("number"), "+27211234567");
  EXPECT_EQ(za.json.at(0).at("status"), "available");
  EXPECT_EQ(za.json.at(0).at("whatsapp_status"), "none");
  EXPECT_EQ(server.get("/api/phone-numbers/available", user.key).json.as_array().size(), 2u);
  EXPECT_EQ(server.get("/api/phone-numbers/available?country_code=XX", user.key).status, 422);
  EXPECT_EQ(server.get("/api/phone-numbers/available", company.key).status, 403);
  EXPECT_TRUE(server.get("/api/phone-numbers/", user.key).json.as_array().empty());
}

TEST_F(Agents, CreateDraftHasTheReferenceShape) {
  auto r = server.post("/api/agents/", user.key, agent_body());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto& a = r.json.as_object();
  EXPECT_EQ(a.at("company_id").as_int64(), company.id);
  EXPECT_EQ(a.at("status"), "draft");
  EXPECT_EQ(a.at("voice"), (json::object{{"id", 1}, {"name", "Rachel"}}));
  EXPECT_EQ(a.at("language"), "en");
  EXPECT_EQ(a.at("voice_enabled"), true);
  EXPECT_EQ(a.at("whatsapp_enabled"), false);
  EXPECT_TRUE(a.at("phone_number").is_null());
  EXPECT_TRUE(a.at("external_agent_id").is_null());
  EXPECT_EQ(a.at("config").at("temperature").as_double(), 0.7);
  EXPECT_EQ(a.at("config").at("max_call_duration_seconds").as_int64(), 600);
  EXPECT_NE(r.body.find("\"temperature\":0.7"), std::string::npos);
  EXPECT_EQ(a.at("created_at").as_string().size(), 20u);

  json::object minimal{{"name", "M"}, {"personality", "P"}, {"opening_line", "O"}, {"voice_id", 2}};
  auto m = server.post("/api/agents/", user.key, minimal);
  ASSERT_EQ(m.status, 201);
  EXPECT_EQ(m.json.at("language"), "en");
  EXPECT_EQ(m.json.at("config").at("max_call_duration_seconds").as_int64(), 600);
}

TEST_F(Agents, CreateValidatesEveryField) {
  auto missing = server.post("/api/agents/", user.key, json::object{});
  ASSERT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json.at("errors").as_array().size(), 4u);

  auto body = agent_body();
  body["language"] = "english";
  body["config"] = json::object{{"temperature", 2.5}, {"max_call_duration_seconds", 5}};
  auto bad = server.post("/api/agents/", user.key, body);
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json.at("errors").as_array().size(), 3u);

  body = agent_body();
  body["voice_id"] = 99999;
  auto voice = server.post("/api/agents/", user.key, body);
  EXPECT_EQ(voice.status, 422);
  EXPECT_EQ(voice.json.at("errors").at(0).at("loc").at(1), "voice_id");

  body = agent_body();
  body["name"] = "   ";
  EXPECT_EQ(server.post("/api/agents/", user.key, body).status, 422);
  EXPECT_EQ(server.post("/api/agents/", company.key, agent_body()).status, 403);
}

TEST_F(Agents, ThreeCallGuideGoesLive) {
  add_numbers({{"+27211234567", "ZA"}});
  const auto id = create_agent(user.key);
  auto r = server.post(path(id, "/publish"), user.key, json::object{{"country_code", "ZA"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "active");
  EXPECT_FALSE(r.json.at("external_agent_id").as_string().empty());
  const auto& pn = r.json.at("phone_number");
  EXPECT_EQ(pn.at("number"), "+27211234567");
  EXPECT_EQ(pn.at("voice_enabled"), true);
  EXPECT_EQ(pn.at("whatsapp_enabled"), false);
  EXPECT_EQ(pn.at("whatsapp_status"), "none");

  auto mine = server.get("/api/phone-numbers/", user.key);
  ASSERT_EQ(mine.json.as_array().size(), 1u);
  EXPECT_EQ(mine.json.at(0).at("status"), "assigned");
  EXPECT_EQ(mine.json.at(0).at("agent_id").as_int64(), id);
  EXPECT_EQ(mine.json.at(0).at("company_id").as_int64(), company.id);
  EXPECT_TRUE(server.get("/api/phone-numbers/available", user.key).json.as_array().empty());

  auto events = events_of(company.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "agent.status_changed");
  EXPECT_EQ(json::parse(events[0].second),
            (json::object{{"agent_id", id}, {"previous_status", "draft"}, {"status", "active"}}));
}

TEST_F(Agents, PublishDefaultsToZaAndAnEmptyBody) {
  add_numbers({{"+12025550101", "US"}, {"+27211234567", "ZA"}});
  const auto id = create_agent(user.key);
  auto r = server.request("POST", path(id, "/publish"), user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("phone_number").at("number"), "+27211234567");
}

TEST_F(Agents, PublishErrors) {
  add_numbers({{"+27211234567", "ZA"}});
  const auto id = create_agent(user.key);
  auto none = server.post(path(id, "/publish"), user.key, json::object{{"country_code", "GB"}});
  EXPECT_EQ(none.status, 409);
  EXPECT_EQ(none.json.at("error_type"), "no_numbers_available");
  EXPECT_EQ(server.post(path(id, "/publish"), user.key, json::object{{"country_code", "gb"}}).status, 422);
  ASSERT_EQ(server.post(path(id, "/publish"), user.key, json::object{}).status, 200);
  auto again = server.post(path(id, "/publish"), user.key, json::object{});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json.at("error_type"), "invalid_state");
  EXPECT_EQ(server.post(path(999999, "/publish"), user.key, json::object{}).status, 404);
}

TEST_F(Agents, LifecycleStateMachine) {
  add_numbers({{"+27211234567", "ZA"}});
  const auto id = create_agent(user.key);
  auto expect_state_error = [&](const std::string& suffix) {
    auto r = server.request("POST", path(id, suffix), user.key);
    EXPECT_EQ(r.status, 409) << suffix;
    EXPECT_EQ(r.json.at("error_type"), "invalid_state") << suffix;
  };
  expect_state_error("/pause");
  expect_state_error("/resume");
  ASSERT_EQ(server.request("POST", path(id, "/publish"), user.key).status, 200);
  expect_state_error("/resume");
  auto paused = server.request("POST", path(id, "/pause"), user.key);
  ASSERT_EQ(paused.status, 200);
  EXPECT_EQ(paused.json.at("status"), "paused");
  EXPECT_EQ(paused.json.at("phone_number").at("number"), "+27211234567");  // kept while paused
  expect_state_error("/pause");
  expect_state_error("/publish");
  auto resumed = server.request("POST", path(id, "/resume"), user.key);
  EXPECT_EQ(resumed.json.at("status"), "active");

  auto archived = server.del(path(id), user.key);
  ASSERT_EQ(archived.status, 200);
  EXPECT_EQ(archived.json.at("status"), "archived");
  EXPECT_TRUE(archived.json.at("phone_number").is_null());
  for (const auto* s : {"/publish", "/pause", "/resume"}) expect_state_error(s);
  auto twice = server.del(path(id), user.key);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(server.put(path(id), user.key, json::object{{"name", "X"}}).status, 409);

  // The number went back to the pool with nothing of the company left on it.
  auto pool = server.get("/api/phone-numbers/available?country_code=ZA", user.key);
  ASSERT_EQ(pool.json.as_array().size(), 1u);
  EXPECT_TRUE(pool.json.at(0).at("company_id").is_null());
  EXPECT_TRUE(pool.json.at(0).at("agent_id").is_null());
  EXPECT_TRUE(server.get("/api/phone-numbers/", user.key).json.as_array().empty());
  // The agent row stays, archived.
  EXPECT_EQ(server.get(path(id), user.key).json.at("status"), "archived");

  std::vector<std::string> transitions;
  for (const auto& [type, data] : events_of(company.id)) {
    const auto d = json::parse(data);
    transitions.push_back(std::string(d.at("previous_status").as_string()) + "->" +
                          std::string(d.at("status").as_string()));
  }
  EXPECT_EQ(transitions,
            (std::vector<std::string>{"draft->active", "active->paused", "paused->active", "active->archived"}));
}

TEST_F(Agents, ArchiveADraftNeedsNoNumber) {
  const auto id = create_agent(user.key);
  auto r = server.del(path(id), user.key);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("status"), "archived");
}

TEST_F(Agents, UpdateIsPartialAndValidated) {
  add_numbers({{"+27211234567", "ZA"}});
  const auto id = create_agent(user.key);
  auto r = server.put(
      path(id), user.key,
      json::object{{"opening_line", "Hi! 20% off Pro plans."}, {"config", json::object{{"temperature", 1.2}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("opening_line"), "Hi! 20% off Pro plans.");
  EXPECT_EQ(r.json.at("name"), "Sales Assistant");
  EXPECT_EQ(r.json.at("config").at("temperature").as_double(), 1.2);
  EXPECT_EQ(r.json.at("config").at("max_call_duration_seconds").as_int64(), 600);
  r = server.put(path(id), user.key, json::object{{"voice_id", 2}});
  EXPECT_EQ(r.json.at("voice").at("id").as_int64(), 2);
  EXPECT_EQ(server.put(path(id), user.key, json::object{{"voice_id", 424242}}).status, 422);
  EXPECT_EQ(server.put(path(id), user.key, json::object{{"name", ""}}).status, 422);
  EXPECT_EQ(server.put(path(id), user.key, json::object{{"config", json::object{{"max_call_duration_seconds", 9000}}}})
                .status,
            422);
  // A live agent can be updated too.
  ASSERT_EQ(server.request("POST", path(id, "/publish"), user.key).status, 200);
  r = server.put(path(id), user.key, json::object{{"personality", "Always mention the promotion."}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("status"), "active");
  EXPECT_EQ(r.json.at("personality"), "Always mention the promotion.");
}

TEST_F(Agents, OtherTenantsSeeNothing) {
  add_numbers({{"+27211234567", "ZA"}, {"+27211234568", "ZA"}});
  const auto id = create_agent(user.key);
  ASSERT_EQ(server.request("POST", path(id, "/publish"), user.key).status, 200);
  auto other_company = server.create_company("Other");
  auto other = server.create_user(other_company.key, "eve@other.io");
  EXPECT_EQ(server.get(path(id), other.key).status, 404);
  EXPECT_EQ(server.put(path(id), other.key, json::object{{"name", "Pwned"}}).status, 404);
  EXPECT_EQ(server.del(path(id), other.key).status, 404);
  for (const auto* s : {"/publish", "/pause", "/resume"})
    EXPECT_EQ(server.request("POST", path(id, s), other.key).status, 404) << s;
  EXPECT_TRUE(server.get("/api/agents/", other.key).json.at("items").as_array().empty());
  EXPECT_TRUE(server.get("/api/phone-numbers/", other.key).json.as_array().empty());
  auto mine = server.get(path(id), user.key);
  EXPECT_EQ(mine.json.at("name"), "Sales Assistant");
  EXPECT_EQ(mine.json.at("status"), "active");
}

TEST_F(Agents, ListPaginatesNewestFirstWithoutGapsWhileAgentsArrive) {
  std::vector<std::int64_t> created;
  for (int i = 0; i < 7; ++i) created.push_back(create_agent(user.key, "Agent " + std::to_string(i)));
  std::vector<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = server.get("/api/agents/?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), user.key);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& a : r.json.at("items").as_array()) seen.push_back(a.at("id").as_int64());
    // New agents arriving mid-way must not shift the pages being walked.
    if (pages++ == 0) create_agent(user.key, "Late arrival");
    if (!r.json.at("has_more").as_bool()) {
      EXPECT_TRUE(r.json.at("next_cursor").is_null());
      break;
    }
    cursor = std::string(r.json.at("next_cursor").as_string());
  }
  std::vector<std::int64_t> expected(created.rbegin(), created.rend());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 3);
}

TEST_F(Agents, ListFiltersAndValidates) {
  add_numbers({{"+27211234567", "ZA"}});
  const auto live = create_agent(user.key, "Live");
  create_agent(user.key, "Draft");
  ASSERT_EQ(server.request("POST", path(live, "/publish"), user.key).status, 200);
  auto active = server.get("/api/agents/?status=active", user.key);
  ASSERT_EQ(active.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(active.json.at("items").at(0).at("id").as_int64(), live);
  EXPECT_EQ(server.get("/api/agents/?status=draft", user.key).json.at("items").as_array().size(), 1u);
  EXPECT_EQ(server.get("/api/agents/", user.key).json.at("items").as_array().size(), 2u);
  EXPECT_EQ(server.get("/api/agents/?status=gone", user.key).status, 422);
  EXPECT_EQ(server.get("/api/agents/?limit=0", user.key).status, 422);
  EXPECT_EQ(server.get("/api/agents/?limit=101", user.key).status, 422);
  EXPECT_EQ(server.get("/api/agents/?limit=abc", user.key).status, 422);
  EXPECT_EQ(server.get("/api/agents/?cursor=not-a-cursor", user.key).status, 422);
  EXPECT_EQ(server.get("/api/agents/?limit=100", user.key).status, 200);
}

TEST_F(Agents, ConcurrentPublishesForTheLastNumberHaveOneWinner) {
  add_numbers({{"+27211234567", "ZA"}});
  constexpr int kRacers = 12;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kRacers; ++i) ids.push_back(create_agent(user.key, "Racer " + std::to_string(i)));
  const auto outcomes = race(kRacers, [&](int i) {
    return server.request("POST", path(ids[static_cast<std::size_t>(i)], "/publish"), user.key);
  });
  EXPECT_EQ(outcomes, (std::map<std::string, int>{{"200", 1}, {"409 no_numbers_available", kRacers - 1}}));
  auto mine = server.get("/api/phone-numbers/", user.key);
  ASSERT_EQ(mine.json.as_array().size(), 1u);
  EXPECT_EQ(server.get("/api/agents/?status=active", user.key).json.at("items").as_array().size(), 1u);
}

TEST_F(Agents, ConcurrentPublishesGetDistinctNumbers) {
  add_numbers({{"+27211230001", "ZA"}, {"+27211230002", "ZA"}, {"+27211230003", "ZA"}, {"+27211230004", "ZA"}});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(create_agent(user.key, "Racer " + std::to_string(i)));
  std::mutex m;
  std::set<std::string> numbers;
  int won = 0;
  std::vector<std::thread> threads;
  for (const auto id : ids)
    threads.emplace_back([&, id] {
      auto r = server.request("POST", path(id, "/publish"), user.key);
      std::lock_guard lock(m);
      if (r.status == 200) ++won, numbers.insert(std::string(r.json.at("phone_number").at("number").as_string()));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, 4);
  EXPECT_EQ(numbers.size(), 4u);
}

}  // namespace cxco::test

namespace cxco::test {

// A node that died mid-publish left a number reserved on a draft; the next start frees it.
TEST(AgentRecovery, StaleReservationsGoBackToThePoolAtStart) {
  TestDatabase db;
  auto config = [&](auto& v) { v["CXCO_DATABASE_URL"] = db.url(); };
  std::int64_t agent_id = 0;
  std::string user_key;
  {
    TestServer first(config);
    auto company = first.create_company("Acme");
    user_key = first.create_user(company.key, "jane@acme.com").key;
    ASSERT_EQ(first
                  .admin("POST", "/api/admin/phone-numbers",
                         boost::json::object{{"numbers", boost::json::array{boost::json::object{
                                                             {"number", "+27211234567"}, {"country_code", "ZA"}}}}})
                  .status,
              201);
    agent_id =
        first
            .post("/api/agents/", user_key,
                  boost::json::object{{"name", "A"}, {"personality", "P"}, {"opening_line", "O"}, {"voice_id", 1}})
            .json.at("id")
            .as_int64();
  }
  // What step 1 of a publish leaves behind, an hour ago.
  auto store = store::Database::open(db.url(), 1);
  store->write([&](store::Tx& tx) {
    tx.exec(
        "UPDATE phone_numbers SET status = 'assigned', company_id = 1, agent_id = ?, updated_at = "
        "'2000-01-01T00:00:00Z'",
        {agent_id});
    tx.exec("UPDATE agents SET phone_number_id = (SELECT id FROM phone_numbers LIMIT 1) WHERE id = ?", {agent_id});
  });
  TestServer second(config);
  EXPECT_EQ(second.get("/api/phone-numbers/available?country_code=ZA", user_key).json.as_array().size(), 1u);
  auto published = second.request("POST", "/api/agents/" + std::to_string(agent_id) + "/publish", user_key);
  EXPECT_EQ(published.status, 200) << published.body;
}

}  // namespace cxco::test
