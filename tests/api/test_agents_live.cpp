// The agent lifecycle in live mode against the HTTP fake of the voice provider: what is
// created there, and that a failure at any publish step leaves nothing behind.
#include "fakes/elevenlabs_fake.h"
#include "harness.h"

namespace cxco::test {

namespace json = boost::json;

class LiveAgents : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<TestServer>([&](auto& v) { fake.configure_live(v); });
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    ASSERT_EQ(server
                  ->admin("POST", "/api/admin/phone-numbers",
                          json::object{{"numbers",
                                        json::array{json::object{{"number", "+27211234567"}, {"country_code", "ZA"}}}}})
                  .status,
              201);
    auto a =
        server->post("/api/agents/", user.key,
                     json::object{{"name", "Front desk"},
                                  {"personality", "You are the receptionist of Acme."},
                                  {"opening_line", "Acme, good morning!"},
                                  {"voice_id", 1},
                                  {"language", "en"},
                                  {"config", json::object{{"temperature", 0.4}, {"max_call_duration_seconds", 300}}}});
    ASSERT_EQ(a.status, 201);
    agent_id = a.json.at("id").as_int64();
  }
  std::string path(const std::string& suffix = "") { return "/api/agents/" + std::to_string(agent_id) + suffix; }
  Reply publish() { return server->request("POST", path("/publish"), user.key); }
  void expect_nothing_left_behind() {
    auto agent = server->get(path(), user.key);
    EXPECT_EQ(agent.json.at("status"), "draft");
    EXPECT_TRUE(agent.json.at("phone_number").is_null());
    EXPECT_EQ(server->get("/api/phone-numbers/available?country_code=ZA", user.key).json.as_array().size(), 1u);
    EXPECT_TRUE(server->get("/api/phone-numbers/", user.key).json.as_array().empty());
    EXPECT_EQ(fake.agent_count(), 0u);
    EXPECT_EQ(fake.number_count(), 0u);
  }
  static std::string text(const json::value& v, std::initializer_list<const char*> path) {
    const json::value* at = &v;
    for (const auto* p : path) at = &at->at(p);
    return std::string(at->as_string());
  }

  FakeElevenLabs fake;
  std::unique_ptr<TestServer> server;
  TestServer::Account company{}, user{};
  std::int64_t agent_id = 0;
};

TEST_F(LiveAgents, PublishCreatesTheAgentAndNumberAtTheProvider) {
  auto r = publish();
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string external(r.json.at("external_agent_id").as_string());
  const auto stored = fake.agent(external);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->at("name"), "Front desk");
  EXPECT_EQ(text(*stored, {"conversation_config", "agent", "prompt", "prompt"}), "You are the receptionist of Acme.");
  EXPECT_EQ(text(*stored, {"conversation_config", "agent", "first_message"}), "Acme, good morning!");
  EXPECT_EQ(text(*stored, {"conversation_config", "agent", "language"}), "en");
  EXPECT_EQ(text(*stored, {"conversation_config", "tts", "voice_id"}), "21m00Tcm4TlvDq8ikWAM");
  EXPECT_DOUBLE_EQ(stored->at("conversation_config").at("agent").at("prompt").at("temperature").as_double(), 0.4);
  EXPECT_EQ(stored->at("conversation_config").at("conversation").at("max_duration_seconds").as_int64(), 300);
  ASSERT_EQ(fake.number_count(), 1u);
  EXPECT_EQ(fake.request_count("assign_agent"), 1);

  // Pause unassigns the provider number, resume assigns it back.
  ASSERT_EQ(server->request("POST", path("/pause"), user.key).status, 200);
  EXPECT_EQ(fake.request_count("assign_agent"), 2);
  ASSERT_EQ(server->request("POST", path("/resume"), user.key).status, 200);
  EXPECT_EQ(fake.request_count("assign_agent"), 3);

  // Updating a live agent updates it at the provider.
  ASSERT_EQ(server->put(path(), user.key, json::object{{"opening_line", "Acme, good afternoon!"}}).status, 200);
  EXPECT_EQ(text(*fake.agent(external), {"conversation_config", "agent", "first_message"}), "Acme, good afternoon!");

  // Archive deletes both at the provider and frees the number.
  ASSERT_EQ(server->del(path(), user.key).status, 200);
  EXPECT_EQ(fake.agent_count(), 0u);
  EXPECT_EQ(fake.number_count(), 0u);
  EXPECT_EQ(server->get("/api/phone-numbers/available?country_code=ZA", user.key).json.as_array().size(), 1u);
}

TEST_F(LiveAgents, FailureAtEachPublishStepUndoesEveryStep) {
  for (const auto* step : {"create_agent", "import_number", "assign_agent"}) {
    SCOPED_TRACE(step);
    fake.fail(step, 400);
    auto r = publish();
    EXPECT_EQ(r.status, 502) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "provider_error");
    expect_nothing_left_behind();
  }
  // And then it works.
  ASSERT_EQ(publish().status, 200);
}

TEST_F(LiveAgents, ProviderOutageIsRetriedThenRolledBack) {
  fake.fail("import_number", 503, 100);
  auto r = publish();
  EXPECT_EQ(r.status, 502);
  EXPECT_GE(fake.request_count("import_number"), 2);  // retried before giving up
  expect_nothing_left_behind();
}

TEST_F(LiveAgents, TransientProviderErrorsAreRetriedTransparently) {
  fake.fail("create_agent", 500, 1);
  auto r = publish();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake.request_count("create_agent"), 2);
  EXPECT_EQ(fake.agent_count(), 1u);
}

TEST_F(LiveAgents, FailedUpdateOfALiveAgentChangesNothing) {
  ASSERT_EQ(publish().status, 200);
  fake.fail("update_agent", 400);
  auto r = server->put(path(), user.key, json::object{{"name", "Renamed"}});
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(server->get(path(), user.key).json.at("name"), "Front desk");
}

TEST_F(LiveAgents, FailedArchiveCanBeRetried) {
  ASSERT_EQ(publish().status, 200);
  fake.fail("delete_agent", 400);
  EXPECT_EQ(server->del(path(), user.key).status, 502);
  EXPECT_EQ(server->get(path(), user.key).json.at("status"), "active");
  auto retried = server->del(path(), user.key);  // the number is already gone at the provider: fine
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json.at("status"), "archived");
  EXPECT_EQ(fake.agent_count(), 0u);
}

}  // namespace cxco::test
