// Outbound calls (platform.md section 7): placed through the API, dialed by the dialer, followed
// to their end at the (simulated) provider and settled through the post-call ingestion path.
#include <set>

#include "crypto/signatures.h"
#include "fakes/elevenlabs_fake.h"
#include "outbound.h"
#include "providers/simulated_post_call.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

json::object call_body(std::int64_t agent_id, const std::string& to) {
  return {{"agent_id", agent_id}, {"to_number", to}};
}

}  // namespace

class Calls : public OutboundTest {
 protected:
  void SetUp() override { start(); }
  json::value place(const std::string& to, json::object extra = {}) {
    auto body = call_body(agent_id, to);
    for (auto& [k, v] : extra) body[k] = v;
    auto r = server->post("/api/calls", user.key, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  }
  json::value get(std::int64_t id) { return server->get("/api/calls/" + std::to_string(id), user.key).json; }
  std::string status_of(std::int64_t id) { return std::string(get(id).at("status").as_string()); }
};

TEST_F(Calls, ACompletedCallLinksItsOutboundConversationAndCountsAsOutboundUsage) {
  const auto created = place("+27821234565", {{"dynamic_variables", {{"name", "Jane"}, {"vip", true}, {"n", 3}}},
                                              {"metadata", {{"crm_id", "abc"}}},
                                              {"first_message", "Hi Jane!"}});
  EXPECT_EQ(created.at("direction"), "outbound");
  EXPECT_EQ(created.at("from_number"), "+27210000001");
  EXPECT_EQ(created.at("attempt"), 1);
  EXPECT_TRUE(created.at("campaign_id").is_null());
  EXPECT_EQ(created.at("metadata"), (json::object{{"crm_id", "abc"}}));
  EXPECT_EQ(created.at("dynamic_variables").at("name"), "Jane");
  const auto id = created.at("id").as_int64();

  std::set<std::string> seen;
  ASSERT_TRUE(run_until([&] {
    const auto status = status_of(id);
    seen.insert(status);
    return status == "completed";
  }));
  EXPECT_TRUE(seen.count("initiated") && seen.count("in_progress")) << "initiated and in_progress were seen";
  const auto call = get(id);
  EXPECT_TRUE(call.at("end_reason").is_null());
  ASSERT_TRUE(call.at("conversation_id").is_int64());
  EXPECT_EQ(std::string(call.at("external_conversation_id").as_string()).rfind("simconv.", 0), 0u);
  EXPECT_TRUE(call.at("started_at").is_string());
  EXPECT_TRUE(call.at("ended_at").is_string());

  const auto conversation =
      server->get("/api/conversations/" + std::to_string(call.at("conversation_id").as_int64()), user.key);
  ASSERT_EQ(conversation.status, 200);
  EXPECT_EQ(conversation.json.at("direction"), "outbound");
  EXPECT_EQ(conversation.json.at("caller_number"), "+27821234565");
  EXPECT_EQ(conversation.json.at("status"), "completed");
  EXPECT_EQ(conversation.json.at("agent_id").as_int64(), agent_id);

  // The new event types can be subscribed to.
  EXPECT_EQ(server
                ->post("/api/webhooks/", company.key,
                       json::object{{"url", "https://hooks.example.com/cxco"},
                                    {"events", {"call.status_changed", "campaign.status_changed"}}})
                .status,
            201);

  const auto usage = server->get("/api/usage/summary", user.key).json.at("voice");
  EXPECT_EQ(usage.at("outbound_conversations"), 1);
  EXPECT_EQ(usage.at("total_conversations"), 1);
  EXPECT_EQ(usage.at("outbound_minutes"), usage.at("total_minutes"));

  // queued -> initiated -> in_progress -> completed, each once, in order.
  const auto events = db->read([&](store::Tx& tx) {
    std::vector<std::string> out;
    for (const auto& r : tx.query("SELECT data FROM events WHERE type = 'call.status_changed' ORDER BY id").rows)
      out.push_back(r.str("data"));
    return out;
  });
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(
      json::parse(events[0]),
      (json::object{{"call_id", id}, {"previous_status", "queued"}, {"status", "initiated"}, {"end_reason", nullptr}}));
  EXPECT_EQ(json::parse(events[2]).at("status"), "completed");
}

TEST_F(Calls, TheLastDigitDecidesTheSimulatedOutcome) {
  const std::map<std::string, std::pair<std::string, json::value>> expected = {
      {"+27821234561", {"busy", "busy"}},
      {"+27821234562", {"no_answer", "no-answer"}},
      {"+27821234563", {"voicemail", "voicemail_detected"}},
      {"+27821234564", {"failed", "Call failed: the line is unreachable"}},
      {"+27821234569", {"completed", nullptr}}};
  std::map<std::string, std::int64_t> ids;
  for (const auto& [number, outcome] : expected) ids[number] = place(number).at("id").as_int64();
  ASSERT_TRUE(run_until([&] {
    for (const auto& [number, id] : ids)
      if (status_of(id) == "initiated" || status_of(id) == "in_progress") return false;
    return true;
  }));
  for (const auto& [number, outcome] : expected) {
    const auto call = get(ids[number]);
    EXPECT_EQ(call.at("status"), outcome.first.c_str()) << number;
    EXPECT_EQ(call.at("end_reason"), outcome.second) << number;
    EXPECT_TRUE(call.at("conversation_id").is_int64()) << number << ": every outcome stores a conversation";
  }
  EXPECT_EQ(server->get("/api/calls/?status=busy", user.key).json.at("items").as_array().size(), 1u);
  EXPECT_EQ(server->get("/api/calls/?limit=2", user.key).json.at("has_more"), true);
}

TEST_F(Calls, RefusedForInactiveAgentsListedNumbersAndBadInput) {
  auto bad = server->post("/api/calls", user.key,
                          json::object{{"agent_id", agent_id},
                                       {"to_number", "0821234567"},
                                       {"dynamic_variables", {{"ok", "x"}, {"nested", json::object{}}}},
                                       {"metadata", "not an object"}});
  ASSERT_EQ(bad.status, 422);
  std::set<std::string> locs;
  for (const auto& e : bad.json.at("errors").as_array()) locs.insert(json::serialize(e.at("loc")));
  EXPECT_EQ(locs, (std::set<std::string>{R"(["body","to_number"])", R"(["body","dynamic_variables","nested"])",
                                         R"(["body","metadata"])"}));

  ASSERT_EQ(server->post("/api/do-not-call", user.key, json::object{{"phone_number", "+27821234565"}}).status, 201);
  auto listed = server->post("/api/calls", user.key, call_body(agent_id, "+27821234565"));
  EXPECT_EQ(listed.status, 409);
  EXPECT_EQ(listed.json.at("error_type"), "do_not_call");

  auto other = server->create_company("Other");
  auto other_user = server->create_user(other.key, "bob@other.com");
  EXPECT_EQ(server->post("/api/calls", other_user.key, call_body(agent_id, "+27821234566")).status, 404);
  EXPECT_EQ(server->post("/api/calls", company.key, call_body(agent_id, "+27821234566")).status, 403);

  ASSERT_EQ(server->request("POST", "/api/agents/" + std::to_string(agent_id) + "/pause", user.key).status, 200);
  auto paused = server->post("/api/calls", user.key, call_body(agent_id, "+27821234566"));
  EXPECT_EQ(paused.status, 409);
  EXPECT_EQ(paused.json.at("error_type"), "invalid_state");
}

TEST_F(Calls, CallQuotasRefuseTheCallPastThemAndQuotaUsageCountsThem) {
  const auto quotas = "/api/admin/companies/" + std::to_string(company.id) + "/quotas";
  const auto company_path = "/api/companies/" + std::to_string(company.id);
  ASSERT_EQ(
      server->admin("PUT", quotas, json::object{{"max_concurrent_calls", 1}, {"monthly_outbound_calls", 2}}).status,
      200);
  const auto first = place("+27821234565").at("id").as_int64();
  auto refused = server->post("/api/calls", user.key, call_body(agent_id, "+27821234566"));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.json.at("error_type"), "quota_exceeded");
  EXPECT_NE(std::string(refused.json.at("detail").as_string()).find("max_concurrent_calls"), std::string::npos);
  EXPECT_EQ(refused.header("retry-after"), "") << "a call slot frees when a call ends, not at a known time";
  auto usage = server->get(company_path, company.key).json.at("quota_usage");
  EXPECT_EQ(usage.at("concurrent_calls"), 1);
  EXPECT_EQ(usage.at("outbound_calls_this_month"), 1);

  ASSERT_TRUE(run_until([&] { return status_of(first) == "completed"; }));
  EXPECT_EQ(server->get(company_path, company.key).json.at("quota_usage").at("concurrent_calls"), 0);
  const auto second = place("+27821234566").at("id").as_int64();
  ASSERT_TRUE(run_until([&] { return status_of(second) == "completed"; }));

  // Two calls this month: the third waits for next month (2026-04-01T00:00:00Z).
  auto monthly = server->post("/api/calls", user.key, call_body(agent_id, "+27821234567"));
  EXPECT_EQ(monthly.status, 429) << monthly.body;
  EXPECT_NE(std::string(monthly.json.at("detail").as_string()).find("monthly_outbound_calls"), std::string::npos);
  EXPECT_EQ(std::stoll(monthly.header("retry-after")), (1775001600000 - clock.now_ms()) / 1000);
  EXPECT_EQ(server->get(company_path, company.key).json.at("quota_usage").at("outbound_calls_this_month"), 2);
  EXPECT_EQ(count("SELECT count(*) AS n FROM calls"), 2) << "a refused call leaves nothing behind";
}

TEST_F(Calls, OnlyAQueuedCallCanBeCanceled) {
  // A call the dialer has not taken yet (no job): as it is between creation and its dial.
  const auto id = db->write([&](store::Tx& tx) {
    return tx.insert(
        "INSERT INTO calls (company_id, agent_id, to_number, status, dial_token, created_at, updated_at) "
        "VALUES (?, ?, '+27821234565', 'queued', 'cxco_test_token', '2026-03-02T10:00:00Z', '2026-03-02T10:00:00Z') "
        "RETURNING id",
        {company.id, agent_id});
  });
  const auto path = "/api/calls/" + std::to_string(id) + "/cancel";
  auto canceled = server->request("POST", path, user.key);
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(canceled.json.at("status"), "canceled");
  EXPECT_EQ(canceled.json.at("end_reason"), "canceled");
  auto again = server->request("POST", path, user.key);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json.at("error_type"), "invalid_state");

  const auto dialed = place("+27821234569").at("id").as_int64();
  settle();
  EXPECT_EQ(server->request("POST", "/api/calls/" + std::to_string(dialed) + "/cancel", user.key).status, 409);
  auto other = server->create_company("Other");
  auto other_user = server->create_user(other.key, "bob@other.com");
  EXPECT_EQ(server->get("/api/calls/" + std::to_string(dialed), other_user.key).status, 404);
}

TEST_F(Calls, DoNotCallList) {
  auto added = server->post("/api/do-not-call/", user.key,
                            json::object{{"phone_number", "+27821234565"}, {"reason", "asked not to be called"}});
  ASSERT_EQ(added.status, 201);
  EXPECT_EQ(added.json.at("phone_number"), "+27821234565");
  EXPECT_EQ(added.json.at("reason"), "asked not to be called");
  EXPECT_EQ(server->post("/api/do-not-call/", user.key, json::object{{"phone_number", "+27821234565"}}).status, 409);
  EXPECT_EQ(server->post("/api/do-not-call/", user.key, json::object{{"phone_number", "27821234565"}}).status, 422);
  ASSERT_EQ(server->post("/api/do-not-call/", user.key, json::object{{"phone_number", "+27821234566"}}).status, 201);

  auto page = server->get("/api/do-not-call/?limit=1", user.key);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json.at("items").at(0).at("phone_number"), "+27821234566");
  EXPECT_EQ(page.json.at("has_more"), true);
  auto next =
      server->get("/api/do-not-call/?limit=1&cursor=" + std::string(page.json.at("next_cursor").as_string()), user.key);
  EXPECT_EQ(next.json.at("items").at(0).at("phone_number"), "+27821234565");

  auto other = server->create_company("Other");
  auto other_user = server->create_user(other.key, "bob@other.com");
  EXPECT_TRUE(server->get("/api/do-not-call/", other_user.key).json.at("items").as_array().empty());
  EXPECT_EQ(server->del("/api/do-not-call/%2B27821234565", other_user.key).status, 404);

  EXPECT_EQ(server->del("/api/do-not-call/%2B27821234565", user.key).status, 204);
  EXPECT_EQ(server->del("/api/do-not-call/%2B27821234565", user.key).status, 404);
  EXPECT_EQ(server->del("/api/do-not-call/not-a-number", user.key).status, 422);
  EXPECT_EQ(server->get("/api/do-not-call/", user.key).json.at("items").as_array().size(), 1u);
}

// Live mode: the provider's outbound-call endpoint for the number's telephony, the post-call
// webhook tied by conversation_id, and failures recorded on the call.
class LiveCalls : public ::testing::Test {
 protected:
  void SetUp() override {
    // A manual clock: a call in progress is looked at again only when a test moves it.
    server = std::make_unique<TestServer>([&](auto& v) { fake.configure_live(v); }, app::StartOptions{}, &clock);
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    server->add_numbers({"+27210000001"});
    agent = server->publish_agent(user.key);
  }
  std::int64_t place(const std::string& to) {
    auto r = server->post("/api/calls", user.key,
                          json::object{{"agent_id", agent.id},
                                       {"to_number", to},
                                       {"dynamic_variables", {{"name", "Jane"}, {"balance", 12.5}}},
                                       {"first_message", "Hello Jane"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.at("id").as_int64();
  }
  json::value call(std::int64_t id) { return server->get("/api/calls/" + std::to_string(id), user.key).json; }
  Reply webhook(const json::object& payload) {
    const auto body = json::serialize(payload);
    util::SystemClock clock;
    return server->request("POST", "/api/integrations/elevenlabs/post-call", "", body,
                           {{"ElevenLabs-Signature", crypto::sign_elevenlabs("wsec_test", clock.now(), body)}});
  }

  FakeElevenLabs fake;
  ManualClock clock{util::SystemClock().now_ms()};
  std::unique_ptr<TestServer> server;
  TestServer::Account company{}, user{};
  TestServer::LiveAgent agent{};
};

TEST_F(LiveCalls, DialsTheProviderAndTheWebhookSettlesTheCall) {
  const auto id = place("+27821234569");
  ASSERT_TRUE(eventually([&] { return call(id).at("external_conversation_id").is_string(); }));
  const auto placed = fake.placed_calls();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].at("telephony"), "sip_trunk");
  EXPECT_EQ(placed[0].at("agent_id"), agent.external_id.c_str());
  EXPECT_EQ(placed[0].at("to_number"), "+27821234569");
  const auto& client_data = placed[0].at("conversation_initiation_client_data");
  EXPECT_EQ(client_data.at("dynamic_variables"), (json::object{{"name", "Jane"}, {"balance", 12.5}}));
  EXPECT_EQ(client_data.at("conversation_config_override").at("agent").at("first_message"), "Hello Jane");
  const std::string conversation_id(placed[0].at("conversation_id").as_string());
  EXPECT_EQ(call(id).at("external_conversation_id"), conversation_id.c_str());
  EXPECT_EQ(call(id).at("status"), "initiated");

  providers::SimulatedCall report;
  report.external_agent_id = agent.external_id;
  report.started_unix = util::SystemClock().now() - 60;
  report.duration_seconds = 42;
  report.outbound = providers::SimulatedCall::Outbound{"+27821234569", conversation_id,
                                                       std::string(client_data.at("user_id").as_string()), false};
  ASSERT_EQ(webhook(providers::simulated_post_call(report)).status, 200);
  const auto settled = call(id);
  EXPECT_EQ(settled.at("status"), "completed");
  EXPECT_TRUE(settled.at("conversation_id").is_int64());
  EXPECT_EQ(server->get("/api/usage/summary", user.key).json.at("voice").at("outbound_minutes"), 0.7);
}

TEST_F(LiveCalls, AnInitiationFailureEndsTheCallByItsReason) {
  const auto id = place("+27821234560");
  ASSERT_TRUE(eventually([&] { return call(id).at("external_conversation_id").is_string(); }));
  const json::object failure{{"type", "call_initiation_failure"},
                             {"event_timestamp", util::SystemClock().now()},
                             {"data",
                              {{"agent_id", agent.external_id},
                               {"conversation_id", call(id).at("external_conversation_id")},
                               {"failure_reason", "busy"},
                               {"metadata", {{"type", "sip"}, {"body", {{"sip_status_code", 486}}}}}}}};
  ASSERT_EQ(webhook(failure).status, 200);
  EXPECT_EQ(call(id).at("status"), "busy");
  EXPECT_EQ(call(id).at("end_reason"), "busy");
}

TEST_F(LiveCalls, AProviderErrorIsRecordedOnTheCall) {
  fake.fail("place_call", 422);
  const auto id = place("+27821234569");
  ASSERT_TRUE(eventually([&] { return call(id).at("status") == "failed"; }));
  EXPECT_NE(std::string(call(id).at("end_reason").as_string()).find("provider_error"), std::string::npos);
  EXPECT_EQ(fake.request_count("place_call"), 1) << "a refused dial is not repeated";
}

}  // namespace cxco::test

namespace cxco::test {

// A dial whose answer was lost (its node died, or the request timed out) is found at the
// provider by its dial token once the provider would show it, and never placed again; a dial the
// provider has no record of ends as not placed.
TEST_F(LiveCalls, ALostDialIsLookedUpAtTheProviderNotRepeated) {
  auto db = store::Database::open(server->database().url(), 1);
  const auto number_id = db->read(
      [&](store::Tx& tx) { return tx.one("SELECT external_number_id FROM phone_numbers")->str("external_number_id"); });

  // The provider placed the first call; the node died before it recorded the answer.
  http::ClientRequest dial;
  dial.method = "POST";
  dial.url = fake.base_url() + "/v1/convai/sip-trunk/outbound-call";
  dial.headers = {{"xi-api-key", FakeElevenLabs::kDefaultKey}, {"Content-Type", "application/json"}};
  dial.body = json::serialize(json::object{{"agent_id", agent.external_id},
                                           {"agent_phone_number_id", number_id},
                                           {"to_number", "+27821234565"},
                                           {"conversation_initiation_client_data", {{"user_id", "cxco_placed"}}}});
  ASSERT_EQ(http::perform(dial).status, 200);
  const auto placed_as = std::string(fake.placed_calls().at(0).at("conversation_id").as_string());

  std::map<std::string, std::int64_t> calls;
  db->write([&](store::Tx& tx) {
    for (const auto* token : {"cxco_placed", "cxco_never_placed"}) {
      calls[token] = tx.insert(
          "INSERT INTO calls (company_id, agent_id, to_number, status, dial_token, dial_started_ms, created_at, "
          "updated_at) VALUES (?, ?, '+27821234565', 'dialing', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') "
          "RETURNING id",
          {company.id, agent.id, std::string(token), clock.now_ms()});
      tx.exec(
          "INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at) VALUES ('outbound_call', ?, "
          "'', 0, ?, '2026-01-01T00:00:00Z')",
          {calls[token], clock.now_ms()});
    }
  });
  auto call_of = [&](const char* token) {
    return server->get("/api/calls/" + std::to_string(calls[token]), user.key).json;
  };
  // Not before the provider would show a dial still on its way.
  ASSERT_TRUE(eventually([&] {
    return db->read([&](store::Tx& tx) {
      return tx.one("SELECT count(*) AS n FROM jobs WHERE run_at > ?", {clock.now_ms()})->i64("n") == 2;
    });
  }));
  EXPECT_EQ(call_of("cxco_placed").at("status"), "initiated");
  EXPECT_EQ(fake.request_count("list_conversations"), 0);

  clock.advance_seconds(61);
  ASSERT_TRUE(eventually([&] { return call_of("cxco_placed").at("external_conversation_id").is_string(); }));
  EXPECT_EQ(call_of("cxco_placed").at("external_conversation_id"), placed_as.c_str());
  EXPECT_EQ(call_of("cxco_placed").at("status"), "initiated");
  ASSERT_TRUE(eventually([&] { return call_of("cxco_never_placed").at("status") == "failed"; }));
  EXPECT_EQ(call_of("cxco_never_placed").at("end_reason"), "not_placed");
  EXPECT_EQ(fake.request_count("place_call"), 1) << "nothing was dialed again";
}

}  // namespace cxco::test
