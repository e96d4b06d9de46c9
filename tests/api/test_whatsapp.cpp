// WhatsApp end to end: enabling numbers (simulated, and live against the Graph fake), the
// inbound webhook (handshake, signatures), chats threaded into conversations under the 24-hour
// rule, replies written by the LLM (fake) from personality and history, failures of the LLM and
// of sending, status callbacks, usage and tenant isolation. Time is a ManualClock throughout.
#include "crypto/fernet.h"
#include "crypto/signatures.h"
#include "fakes/elevenlabs_fake.h"
#include "fakes/graph_fake.h"
#include "fakes/llm_fake.h"
#include "harness.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kStartMs = 1773309600000;  // 2026-03-12T10:00:00Z
constexpr const char* kAppSecret = "test-app-secret";
constexpr const char* kVerifyToken = "test-verify-token";
constexpr const char* kPersonality = "You are the friendly front desk of Acme. Answer briefly.";
constexpr const char* kCustomer = "27821234567";
constexpr const char* kWebhookPath = "/api/integrations/whatsapp/webhook";
constexpr const char* kHarnessKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";  // its CXCO_ENCRYPTION_KEYS

std::string digits_of(const std::string& e164) { return e164.substr(1); }

json::object notification(const std::string& phone_number_id, const std::string& display_number, const char* list,
                          json::object item) {
  json::object value{{"messaging_product", "whatsapp"},
                     {"metadata", {{"display_phone_number", display_number}, {"phone_number_id", phone_number_id}}}};
  if (std::string_view(list) == "messages")
    value["contacts"] = json::array{json::object{{"profile", {{"name", "Sheena Nelson"}}}, {"wa_id", item.at("from")}}};
  value[list] = json::array{std::move(item)};
  return {{"object", "whatsapp_business_account"},
          {"entry", json::array{json::object{
                        {"id", FakeGraph::kWabaId},
                        {"changes", json::array{json::object{{"field", "messages"}, {"value", std::move(value)}}}}}}}};
}

// A Cloud API notification of one text message (providers.md 2.3).
json::object message_payload(const std::string& phone_number_id, const std::string& display_number,
                             const std::string& message_id, const std::string& text) {
  return notification(phone_number_id, display_number, "messages",
                      {{"from", kCustomer},
                       {"id", message_id},
                       {"timestamp", "1739321024"},
                       {"type", "text"},
                       {"text", {{"body", text}}}});
}

// A status callback (providers.md 2.4).
json::object status_payload(const std::string& phone_number_id, const std::string& display_number,
                            const std::string& message_id, const std::string& status, std::int64_t timestamp) {
  json::object s{
      {"id", message_id}, {"status", status}, {"timestamp", std::to_string(timestamp)}, {"recipient_id", kCustomer}};
  if (status == "failed")
    s["errors"] = json::array{json::object{{"code", 131026}, {"title", "Message undeliverable"}}};
  else
    s["pricing"] = {{"billable", true}, {"pricing_model", "CBP"}, {"category", "service"}};
  return notification(phone_number_id, display_number, "statuses", std::move(s));
}

}  // namespace

class WhatsAppBase : public ::testing::Test {
 protected:
  struct Agent {
    std::int64_t id = 0, number_id = 0;
    std::string number;
  };

  void start(std::function<void(std::map<std::string, std::string>&)> extra = {}) {
    server = std::make_unique<TestServer>(
        [&](auto& v) {
          v["CXCO_WHATSAPP_APP_SECRET"] = kAppSecret;
          v["CXCO_WHATSAPP_VERIFY_TOKEN"] = kVerifyToken;
          if (extra) extra(v);
        },
        app::StartOptions{}, &clock);
    db = store::Database::open(server->database().url(), 1);
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    json::array numbers;
    for (const auto* n : {"+27211234567", "+27211234568", "+27211234569"})
      numbers.push_back(json::object{{"number", n}, {"country_code", "ZA"}});
    ASSERT_EQ(server->admin("POST", "/api/admin/phone-numbers", json::object{{"numbers", numbers}}).status, 201);
  }

  Agent publish(const std::string& key) {
    auto a =
        server->post("/api/agents/", key,
                     json::object{{"name", "Front desk"},
                                  {"personality", kPersonality},
                                  {"opening_line", "Acme, good morning!"},
                                  {"voice_id", 1},
                                  {"config", json::object{{"temperature", 0.4}, {"max_call_duration_seconds", 300}}}});
    EXPECT_EQ(a.status, 201) << a.body;
    const auto id = a.json.at("id").as_int64();
    auto p = server->request("POST", "/api/agents/" + std::to_string(id) + "/publish", key);
    EXPECT_EQ(p.status, 200) << p.body;
    const auto& pn = p.json.at("phone_number");
    return {id, pn.at("id").as_int64(), std::string(pn.at("number").as_string())};
  }

  Reply enable(std::int64_t number_id, const std::string& key) {
    return server->request("POST", "/api/phone-numbers/" + std::to_string(number_id) + "/enable-whatsapp", key);
  }
  std::string whatsapp_status(std::int64_t number_id, const std::string& key) {
    auto r = server->get("/api/phone-numbers/" + std::to_string(number_id) + "/whatsapp-status", key);
    return r.status == 200 ? std::string(r.json.at("whatsapp_status").as_string()) : "HTTP " + std::to_string(r.status);
  }
  bool becomes(std::int64_t number_id, const std::string& key, const std::string& status) {
    return eventually([&] { return whatsapp_status(number_id, key) == status; });
  }

  Reply deliver(const json::object& payload, const std::string& secret = kAppSecret) {
    const auto body = json::serialize(payload);
    return server->request("POST", kWebhookPath, "", body,
                           {{"X-Hub-Signature-256", crypto::sign_whatsapp(secret, body)}});
  }

  json::array conversations(const std::string& key) {
    auto r = server->get("/api/conversations/?channel=whatsapp", key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json.at("items").as_array() : json::array{};
  }
  json::object conversation(std::int64_t id, const std::string& key) {
    auto r = server->get("/api/conversations/" + std::to_string(id), key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json.as_object() : json::object{};
  }
  bool message_count_reaches(std::int64_t conversation_id, std::int64_t n) {
    return eventually([&] {
      const auto c = conversation(conversation_id, user.key);
      return c.contains("message_count") && c.at("message_count").as_int64() >= n;
    });
  }
  // The company's only WhatsApp conversation.
  std::int64_t only_conversation() {
    const auto items = conversations(user.key);
    EXPECT_EQ(items.size(), 1u);
    return items.empty() ? 0 : items[0].at("id").as_int64();
  }

  // What the API does not show: events, the reply queue, message statuses.
  std::vector<json::object> events(const std::string& type, std::int64_t company_id) {
    const auto rows = db->read([&](store::Tx& tx) {
      return tx.query("SELECT data FROM events WHERE company_id = ? AND type = ? ORDER BY id", {company_id, type});
    });
    std::vector<json::object> out;
    for (const auto& r : rows.rows) out.push_back(json::parse(r.str("data")).as_object());
    return out;
  }
  std::int64_t count(const std::string& sql) {
    return db->read([&](store::Tx& tx) { return tx.one(sql)->i64("n"); });
  }
  std::string one_text(const std::string& sql, const store::Params& params = {}) {
    return db->read([&](store::Tx& tx) {
      const auto row = tx.one(sql, params);
      return row ? row->str("v") : std::string();
    });
  }

  ManualClock clock{kStartMs};
  std::unique_ptr<TestServer> server;
  std::unique_ptr<store::Database> db;
  TestServer::Account company{}, user{};
};

// ---------------------------------------------------------------------------------------------
// Simulated mode

class WhatsAppSimulated : public WhatsAppBase {
 protected:
  void SetUp() override { start(); }
  // Publishes an agent and takes its number through simulated verification.
  Agent live_agent(const std::string& key) {
    const auto agent = publish(key);
    EXPECT_EQ(enable(agent.number_id, key).status, 200);
    clock.advance_seconds(5);
    EXPECT_TRUE(becomes(agent.number_id, key, "active"));
    return agent;
  }
  static std::string sim_id(const Agent& a) { return "sim_wa_" + digits_of(a.number); }
  static json::value sim_reply(int user_turns, const std::string& heard) {
    return json::value("Thanks for your message (" + std::to_string(user_turns) + " so far). You said: \"" + heard +
                       "\". How else can I help?");
  }
};

TEST_F(WhatsAppSimulated, EnablementTurnsActiveAfterTheConfiguredDelay) {
  const auto agent = publish(user.key);
  auto r = enable(agent.number_id, user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("whatsapp_status"), "pending");
  EXPECT_EQ(r.json.at("id").as_int64(), agent.number_id);
  EXPECT_EQ(r.json.at("agent_id").as_int64(), agent.id);
  EXPECT_EQ(r.json.at("status"), "assigned");
  auto status = server->get("/api/phone-numbers/" + std::to_string(agent.number_id) + "/whatsapp-status", user.key);
  EXPECT_EQ(status.json,
            (json::object{{"id", agent.number_id}, {"number", agent.number}, {"whatsapp_status", "pending"}}));

  auto twice = enable(agent.number_id, user.key);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.json.at("error_type"), "invalid_state");

  // CXCO_WHATSAPP_SIM_VERIFY_SECONDS (5 by default) has not passed: still pending.
  clock.advance_seconds(4.5);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(whatsapp_status(agent.number_id, user.key), "pending");
  EXPECT_EQ(server->get("/api/agents/" + std::to_string(agent.id), user.key).json.at("whatsapp_enabled"), false);

  clock.advance_seconds(0.5);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "active"));
  const auto a = server->get("/api/agents/" + std::to_string(agent.id), user.key).json;
  EXPECT_EQ(a.at("whatsapp_enabled"), true);
  EXPECT_EQ(a.at("phone_number").at("whatsapp_enabled"), true);
  EXPECT_EQ(a.at("phone_number").at("whatsapp_status"), "active");
  const auto numbers = server->get("/api/phone-numbers/", user.key).json.as_array();
  ASSERT_EQ(numbers.size(), 1u);
  EXPECT_EQ(numbers[0].at("whatsapp_external_id"), json::value(sim_id(agent)));

  const auto verified = events("phone_number.whatsapp_verified", company.id);
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_EQ(verified[0].at("id").as_int64(), agent.number_id);
  EXPECT_EQ(verified[0].at("whatsapp_status"), "active");
  EXPECT_TRUE(verified[0].at("failure_reason").is_null());

  EXPECT_EQ(enable(agent.number_id, user.key).status, 409);

  // Archive clears WhatsApp on the agent and on the number it gives back to the pool.
  ASSERT_EQ(server->del("/api/agents/" + std::to_string(agent.id), user.key).status, 200);
  EXPECT_EQ(server->get("/api/agents/" + std::to_string(agent.id), user.key).json.at("whatsapp_enabled"), false);
  EXPECT_EQ(enable(agent.number_id, user.key).status, 404);
  const auto pool = server->admin("GET", "/api/admin/phone-numbers");
  for (const auto& n : pool.json.as_array()) EXPECT_EQ(n.at("whatsapp_status"), "none");
}

TEST_F(WhatsAppSimulated, ArchivingWhilePendingCancelsTheVerification) {
  const auto agent = publish(user.key);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  ASSERT_EQ(server->del("/api/agents/" + std::to_string(agent.id), user.key).status, 200);
  clock.advance_seconds(5);
  EXPECT_TRUE(eventually(
      [&] { return count("SELECT COUNT(*) AS n FROM whatsapp_verifications WHERE status = 'cancelled'") == 1; }));
  EXPECT_TRUE(events("phone_number.whatsapp_verified", company.id).empty());
}

TEST_F(WhatsAppSimulated, EnablementRulesAndTenantIsolation) {
  const auto agent = publish(user.key);
  const auto other = server->create_company("Other");
  const auto other_user = server->create_user(other.key, "joe@other.com");
  const auto theirs = publish(other_user.key);

  // Another company's number, and a pool number, do not exist for this company.
  for (const auto id : {theirs.number_id, std::int64_t{3}}) {
    auto r = enable(id, user.key);
    EXPECT_EQ(r.status, 404) << id;
    EXPECT_EQ(r.json.at("error_type"), "not_found");
    EXPECT_EQ(whatsapp_status(id, user.key), "HTTP 404");
  }
  EXPECT_EQ(whatsapp_status(theirs.number_id, other_user.key), "none");
  EXPECT_EQ(enable(agent.number_id, company.key).status, 403);
  EXPECT_EQ(server->request("POST", "/api/phone-numbers/abc/enable-whatsapp", user.key).status, 422);

  // A paused agent's number may be enabled; it just does not answer while paused.
  ASSERT_EQ(server->request("POST", "/api/agents/" + std::to_string(agent.id) + "/pause", user.key).status, 200);
  EXPECT_EQ(enable(agent.number_id, user.key).status, 200);
}

TEST_F(WhatsAppSimulated, ChatsThreadIntoConversationsUntil24HoursOfSilence) {
  const auto agent = live_agent(user.key);
  auto first = deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.in1", "Are you open today?"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json.at("stored").as_int64(), 1);
  const auto id = only_conversation();
  ASSERT_TRUE(message_count_reaches(id, 2));

  auto c = conversation(id, user.key);
  EXPECT_EQ(c.at("channel"), "whatsapp");
  EXPECT_EQ(c.at("agent_id").as_int64(), agent.id);
  // A chat has no recording.
  const auto audio = server->get("/api/conversations/" + std::to_string(id) + "/audio", user.key);
  EXPECT_EQ(audio.status, 404) << audio.body;
  EXPECT_EQ(audio.json.at("error_type"), "not_found");
  EXPECT_EQ(c.at("caller_number"), "+27821234567");
  EXPECT_EQ(c.at("direction"), "inbound");
  EXPECT_EQ(c.at("status"), "in_progress");
  EXPECT_EQ(c.at("source"), "whatsapp");
  EXPECT_EQ(c.at("started_at"), "2026-03-12T10:00:05Z");
  EXPECT_EQ(c.at("metadata_").at("customer_name"), "Sheena Nelson");
  const auto& transcript = c.at("transcript").as_array();
  ASSERT_EQ(transcript.size(), 2u);
  EXPECT_EQ(transcript[0].at("role"), "user");
  EXPECT_EQ(transcript[0].at("message"), "Are you open today?");
  EXPECT_EQ(transcript[1].at("role"), "agent");
  EXPECT_EQ(transcript[1].at("message"), sim_reply(1, "Are you open today?"));

  // The platform redelivers: stored once.
  auto again = deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.in1", "Are you open today?"));
  EXPECT_EQ(again.json.at("duplicates").as_int64(), 1);
  EXPECT_EQ(conversation(id, user.key).at("message_count").as_int64(), 2);

  // A second short of 24 hours later the conversation goes on, history and all.
  clock.advance_seconds(86399);
  deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.in2", "Until when?"));
  ASSERT_TRUE(message_count_reaches(id, 4));
  EXPECT_EQ(conversation(id, user.key).at("transcript").at(3).at("message"), sim_reply(2, "Until when?"));
  EXPECT_EQ(conversations(user.key).size(), 1u);

  // 24 hours of silence end it, with conversation.completed.
  clock.advance_seconds(86400);
  ASSERT_TRUE(eventually([&] { return conversation(id, user.key).at("status") == "completed"; }));
  c = conversation(id, user.key);
  EXPECT_EQ(c.at("ended_at"), "2026-03-13T10:00:04Z");
  EXPECT_EQ(c.at("duration_seconds").as_int64(), 86399);
  const auto completed = events("conversation.completed", company.id);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].at("id").as_int64(), id);
  EXPECT_EQ(completed[0].at("channel"), "whatsapp");
  EXPECT_EQ(completed[0].at("message_count").as_int64(), 4);
  EXPECT_FALSE(completed[0].contains("transcript"));

  // The next message starts a new conversation.
  deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.in3", "Hello again"));
  const auto items = conversations(user.key);
  ASSERT_EQ(items.size(), 2u);
  const auto second = items[0].at("id").as_int64();
  EXPECT_NE(second, id);
  ASSERT_TRUE(message_count_reaches(second, 2));
  EXPECT_EQ(conversation(second, user.key).at("transcript").at(1).at("message"), sim_reply(1, "Hello again"));

  // Usage counts conversations and every message in and out, on the day each conversation began.
  auto usage = server->get("/api/usage/summary?start_date=2026-03-01&end_date=2026-03-31", user.key);
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(usage.json.at("whatsapp"), (json::object{{"total_conversations", 2}, {"total_messages", 6}}));
  // by_agent is a breakdown of calls, like the `voice` block beside it: chats are not counted there.
  const auto& by_agent = usage.json.at("by_agent").as_array();
  ASSERT_EQ(by_agent.size(), 1u);
  EXPECT_EQ(by_agent[0].at("total_conversations"), usage.json.at("voice").at("total_conversations"));
  auto daily = server->get("/api/usage/daily?start_date=2026-03-12&end_date=2026-03-14", user.key);
  ASSERT_EQ(daily.status, 200) << daily.body;
  EXPECT_EQ(daily.json.at(0).at("whatsapp"), (json::object{{"total_conversations", 1}, {"total_messages", 4}}));
  EXPECT_EQ(daily.json.at(2).at("whatsapp"), (json::object{{"total_conversations", 1}, {"total_messages", 2}}));
}

// Every message joins the chat's search entry in its own transaction, and a chat is analysed on
// demand (platform.md section 8).
TEST_F(WhatsAppSimulated, ChatsAreSearchableAsTheyGrowAndAnalysedOnDemand) {
  const auto agent = live_agent(user.key);
  ASSERT_EQ(
      deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.s1", "Do you deliver to Paarl?")).status,
      200);
  const auto id = only_conversation();
  ASSERT_TRUE(message_count_reaches(id, 2));
  auto search = [&](const std::string& q) {
    return server->get("/api/conversations/?q=" + q, user.key).json.at("items").as_array().size();
  };
  EXPECT_EQ(search("paarl"), 1u);
  EXPECT_EQ(search("stellenbosch"), 0u);
  ASSERT_EQ(deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.s2", "Or Stellenbosch?")).status,
            200);
  ASSERT_TRUE(message_count_reaches(id, 4));
  EXPECT_EQ(search("stellenbosch%20paarl"), 1u);

  const auto path = "/api/conversations/" + std::to_string(id);
  json::object analysis{
      {"criteria", json::array{json::object{{"id", "answered"}, {"name", "Answered"}, {"prompt", "p"}}}}};
  ASSERT_EQ(
      server->put("/api/agents/" + std::to_string(agent.id), user.key, json::object{{"analysis", analysis}}).status,
      200);
  auto analysed = server->request("POST", path + "/analyze", user.key);
  ASSERT_EQ(analysed.status, 200) << analysed.body;
  EXPECT_EQ(analysed.json.at("analysis").at("criteria").at("answered").at("result"), "success");
  EXPECT_EQ(server->get("/api/conversations/?channel=whatsapp&criteria=answered:success", user.key)
                .json.at("items")
                .as_array()
                .size(),
            1u);
}

TEST_F(WhatsAppSimulated, PausedAgentKeepsTheMessageButDoesNotAnswer) {
  const auto agent = live_agent(user.key);
  const auto agent_path = "/api/agents/" + std::to_string(agent.id);
  ASSERT_EQ(server->request("POST", agent_path + "/pause", user.key).status, 200);
  auto r = deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.p1", "Anyone there?"));
  EXPECT_EQ(r.json.at("stored").as_int64(), 1);
  const auto id = only_conversation();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto c = conversation(id, user.key);
  EXPECT_EQ(c.at("message_count").as_int64(), 1);
  EXPECT_EQ(c.at("transcript").as_array().size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM whatsapp_replies"), 0);

  ASSERT_EQ(server->request("POST", agent_path + "/resume", user.key).status, 200);
  deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.p2", "Hello?"));
  ASSERT_TRUE(message_count_reaches(id, 3));
  // Only the message that arrived while answering gets an answer; it has seen both.
  EXPECT_EQ(conversation(id, user.key).at("transcript").at(2).at("message"), sim_reply(2, "Hello?"));
}

TEST_F(WhatsAppSimulated, RoutesByPhoneNumberIdThenDisplayNumber) {
  const auto agent = live_agent(user.key);
  const auto idle = publish(user.key);  // published, but WhatsApp never enabled on its number

  // An unknown phone_number_id falls back to the display number.
  auto r = deliver(message_payload("unknown-id", digits_of(agent.number), "wamid.r1", "Hi"));
  EXPECT_EQ(r.json.at("stored").as_int64(), 1);
  // Numbers that are not WhatsApp-active here are acknowledged and ignored.
  r = deliver(message_payload("unknown-id", "15550000000", "wamid.r2", "Hi"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("ignored").as_int64(), 1);
  r = deliver(message_payload("", digits_of(idle.number), "wamid.r3", "Hi"));
  EXPECT_EQ(r.json.at("ignored").as_int64(), 1);
  // Other notifications are acknowledged too.
  r = deliver(json::object{{"object", "page"}, {"entry", json::array{}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(conversations(user.key).size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM whatsapp_messages WHERE direction = 'inbound'"), 1);
}

TEST_F(WhatsAppSimulated, StatusCallbacksAreRecordedNewestFirst) {
  const auto agent = live_agent(user.key);
  deliver(message_payload(sim_id(agent), digits_of(agent.number), "wamid.s1", "Hi"));
  ASSERT_TRUE(message_count_reaches(only_conversation(), 2));
  const auto sent = one_text("SELECT external_message_id AS v FROM whatsapp_messages WHERE direction = 'outbound'");
  ASSERT_EQ(sent.rfind("wamid.", 0), 0u);
  auto status_of = [&] {
    return one_text("SELECT status AS v FROM whatsapp_messages WHERE external_message_id = ?", {sent});
  };
  EXPECT_EQ(status_of(), "accepted");

  // Out of order, as the platform warns: the newest wins.
  const std::vector<std::pair<std::string, std::int64_t>> callbacks = {
      {"read", 300}, {"delivered", 200}, {"sent", 100}};
  for (const auto& [status, at] : callbacks) {
    auto r = deliver(status_payload(sim_id(agent), digits_of(agent.number), sent, status, at));
    EXPECT_EQ(r.json.at("statuses").as_int64(), 1) << status;
  }
  EXPECT_EQ(status_of(), "read");
  deliver(status_payload(sim_id(agent), digits_of(agent.number), sent, "failed", 400));
  EXPECT_EQ(status_of(), "failed");
  EXPECT_NE(
      one_text("SELECT status_errors AS v FROM whatsapp_messages WHERE external_message_id = ?", {sent}).find("131026"),
      std::string::npos);
  // Callbacks about messages that are not ours are acknowledged and ignored.
  auto r = deliver(status_payload(sim_id(agent), digits_of(agent.number), "wamid.unknown", "read", 500));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("statuses").as_int64(), 0);
}

TEST_F(WhatsAppSimulated, EachCompanySeesOnlyItsOwnChats) {
  const auto mine = live_agent(user.key);
  const auto other = server->create_company("Other");
  const auto other_user = server->create_user(other.key, "joe@other.com");
  const auto theirs = live_agent(other_user.key);

  deliver(message_payload(sim_id(mine), digits_of(mine.number), "wamid.t1", "For Acme"));
  deliver(message_payload(sim_id(theirs), digits_of(theirs.number), "wamid.t2", "For Other"));
  const auto my_items = conversations(user.key);
  const auto their_items = conversations(other_user.key);
  ASSERT_EQ(my_items.size(), 1u);
  ASSERT_EQ(their_items.size(), 1u);
  const auto mine_id = my_items[0].at("id").as_int64();
  EXPECT_EQ(my_items[0].at("agent_id").as_int64(), mine.id);
  EXPECT_EQ(their_items[0].at("agent_id").as_int64(), theirs.id);
  EXPECT_EQ(their_items[0].at("company_id").as_int64(), other.id);
  EXPECT_EQ(server->get("/api/conversations/" + std::to_string(mine_id), other_user.key).status, 404);
  ASSERT_TRUE(message_count_reaches(mine_id, 2));
  EXPECT_EQ(conversation(mine_id, user.key).at("transcript").at(0).at("message"), "For Acme");
  auto usage = server->get("/api/usage/summary?start_date=2026-03-01&end_date=2026-03-31", other_user.key);
  EXPECT_EQ(usage.json.at("whatsapp").at("total_conversations").as_int64(), 1);
}

// ---------------------------------------------------------------------------------------------
// The webhook's own checks

TEST_F(WhatsAppSimulated, VerificationHandshake) {
  const std::string base = std::string(kWebhookPath) + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=";
  auto ok = server->get(base + kVerifyToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(ok.header("content-type").rfind("text/plain", 0), 0u);
  EXPECT_EQ(server->get(base + "wrong").status, 403);
  EXPECT_EQ(
      server->get(std::string(kWebhookPath) + "?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=" + kVerifyToken)
          .status,
      403);
  EXPECT_EQ(server->get(kWebhookPath).status, 403);
}

TEST_F(WhatsAppSimulated, SignaturesAreCheckedOverTheRawBody) {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  auto post = [&](const std::string& raw, http::Fields headers) {
    return server->request("POST", kWebhookPath, "", raw, std::move(headers));
  };
  EXPECT_EQ(post(body, {{"X-Hub-Signature-256", crypto::sign_whatsapp(kAppSecret, body)}}).status, 200);
  auto missing = post(body, {});
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.json.at("error_type"), "authentication_error");
  EXPECT_EQ(post(body, {{"X-Hub-Signature-256", crypto::sign_whatsapp("another-secret", body)}}).status, 401);
  // Same JSON, other bytes: the signature covers the bytes, not the meaning.
  const std::string spaced = R"({"object": "whatsapp_business_account", "entry": []})";
  EXPECT_EQ(post(spaced, {{"X-Hub-Signature-256", crypto::sign_whatsapp(kAppSecret, body)}}).status, 401);
  EXPECT_EQ(post(body, {{"X-Hub-Signature-256", "sha256=zz"}}).status, 401);
}

TEST(WhatsAppWebhook, ProvidersTestVectorAndUnconfiguredServer) {
  // providers.md 2.3: secret "appsecret" over this body.
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  const http::Fields signed_headers = {
      {"X-Hub-Signature-256", "sha256=09eceea024af6e6343b760cc9bd3ae7c056938dd636e24e92109eb8219500384"}};
  {
    TestServer server([](auto& v) { v["CXCO_WHATSAPP_APP_SECRET"] = "appsecret"; });
    EXPECT_EQ(server.request("POST", kWebhookPath, "", body, signed_headers).status, 200);
    EXPECT_EQ(server.request("POST", kWebhookPath, "", body + " ", signed_headers).status, 401);
  }
  // Without an app secret or a verify token nothing is accepted.
  TestServer bare;
  EXPECT_EQ(bare.request("POST", kWebhookPath, "", body, signed_headers).status, 401);
  EXPECT_EQ(bare.get(std::string(kWebhookPath) + "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=").status, 403);
}

// ---------------------------------------------------------------------------------------------
// Live mode: the Graph API and the LLM are fakes

class WhatsAppLive : public WhatsAppBase {
 protected:
  static constexpr const char* kGraphId = "106540352242922";
  static constexpr const char* kOtherGraphId = "106540352242923";

  void SetUp() override {
    start([&](auto& v) {
      v["CXCO_PROVIDER_MODE"] = "live";
      v["CXCO_ELEVENLABS_BASE_URL"] = voice.base_url();
      v["CXCO_ELEVENLABS_API_KEY"] = FakeElevenLabs::kDefaultKey;
      v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test";
      v["CXCO_WHATSAPP_GRAPH_BASE_URL"] = graph.base_url();
      v["CXCO_LLM_BASE_URL"] = llm.base_url();
      v["CXCO_LLM_API_KEY"] = FakeLlm::kKey;
      v["CXCO_LLM_MODEL"] = "gpt-test";
      // The company's own LLM endpoint below is a fake on loopback.
      v["CXCO_WEBHOOK_ALLOW_PRIVATE"] = "1";
    });
  }
  void store_whatsapp_credentials(json::object extra = {}) {
    json::object credentials{{"access_token", FakeGraph::kToken}, {"waba_id", FakeGraph::kWabaId}};
    for (const auto& [k, v] : extra) credentials[k] = v;
    auto r = server->post("/api/providers/whatsapp/credentials", company.key,
                          json::object{{"company_id", company.id}, {"credentials", credentials}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Checks made of the verification in progress (written when it is rescheduled).
  std::int64_t verification_checks() {
    return count("SELECT COALESCE(MAX(checks), 0) AS n FROM whatsapp_verifications WHERE status = 'pending'");
  }
  // An agent whose number is registered and connected at the fake.
  Agent chatting_agent() {
    store_whatsapp_credentials();
    const auto agent = publish(user.key);
    graph.add_number(kGraphId, agent.number);
    EXPECT_EQ(enable(agent.number_id, user.key).status, 200);
    EXPECT_TRUE(becomes(agent.number_id, user.key, "active"));
    return agent;
  }
  void say(const Agent& agent, const std::string& message_id, const std::string& text) {
    auto r = deliver(message_payload(kGraphId, digits_of(agent.number), message_id, text));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("stored").as_int64(), 1) << r.body;
  }
  json::value last_reply_error(std::int64_t conversation_id) {
    const auto metadata = conversation(conversation_id, user.key).at("metadata_").as_object();
    const auto* e = metadata.if_contains("last_reply_error");
    return e ? *e : json::value(nullptr);
  }
  bool failures_reach(std::int64_t conversation_id, std::int64_t n) {
    return eventually([&] {
      const auto metadata = conversation(conversation_id, user.key).at("metadata_").as_object();
      const auto* f = metadata.if_contains("reply_failures");
      return f && f->as_int64() >= n;
    });
  }

  FakeElevenLabs voice;
  FakeGraph graph;
  FakeLlm llm;
};

TEST_F(WhatsAppLive, EnablementRegistersTheNumberAndPollsUntilVerified) {
  const auto agent = publish(user.key);
  auto refused = enable(agent.number_id, user.key);
  EXPECT_EQ(refused.status, 409) << "live mode needs the company's whatsapp credentials";
  EXPECT_EQ(refused.json.at("error_type"), "invalid_state");

  store_whatsapp_credentials({{"pin", "123456"}});
  graph.add_number(kGraphId, agent.number, 2);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  // Found among the WABA's numbers, registered with the company's PIN, then UNVERIFIED at the first poll.
  ASSERT_TRUE(eventually([&] { return verification_checks() == 1; }));
  EXPECT_EQ(graph.registrations(kGraphId), std::vector<std::string>{"123456"});
  EXPECT_EQ(graph.request_count("list_numbers"), 1);
  EXPECT_EQ(whatsapp_status(agent.number_id, user.key), "pending");

  clock.advance_seconds(10);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 2; }));
  EXPECT_EQ(whatsapp_status(agent.number_id, user.key), "pending");
  clock.advance_seconds(10);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kGraphId).size(), 1u);
  EXPECT_EQ(server->get("/api/phone-numbers/", user.key).json.at(0).at("whatsapp_external_id"), kGraphId);
  EXPECT_EQ(server->get("/api/agents/" + std::to_string(agent.id), user.key).json.at("whatsapp_enabled"), true);
  EXPECT_EQ(events("phone_number.whatsapp_verified", company.id).size(), 1u);
}

TEST_F(WhatsAppLive, EnablementFailsForANumberOutsideTheAccountAndCanBeRetried) {
  store_whatsapp_credentials();
  const auto agent = publish(user.key);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "failed"));
  const auto verified = events("phone_number.whatsapp_verified", company.id);
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_EQ(verified[0].at("whatsapp_status"), "failed");
  EXPECT_NE(std::string(verified[0].at("failure_reason").as_string()).find("is not a phone number of"),
            std::string::npos);
  EXPECT_EQ(server->get("/api/agents/" + std::to_string(agent.id), user.key).json.at("whatsapp_enabled"), false);

  // Once the number is in the account, enabling again registers it and succeeds.
  graph.add_number(kGraphId, agent.number);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kGraphId).size(), 1u);
}

TEST_F(WhatsAppLive, EnablementFailsOnAPermanentGraphErrorAndRetriesTransientOnes) {
  store_whatsapp_credentials({{"phone_number_ids", json::array{kGraphId, kOtherGraphId}}});
  const auto first = publish(user.key);
  const auto second = publish(user.key);
  graph.add_number(kGraphId, first.number);
  graph.add_number(kOtherGraphId, second.number);

  // 133005: the PIN does not match; trying again cannot help.
  graph.fail("register", 400, 133005, 1);
  ASSERT_EQ(enable(first.number_id, user.key).status, 200);
  ASSERT_TRUE(becomes(first.number_id, user.key, "failed"));
  const auto verified = events("phone_number.whatsapp_verified", company.id);
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_NE(std::string(verified[0].at("failure_reason").as_string()).find("133005"), std::string::npos);

  // A throttled registration is tried again at the next check.
  graph.fail("register", 400, 133015, 1);
  ASSERT_EQ(enable(second.number_id, user.key).status, 200);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 1; }));
  EXPECT_EQ(whatsapp_status(second.number_id, user.key), "pending");
  clock.advance_seconds(10);
  ASSERT_TRUE(becomes(second.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kOtherGraphId).size(), 1u);
  // The ids named in the credentials were checked directly; the WABA was never listed.
  EXPECT_EQ(graph.request_count("list_numbers"), 0);
}

// Graph answers throttling and temporary failures with HTTP 400 too: an error marked
// is_transient, or a rate-limit code, is tried again at the next check, not taken as final.
TEST_F(WhatsAppLive, Http400ErrorsMarkedTransientOrThrottledAreRetried) {
  store_whatsapp_credentials();
  const auto agent = publish(user.key);
  graph.add_number(kGraphId, agent.number);
  graph.fail("register", 400, 100, 1, true);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 1; }));
  EXPECT_EQ(whatsapp_status(agent.number_id, user.key), "pending");

  graph.fail("register", 400, 17, 1);  // user request limit reached
  clock.advance_seconds(10);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 2; }));
  EXPECT_EQ(whatsapp_status(agent.number_id, user.key), "pending");

  clock.advance_seconds(10);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "active"));
  EXPECT_EQ(graph.request_count("register"), 3);
  EXPECT_EQ(graph.registrations(kGraphId).size(), 1u);
}

// Activation follows code_verification_status, the field Meta's definition documents for it: a
// number that never reports VERIFIED fails when the 30 minutes are up.
TEST_F(WhatsAppLive, ANumberThatNeverVerifiesFailsAfterThirtyMinutes) {
  store_whatsapp_credentials();
  const auto agent = publish(user.key);
  graph.add_number(kGraphId, agent.number, 1000);
  ASSERT_EQ(enable(agent.number_id, user.key).status, 200);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 1; }));
  clock.advance_seconds(31 * 60);
  ASSERT_TRUE(becomes(agent.number_id, user.key, "failed"));
  const auto verified = events("phone_number.whatsapp_verified", company.id);
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_NE(std::string(verified[0].at("failure_reason").as_string()).find("code_verification_status is UNVERIFIED"),
            std::string::npos)
      << verified[0];
  EXPECT_EQ(graph.registrations(kGraphId).size(), 1u);
}

// Without a PIN in the company's credentials, registration's PIN is generated, stored with the
// credentials before it is used, and used again by every later registration: the Cloud API
// refuses to register a number again under another PIN (133005).
TEST_F(WhatsAppLive, AGeneratedRegistrationPinIsKeptAndReused) {
  store_whatsapp_credentials();
  const auto first = publish(user.key);
  const auto second = publish(user.key);
  graph.add_number(kGraphId, first.number);
  graph.add_number(kOtherGraphId, second.number);
  auto stored_pin = [&] {
    const auto token = one_text(
        "SELECT c.credentials AS v FROM provider_credentials c JOIN providers p ON p.id = c.provider_id "
        "WHERE p.slug = 'whatsapp'");
    const auto plain = crypto::MultiFernet::from_key_list(kHarnessKey)->decrypt(token);
    const auto credentials = json::parse(*plain);
    const auto* pin = credentials.as_object().if_contains("pin");
    return pin ? std::string(pin->as_string()) : std::string();
  };

  // A registration that fails finds the PIN kept already; its retry uses the same one.
  graph.fail("register", 503, 131016, 1);
  ASSERT_EQ(enable(first.number_id, user.key).status, 200);
  ASSERT_TRUE(eventually([&] { return verification_checks() == 1; }));
  const auto pin = stored_pin();
  ASSERT_EQ(pin.size(), 6u);
  EXPECT_EQ(pin.find_first_not_of("0123456789"), std::string::npos);
  clock.advance_seconds(10);
  ASSERT_TRUE(becomes(first.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kGraphId), std::vector<std::string>{pin});

  // Other numbers of the company, and the same number enabled again, register with it too.
  ASSERT_EQ(enable(second.number_id, user.key).status, 200);
  ASSERT_TRUE(becomes(second.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kOtherGraphId), std::vector<std::string>{pin});
  ASSERT_EQ(server->del("/api/agents/" + std::to_string(first.id), user.key).status, 200);
  const auto again = publish(user.key);
  ASSERT_EQ(again.number, first.number);  // the number back from the pool
  ASSERT_EQ(enable(again.number_id, user.key).status, 200);
  ASSERT_TRUE(becomes(again.number_id, user.key, "active"));
  EXPECT_EQ(graph.registrations(kGraphId), (std::vector<std::string>{pin, pin}));
  EXPECT_EQ(stored_pin(), pin);
}

TEST_F(WhatsAppLive, RepliesComeFromTheLlmWithPersonalityHistoryAndTemperature) {
  const auto agent = chatting_agent();
  llm.script({"We open at 9.", "Until 5 today."});
  say(agent, "wamid.l1", "Are you open today?");
  const auto id = only_conversation();
  ASSERT_TRUE(message_count_reaches(id, 2));  // the answer is recorded, not only sent
  say(agent, "wamid.l2", "Until when?");
  ASSERT_TRUE(graph.wait_for_sent(2));

  const auto sent = graph.sent();
  EXPECT_EQ(sent[0].phone_number_id, kGraphId);
  EXPECT_EQ(sent[0].to, kCustomer);
  EXPECT_EQ(sent[0].body, "We open at 9.");
  EXPECT_EQ(sent[1].body, "Until 5 today.");

  const auto requests = llm.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].at("model"), "gpt-test");
  EXPECT_DOUBLE_EQ(requests[1].at("temperature").to_number<double>(), 0.4);
  const json::array expected{json::object{{"role", "system"}, {"content", kPersonality}},
                             json::object{{"role", "user"}, {"content", "Are you open today?"}},
                             json::object{{"role", "assistant"}, {"content", "We open at 9."}},
                             json::object{{"role", "user"}, {"content", "Until when?"}}};
  EXPECT_EQ(requests[1].at("messages"), expected);
  EXPECT_EQ(requests[0].at("messages").as_array().size(), 2u);

  ASSERT_TRUE(message_count_reaches(id, 4));
  const auto transcript = conversation(id, user.key).at("transcript").as_array();
  ASSERT_EQ(transcript.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(std::string(transcript[i].at("role").as_string()), i % 2 ? "agent" : "user");
  EXPECT_EQ(one_text("SELECT external_message_id AS v FROM whatsapp_messages WHERE direction = 'outbound' ORDER BY id"),
            sent[0].message_id);

  // The company's own llm credentials take precedence over CXCO_LLM_*.
  FakeLlm own("sk-company-llm");
  ASSERT_EQ(server
                ->post("/api/providers/llm/credentials", company.key,
                       json::object{
                           {"company_id", company.id},
                           {"credentials",
                            {{"base_url", own.base_url()}, {"api_key", "sk-company-llm"}, {"model", "company-model"}}}})
                .status,
            201);
  say(agent, "wamid.l3", "Thanks!");
  ASSERT_TRUE(own.wait_for_requests(1));
  EXPECT_EQ(own.requests()[0].at("model"), "company-model");
  ASSERT_TRUE(graph.wait_for_sent(3));
  EXPECT_EQ(llm.requests().size(), 2u);
}

TEST_F(WhatsAppLive, LlmFailuresAreRetriedAndRecordedWithoutLosingTheMessage) {
  const auto agent = chatting_agent();
  llm.fail(500, 2);
  say(agent, "wamid.f1", "Hello?");
  const auto id = only_conversation();
  EXPECT_EQ(conversation(id, user.key).at("transcript").at(0).at("message"), "Hello?");

  ASSERT_TRUE(failures_reach(id, 1));
  const auto error = last_reply_error(id);
  EXPECT_EQ(error.at("stage"), "llm");
  EXPECT_EQ(error.at("retrying"), true);
  const std::string text(error.at("error").as_string());
  EXPECT_NE(text.find("HTTP 500"), std::string::npos) << text;
  EXPECT_EQ(text.find(FakeLlm::kKey), std::string::npos) << "the key must be redacted: " << text;
  // Only a fixed reason: the endpoint's own words could carry what it found inside a network.
  EXPECT_EQ(text.find("The server had an error"), std::string::npos) << text;
  EXPECT_TRUE(graph.sent().empty());

  clock.advance_seconds(2);  // the first retry fails again
  ASSERT_TRUE(failures_reach(id, 2));
  clock.advance_seconds(10);  // the second succeeds
  ASSERT_TRUE(graph.wait_for_sent(1));
  ASSERT_TRUE(message_count_reaches(id, 2));
  EXPECT_EQ(llm.attempts(), 3);
  EXPECT_TRUE(eventually([&] { return one_text("SELECT status AS v FROM whatsapp_replies") == "sent"; }));
}

TEST_F(WhatsAppLive, AReplyThatKeepsFailingIsGivenUpButTheMessageStays) {
  const auto agent = chatting_agent();
  llm.fail(503, 100);
  say(agent, "wamid.g1", "Hello?");
  const auto id = only_conversation();
  const std::vector<double> schedule = {2, 10, 30, 120, 600};
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    ASSERT_TRUE(failures_reach(id, static_cast<std::int64_t>(i + 1)));
    clock.advance_seconds(schedule[i]);
  }
  ASSERT_TRUE(failures_reach(id, 6));
  ASSERT_TRUE(eventually([&] { return one_text("SELECT status AS v FROM whatsapp_replies") == "failed"; }));
  EXPECT_EQ(last_reply_error(id).at("retrying"), false);
  EXPECT_EQ(llm.attempts(), 6);
  const auto c = conversation(id, user.key);
  EXPECT_EQ(c.at("message_count").as_int64(), 1);
  EXPECT_EQ(c.at("transcript").at(0).at("message"), "Hello?");
  EXPECT_TRUE(graph.sent().empty());

  // The conversation carries on: the next message is answered.
  llm.fail(503, 0);
  say(agent, "wamid.g2", "Still there?");
  ASSERT_TRUE(graph.wait_for_sent(1));
}

TEST_F(WhatsAppLive, SendFailuresAreRetriedWithoutAskingTheLlmAgain) {
  const auto agent = chatting_agent();
  llm.script({"Hi! How can I help?"});
  graph.fail("send_message", 500, 131000, 1);
  say(agent, "wamid.x1", "Hi");
  const auto id = only_conversation();
  ASSERT_TRUE(failures_reach(id, 1));
  EXPECT_EQ(last_reply_error(id).at("stage"), "send");
  clock.advance_seconds(2);
  ASSERT_TRUE(graph.wait_for_sent(1));
  EXPECT_EQ(graph.sent()[0].body, "Hi! How can I help?");
  EXPECT_EQ(llm.requests().size(), 1u);
  ASSERT_TRUE(message_count_reaches(id, 2));
  auto usage = server->get("/api/usage/summary?start_date=2026-03-01&end_date=2026-03-31", user.key);
  EXPECT_EQ(usage.json.at("whatsapp"), (json::object{{"total_conversations", 1}, {"total_messages", 2}}));
}

}  // namespace cxco::test
