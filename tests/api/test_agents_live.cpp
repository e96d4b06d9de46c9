// The agent lifecycle in live mode against the HTTP fake of the voice provider: what is
// created there, and that a failure at any publish step leaves nothing behind.
#include "fakes/elevenlabs_fake.h"
#include "harness.h"
#include "store/db.h"

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
  // The voice provider's id of a number, which the API does not show.
  std::string db_external_number(std::int64_t phone_number_id) {
    auto db = store::Database::open(server->database().url(), 1);
    return db->read([&](store::Tx& tx) {
      return tx.one("SELECT external_number_id FROM phone_numbers WHERE id = ?", {phone_number_id})
          ->str("external_number_id");
    });
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
  // The audit log of the agent: its creation, then whatever the publishes leave.
  auto audited_routes = [&] {
    const auto log = server->get("/api/audit-log?resource_type=agent", company.key);
    std::vector<std::string> routes;
    for (const auto& e : log.json.at("items").as_array()) routes.emplace_back(e.at("route").as_string());
    return routes;
  };
  for (const auto* step : {"create_agent", "import_number", "assign_agent"}) {
    SCOPED_TRACE(step);
    fake.fail(step, 400);
    auto r = publish();
    EXPECT_EQ(r.status, 502) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "provider_error");
    expect_nothing_left_behind();
    // The reservation committed and was undone: the failed publish left no audit row.
    EXPECT_EQ(audited_routes(), std::vector<std::string>{"/api/agents/"});
  }
  // And then it works, with one row.
  ASSERT_EQ(publish().status, 200);
  EXPECT_EQ(audited_routes(), (std::vector<std::string>{"/api/agents/{agent_id}/publish", "/api/agents/"}));
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

// The provider's default TTS model speaks English only: the model follows the agent's language.
TEST_F(LiveAgents, TtsModelFollowsTheAgentsLanguage) {
  auto created = server->post("/api/agents/", user.key,
                              json::object{{"name", "Recepción"},
                                           {"personality", "Eres la recepcionista de Acme."},
                                           {"opening_line", "¡Acme, buenos días!"},
                                           {"voice_id", 1},
                                           {"language", "es"}});
  ASSERT_EQ(created.status, 201) << created.body;
  agent_id = created.json.at("id").as_int64();
  auto r = publish();
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string external(r.json.at("external_agent_id").as_string());
  auto model = [&] { return text(*fake.agent(external), {"conversation_config", "tts", "model_id"}); };
  EXPECT_EQ(model(), "eleven_flash_v2_5");

  ASSERT_EQ(server->put(path(), user.key, json::object{{"language", "en"}}).status, 200);
  EXPECT_EQ(model(), "eleven_flash_v2");
  EXPECT_EQ(text(*fake.agent(external), {"conversation_config", "agent", "language"}), "en");
  ASSERT_EQ(server->put(path(), user.key, json::object{{"language", "de"}}).status, 200);
  EXPECT_EQ(model(), "eleven_flash_v2_5");
}

// A Twilio number is imported at the provider with the company's Twilio account; without one,
// a publish takes another free number, or refuses before anything is reserved.
TEST_F(LiveAgents, TwilioNumbersAreImportedWithTheCompanysTwilioAccount) {
  constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
  constexpr const char* kToken = "0123456789abcdef0123456789abcdef";
  auto import = [&](const char* number, const char* country, const char* provider) {
    auto r = server->admin(
        "POST", "/api/admin/phone-numbers",
        json::object{{"numbers", json::array{json::object{
                                     {"number", number}, {"country_code", country}, {"provider_slug", provider}}}}});
    ASSERT_EQ(r.status, 201) << r.body;
  };
  import("+12025550101", "US", "twilio");
  auto publish_in_us = [&] { return server->post(path("/publish"), user.key, json::object{{"country_code", "US"}}); };

  // No Twilio account: the only free US number cannot go live, and nothing is reserved.
  auto refused = publish_in_us();
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json.at("error_type"), "invalid_state");
  EXPECT_NE(std::string(refused.json.at("detail").as_string()).find("twilio"), std::string::npos);
  EXPECT_EQ(server->get("/api/phone-numbers/available?country_code=US", user.key).json.as_array().size(), 1u);
  EXPECT_TRUE(server->get(path(), user.key).json.at("phone_number").is_null());
  EXPECT_EQ(fake.agent_count(), 0u);

  // A SIP trunk number free beside it is taken instead.
  import("+12025550102", "US", "sip_trunk");
  auto on_sip = publish_in_us();
  ASSERT_EQ(on_sip.status, 200) << on_sip.body;
  EXPECT_EQ(on_sip.json.at("phone_number").at("number"), "+12025550102");
  ASSERT_EQ(server->del(path(), user.key).status, 200);

  // With the company's account, the Twilio number is imported with it.
  ASSERT_EQ(server
                ->post("/api/providers/twilio/credentials", company.key,
                       json::object{{"company_id", company.id},
                                    {"credentials", {{"account_sid", kSid}, {"auth_token", kToken}}}})
                .status,
            201);
  auto a =
      server->post("/api/agents/", user.key,
                   json::object{{"name", "US desk"}, {"personality", "P"}, {"opening_line", "Hi"}, {"voice_id", 1}});
  agent_id = a.json.at("id").as_int64();
  auto on_twilio = publish_in_us();
  ASSERT_EQ(on_twilio.status, 200) << on_twilio.body;
  EXPECT_EQ(on_twilio.json.at("phone_number").at("number"), "+12025550101");
  ASSERT_EQ(fake.number_count(), 1u);
  const auto numbers = server->get("/api/phone-numbers/", user.key).json.as_array();
  ASSERT_EQ(numbers.size(), 1u);
  const auto external_number = db_external_number(numbers[0].at("id").as_int64());
  const auto number = fake.number(external_number);
  ASSERT_TRUE(number);
  EXPECT_EQ(number->at("provider"), "twilio");
  EXPECT_EQ(number->at("sid"), kSid);
  EXPECT_EQ(number->at("token"), kToken);
  EXPECT_EQ(number->at("assigned_agent_id"), on_twilio.json.at("external_agent_id"));
}

}  // namespace cxco::test
