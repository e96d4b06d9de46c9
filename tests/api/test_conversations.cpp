// Conversations from the voice provider's post-call webhook: signatures, the payload mapping,
// idempotent replays, transfers, browsing, tenant isolation and reconciliation.
#include <atomic>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "crypto/crypto.h"
#include "fakes/elevenlabs_fake.h"
#include "harness.h"
#include "providers/simulated_post_call.h"
#include "services/conversations.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
// The secret of the provider's published test vector, so the vector itself can be replayed.
constexpr const char* kSecret = "wsec_test";
constexpr const char* kHook = "/api/integrations/elevenlabs/post-call";

// A system tool's call and its result as a transcript turn carries them (providers.md 1.4).
json::object tool_call(const std::string& tool_name) {
  return {{"request_id", "req_1"},
          {"tool_name", tool_name},
          {"type", "system"},
          {"params_as_json", "{}"},
          {"tool_has_been_called", true}};
}

json::object transfer_result(json::object result) {
  const bool failed = result.at("status") == "error";
  return {{"request_id", "req_1"},      {"tool_name", "transfer_to_number"}, {"type", "system"},
          {"is_error", failed},         {"tool_has_been_called", true},      {"result_value", "{}"},
          {"result", std::move(result)}};
}

json::object transferred(const std::string& result_type, const std::string& number) {
  return {{"result_type", result_type},
          {"status", "success"},
          {"transfer_number", number},
          {"reason", "caller asked for a person"},
          {"note", nullptr}};
}

}  // namespace

class Conversations : public ::testing::Test {
 protected:
  using Agent = TestServer::LiveAgent;

  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
    server.add_numbers({"+27211234567", "+27211234568", "+27211234569"});
    sales = server.publish_agent(user.key, "Sales");
    support = server.publish_agent(user.key, "Support");
  }

  // A post_call_transcription in the provider's shape (providers.md 1.3 and 1.5).
  json::object call(const std::string& conversation_id, const Agent& agent, std::int64_t duration = 215,
                    const std::string& outcome = "success") {
    json::array transcript{
        json::object{
            {"role", "agent"}, {"message", "Hi there! Thanks for calling Acme Corp."}, {"time_in_call_secs", 0}},
        json::object{{"role", "user"}, {"message", "What does the Pro plan cost?"}, {"time_in_call_secs", 3}},
        json::object{{"role", "agent"}, {"message", "R499 per month."}, {"time_in_call_secs", 6}}};
    json::object data{{"agent_id", agent.external_id},
                      {"conversation_id", conversation_id},
                      {"status", "done"},
                      {"transcript", transcript},
                      {"metadata",
                       {{"start_time_unix_secs", kNow - 3600},
                        {"call_duration_secs", duration},
                        {"phone_call",
                         {{"type", "sip_trunking"},
                          {"direction", "inbound"},
                          {"external_number", "+27821234567"},
                          {"agent_number", "+27211234567"},
                          {"phone_number_id", "pn_1"},
                          {"call_sid", "sip_1"}}}}},
                      {"analysis", {{"call_successful", outcome}, {"transcript_summary", "Asked about the Pro plan."}}},
                      {"has_audio", true},
                      {"has_user_audio", true},
                      {"has_response_audio", true}};
    return {{"type", "post_call_transcription"}, {"event_timestamp", kNow - 3600 + duration}, {"data", data}};
  }

  Reply deliver(const json::value& payload, std::optional<std::int64_t> t = std::nullopt) {
    return deliver_raw(json::serialize(payload), t);
  }
  Reply deliver_raw(const std::string& body, std::optional<std::int64_t> t = std::nullopt) {
    return server.request("POST", kHook, "", body,
                          {{"ElevenLabs-Signature", elevenlabs_signature(kSecret, t.value_or(clock.now()), body)}});
  }

  json::array list(const std::string& query = "") {
    auto r = server.get("/api/conversations/" + query, user.key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.at("items").as_array();
  }
  json::value get(std::int64_t id) {
    auto r = server.get("/api/conversations/" + std::to_string(id), user.key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
  std::vector<std::pair<std::string, json::value>> events() {
    auto db = store::Database::open(server.database().url(), 1);
    auto rows = db->read([&](store::Tx& tx) {
      return tx.query("SELECT type, data FROM events WHERE company_id = ? AND type LIKE 'conversation.%' ORDER BY id",
                      {company.id});
    });
    std::vector<std::pair<std::string, json::value>> out;
    for (const auto& r : rows.rows) out.emplace_back(r.str("type"), json::parse(r.str("data")));
    return out;
  }
  json::value voice_usage() {
    auto r = server.get("/api/usage/summary", user.key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.at("voice");
  }
  void expect_nothing_stored() {
    EXPECT_TRUE(list().empty());
    EXPECT_TRUE(events().empty());
    EXPECT_EQ(voice_usage().at("total_conversations").as_int64(), 0);
  }

  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; }, {}, &clock};
  TestServer::Account company{}, user{};
  Agent sales{}, support{};
};

TEST_F(Conversations, ProviderTestVectorPassesTheSignatureCheck) {
  // providers.md 1.5: secret wsec_test, t=1739537297 and this exact body.
  const std::string body = R"({"type":"post_call_transcription","event_timestamp":1739537297,"data":{}})";
  const std::string mac = "d8a0fc2a9a570a47e6ccaf1aafe3739f64d26a9dfac82f7d1a617fade715152a";
  clock.set_ms((1739537297 + 60) * 1000LL);
  ContractExempt exempt("the provider's published signature test vector has an empty data object");
  auto accepted = server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", "t=1739537297,v0=" + mac}});
  // Past the signature, the empty data is what is wrong.
  ASSERT_EQ(accepted.status, 422) << accepted.body;
  EXPECT_EQ(error_locs(accepted),
            (std::set<std::string>{R"(["body","data","conversation_id"])", R"(["body","data","agent_id"])"}));

  std::string tampered = mac;
  tampered[0] = 'e';
  EXPECT_EQ(server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", "t=1739537297,v0=" + tampered}}).status,
            401);
  clock.set_ms((1739537297 + 31 * 60) * 1000LL);
  EXPECT_EQ(server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", "t=1739537297,v0=" + mac}}).status, 401);
}

TEST_F(Conversations, BadMissingOrStaleSignaturesStoreNothing) {
  const auto body = json::serialize(call("conv_sig", sales));
  auto expect_401 = [&](http::Fields headers, const std::string& sent) {
    auto r = server.request("POST", kHook, "", sent, std::move(headers));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "authentication_error");
  };
  expect_401({}, body);
  expect_401({{"ElevenLabs-Signature", ""}}, body);
  expect_401({{"ElevenLabs-Signature", "v0=abc"}}, body);
  expect_401({{"ElevenLabs-Signature", elevenlabs_signature("wsec_other", kNow, body)}}, body);
  expect_401({{"ElevenLabs-Signature", elevenlabs_signature(kSecret, kNow, body)}},
             body + " ");  // body changed after signing
  expect_401({{"ElevenLabs-Signature", elevenlabs_signature(kSecret, kNow - 31 * 60, body)}}, body);
  expect_401({{"ElevenLabs-Signature", elevenlabs_signature(kSecret, kNow + 31 * 60, body)}}, body);
  expect_nothing_stored();

  auto late_but_fine = deliver_raw(body, kNow - 29 * 60);
  ASSERT_EQ(late_but_fine.status, 200) << late_but_fine.body;
  EXPECT_EQ(late_but_fine.json.at("status"), "stored");
  EXPECT_EQ(list().size(), 1u);
}

TEST(ConversationsWithoutSecret, EveryDeliveryIsRefused) {
  TestServer server;
  ContractExempt exempt("refused for want of a secret before the body is read; the body is a stub");
  const std::string body = R"({"type":"post_call_transcription","data":{}})";
  auto r = server.request("POST", kHook, "", body,
                          {{"ElevenLabs-Signature", elevenlabs_signature("", std::time(nullptr), body)}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json.at("error_type"), "authentication_error");
}

// A company bringing its own provider key runs its agents in its own workspace, whose post-call
// webhook that workspace signs with its own secret and sends to the URL naming the company.
TEST_F(Conversations, CompanyWorkspaceWebhooksVerifyWithTheCompanysSecret) {
  constexpr const char* kCompanySecret = "wsec_acme_workspace";
  const auto url = std::string(kHook) + "/" + std::to_string(company.id);
  auto to = [&](const std::string& path, const std::string& secret, const json::object& payload) {
    const auto body = json::serialize(payload);
    return server.request("POST", path, "", body, {{"ElevenLabs-Signature", elevenlabs_signature(secret, kNow, body)}});
  };
  auto store_credentials = [&](const TestServer::Account& owner, json::object credentials) {
    auto r = server.post("/api/providers/elevenlabs/credentials", owner.key,
                         json::object{{"company_id", owner.id}, {"credentials", std::move(credentials)}});
    ASSERT_EQ(r.status, 201) << r.body;
  };

  // Before the company stores a secret its URL accepts nothing, whatever signs it.
  EXPECT_EQ(to(url, kSecret, call("conv_early", sales)).status, 401);
  store_credentials(company, {{"api_key", "sk_acme"}});
  EXPECT_EQ(to(url, kSecret, call("conv_early", sales)).status, 401);
  ASSERT_EQ(server.del("/api/providers/elevenlabs/credentials", company.key).status, 204);
  store_credentials(company, {{"api_key", "sk_acme"}, {"webhook_secret", kCompanySecret}});

  // Each URL verifies with its own secret only.
  auto refused = to(url, kSecret, call("conv_ws", sales));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json.at("error_type"), "authentication_error");
  EXPECT_EQ(to(kHook, kCompanySecret, call("conv_ws", sales)).status, 401);
  EXPECT_EQ(to(std::string(kHook) + "/999999", kCompanySecret, call("conv_ws", sales)).status, 401);
  expect_nothing_stored();

  auto stored = to(url, kCompanySecret, call("conv_ws", sales));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json.at("status"), "stored");
  EXPECT_EQ(get(stored.json.at("conversation_id").as_int64()).at("agent_id").as_int64(), sales.id);
  EXPECT_EQ(to(url, kCompanySecret, call("conv_ws", sales)).json.at("status"), "duplicate");
  ContractExempt exempt(
      "a URL whose company id is not a number is refused before the body is read; the body is a stub");
  EXPECT_EQ(server.request("POST", std::string(kHook) + "/abc", "", "{}").status, 422);
}

// A workspace's secret vouches for its own company's calls: a payload on company X's URL that
// names company Y's agent is acknowledged (so the provider does not retry or disable the
// webhook) and ignored, with the answer an unknown agent gets.
TEST_F(Conversations, ACompanysUrlStoresNothingForAnotherCompanysAgents) {
  const auto other = server.create_company("Other");
  ASSERT_EQ(server
                .post("/api/providers/elevenlabs/credentials", other.key,
                      json::object{{"company_id", other.id},
                                   {"credentials", {{"api_key", "sk_other"}, {"webhook_secret", "wsec_other"}}}})
                .status,
            201);
  const auto body = json::serialize(call("conv_forged", sales));
  auto r = server.request("POST", std::string(kHook) + "/" + std::to_string(other.id), "", body,
                          {{"ElevenLabs-Signature", elevenlabs_signature("wsec_other", kNow, body)}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "ignored");
  EXPECT_EQ(r.json.at("reason"), json::value("unknown agent " + sales.external_id));
  expect_nothing_stored();
}

TEST_F(Conversations, MapsThePayloadFieldByField) {
  auto payload = call("conv_7Hk2", sales, 212);
  auto& data = payload["data"].as_object();
  // Fields we do not know yet must not disturb anything.
  payload["schema_version"] = 9;
  data["has_audio"] = true;
  data["brand_new_block"] = json::object{{"x", 1}};
  auto& meta = data["metadata"].as_object();
  meta["cost"] = 1840;
  meta["termination_reason"] = "end_call tool was called.";
  meta["main_language"] = "en";
  meta["deletion_settings"] = json::object{{"delete_audio", false}};
  meta["charging"] = json::object{{"llm_price", 0.0042}, {"llm_charge", 12}, {"call_charge", 1840}};
  auto& transcript = data["transcript"].as_array();
  transcript[0].as_object()["llm_usage"] = json::object{
      {"model_usage",
       {{"gemini-2.0-flash",
         {{"input", {{"tokens", 700}, {"price", 0.00007}}}, {"output_total", {{"tokens", 40}, {"price", 0.00002}}}}}}}};
  transcript[2].as_object()["llm_usage"] = json::object{
      {"model_usage", {{"gemini-2.0-flash", {{"input", {{"tokens", 480}}}, {"input_cache_read", {{"tokens", 20}}}}}}}};
  transcript[1].as_object()["sentiment"] = "curious";
  data["analysis"].as_object()["call_summary_title"] = "Pro plan pricing";

  auto r = deliver(payload);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "stored");
  const auto id = r.json.at("conversation_id").as_int64();

  const auto c = get(id);
  EXPECT_EQ(c.at("id").as_int64(), id);
  EXPECT_EQ(c.at("agent_id").as_int64(), sales.id);
  EXPECT_EQ(c.at("company_id").as_int64(), company.id);
  EXPECT_EQ(c.at("channel"), "voice");
  EXPECT_EQ(c.at("caller_number"), "+27821234567");
  EXPECT_EQ(c.at("direction"), "inbound");
  EXPECT_EQ(c.at("started_at"), "2026-03-12T11:00:00Z");
  EXPECT_EQ(c.at("ended_at"), "2026-03-12T11:03:32Z");
  EXPECT_EQ(c.at("duration_seconds").as_int64(), 212);
  EXPECT_EQ(c.at("message_count").as_int64(), 3);
  EXPECT_EQ(c.at("status"), "completed");
  EXPECT_EQ(c.at("call_successful"), true);
  EXPECT_TRUE(c.at("sip_refer_destination").is_null());
  EXPECT_EQ(c.at("transcript_summary"), "Asked about the Pro plan.");
  EXPECT_EQ(c.at("source"), "elevenlabs");
  EXPECT_EQ(c.at("external_conversation_id"), "conv_7Hk2");
  EXPECT_EQ(c.at("created_at"), "2026-03-12T12:00:00Z");
  EXPECT_EQ(
      c.at("transcript"),
      (json::array{
          json::object{{"role", "agent"}, {"message", "Hi there! Thanks for calling Acme Corp."}, {"timestamp", 0.0}},
          json::object{{"role", "user"}, {"message", "What does the Pro plan cost?"}, {"timestamp", 3.0}},
          json::object{{"role", "agent"}, {"message", "R499 per month."}, {"timestamp", 6.0}}}));
  const auto& m = c.at("metadata_");
  EXPECT_EQ(m.at("cost").as_int64(), 1840);
  EXPECT_EQ(m.at("termination_reason"), "end_call tool was called.");
  EXPECT_EQ(m.at("main_language"), "en");
  EXPECT_EQ(m.at("charging").at("llm_charge").as_int64(), 12);
  EXPECT_EQ(m.at("llm_tokens").as_int64(), 700 + 40 + 480 + 20);
  EXPECT_EQ(m.at("provider_status"), "done");
  EXPECT_EQ(m.at("call_summary_title"), "Pro plan pricing");
  EXPECT_EQ(m.at("phone_call").at("agent_number"), "+27211234567");
  EXPECT_FALSE(m.as_object().contains("deletion_settings"));
  // Timestamps read as numbers with a fraction, as in the reference.
  EXPECT_NE(server.get("/api/conversations/" + std::to_string(id), user.key).body.find("\"timestamp\":3.0"),
            std::string::npos);

  // Lists carry summaries: every field but the transcript, metadata_ and analysis.
  const auto items = list();
  ASSERT_EQ(items.size(), 1u);
  auto summary = c.as_object();
  summary.erase("transcript");
  summary.erase("metadata_");
  summary.erase("analysis");
  EXPECT_EQ(items[0], summary);
}

TEST_F(Conversations, StatusAndOutcomeMapping) {
  struct Case {
    std::string provider_status;
    std::optional<std::string> outcome;  // nullopt: no analysis at all
    std::string status;
    json::value successful;
  };
  const std::vector<Case> cases = {{"done", "success", "completed", true},
                                   {"done", "failure", "completed", false},
                                   {"done", "unknown", "completed", nullptr},
                                   {"done", std::nullopt, "completed", nullptr},
                                   {"failed", "failure", "failed", false},
                                   {"processing", "unknown", "in_progress", nullptr},
                                   {"in-progress", std::nullopt, "in_progress", nullptr}};
  int n = 0;
  for (const auto& k : cases) {
    auto payload = call("conv_status_" + std::to_string(n++), sales, 60);
    auto& data = payload["data"].as_object();
    data["status"] = k.provider_status;
    if (k.outcome)
      data["analysis"].as_object()["call_successful"] = *k.outcome;
    else
      data.erase("analysis");
    auto r = deliver(payload);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto c = get(r.json.at("conversation_id").as_int64());
    EXPECT_EQ(c.at("status"), json::value(k.status)) << k.provider_status;
    EXPECT_EQ(c.at("call_successful"), k.successful) << k.provider_status << " " << k.outcome.value_or("-");
    // A call still in progress has not ended; a finished one ended after its duration.
    EXPECT_EQ(c.at("ended_at").is_null(), k.status == "in_progress") << k.provider_status;
  }
  // conversation.completed fires for finished conversations only.
  EXPECT_EQ(events().size(), 5u);
  const auto usage = voice_usage();
  EXPECT_EQ(usage.at("total_conversations").as_int64(), 7);
  // One success among the three known outcomes.
  EXPECT_DOUBLE_EQ(usage.at("success_rate").as_double(), 0.3333);
}

TEST_F(Conversations, NullMessagesMissingAnalysisAndNoPhoneLegAreTolerated) {
  auto payload = call("conv_widget", support, 40);
  auto& data = payload["data"].as_object();
  data.erase("analysis");
  data["metadata"].as_object()["phone_call"] = nullptr;
  auto& transcript = data["transcript"].as_array();
  transcript.push_back(json::object{{"role", "agent"},
                                    {"message", nullptr},
                                    {"time_in_call_secs", 9},
                                    {"tool_calls", json::array{tool_call("end_call")}}});
  auto r = deliver(payload);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto c = get(r.json.at("conversation_id").as_int64());
  EXPECT_TRUE(c.at("caller_number").is_null());
  EXPECT_EQ(c.at("direction"), "inbound");
  EXPECT_TRUE(c.at("transcript_summary").is_null());
  EXPECT_TRUE(c.at("call_successful").is_null());
  EXPECT_EQ(c.at("message_count").as_int64(), 4);
  EXPECT_EQ(c.at("transcript").at(3), (json::object{{"role", "agent"}, {"message", nullptr}, {"timestamp", 9.0}}));
  EXPECT_FALSE(c.at("metadata_").as_object().contains("phone_call"));

  // No transcript at all: zero turns.
  auto bare = call("conv_bare", support, 5);
  bare["data"].as_object().erase("transcript");
  ContractExempt exempt("the provider always sends a transcript; its absence must still be tolerated");
  auto b = deliver(bare);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(get(b.json.at("conversation_id").as_int64()).at("message_count").as_int64(), 0);
}

TEST_F(Conversations, OutboundCallsKeepTheirDirection) {
  auto payload = call("conv_out", sales);
  payload["data"].as_object()["metadata"].as_object()["phone_call"].as_object()["direction"] = "outbound";
  auto r = deliver(payload);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get(r.json.at("conversation_id").as_int64()).at("direction"), "outbound");
}

TEST_F(Conversations, MalformedSignedPayloadsAreRejectedAndStoreNothing) {
  ContractExempt exempt("malformed bodies, correctly signed, must be refused with 400 or 422");
  EXPECT_EQ(deliver_raw("{not json").status, 400);
  EXPECT_EQ(deliver_raw("[1,2]").status, 400);

  auto no_type = call("conv_bad", sales);
  no_type.erase("type");
  auto r = deliver(no_type);
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json.at("errors").at(0).at("loc"), (json::array{"body", "type"}));

  auto no_data = call("conv_bad", sales);
  no_data.erase("data");
  r = deliver(no_data);
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json.at("errors").at(0).at("loc"), (json::array{"body", "data"}));

  auto wrong_types = call("conv_bad", sales);
  auto& data = wrong_types["data"].as_object();
  data["metadata"].as_object()["call_duration_secs"] = "215";
  data["transcript"].as_array()[1] = "hello";
  data["transcript"].as_array()[2].as_object().erase("time_in_call_secs");
  r = deliver(wrong_types);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_locs(r), (std::set<std::string>{R"(["body","data","metadata","call_duration_secs"])",
                                                  R"(["body","data","transcript","1"])",
                                                  R"(["body","data","transcript","2","time_in_call_secs"])"}));
  expect_nothing_stored();
}

TEST_F(Conversations, UnknownAgentsAndOtherEventTypesAreAcknowledged) {
  auto unknown = call("conv_unknown", Agent{0, "agent_we_never_made"});
  auto r = deliver(unknown);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "ignored");

  json::object audio{
      {"type", "post_call_audio"},
      {"event_timestamp", kNow},
      {"data", {{"agent_id", sales.external_id}, {"conversation_id", "conv_a"}, {"full_audio", "SUQzBAAAAAA="}}}};
  r = deliver(audio);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "ignored");
  EXPECT_EQ(deliver(json::object{{"type", "something_new"}, {"event_timestamp", kNow}, {"data", 42}}).json.at("status"),
            "ignored");
  expect_nothing_stored();
}

TEST_F(Conversations, FailedCallInitiationIsStoredAsFailed) {
  json::object failure{{"type", "call_initiation_failure"},
                       {"event_timestamp", kNow - 120},
                       {"data",
                        {{"agent_id", sales.external_id},
                         {"conversation_id", "conv_busy"},
                         {"failure_reason", "busy"},
                         {"metadata", {{"type", "sip"}, {"body", {{"sip_status_code", 486}}}}}}}};
  auto r = deliver(failure);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "stored");
  const auto c = get(r.json.at("conversation_id").as_int64());
  EXPECT_EQ(c.at("status"), "failed");
  EXPECT_EQ(c.at("direction"), "outbound");
  EXPECT_EQ(c.at("started_at"), "2026-03-12T11:58:00Z");
  EXPECT_EQ(c.at("duration_seconds").as_int64(), 0);
  EXPECT_EQ(c.at("message_count").as_int64(), 0);
  EXPECT_TRUE(c.at("call_successful").is_null());
  EXPECT_EQ(c.at("metadata_").at("failure_reason"), "busy");
  EXPECT_EQ(c.at("metadata_").at("failure_details").at("body").at("sip_status_code").as_int64(), 486);
  const auto evs = events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].first, "conversation.completed");
  EXPECT_EQ(evs[0].second.at("status"), "failed");

  auto& unknown = failure["data"].as_object();
  unknown["agent_id"] = "agent_gone";
  unknown["conversation_id"] = "conv_busy_2";
  EXPECT_EQ(deliver(failure).json.at("status"), "ignored");
  EXPECT_EQ(list().size(), 1u);
}

TEST_F(Conversations, ReplaysStoreNothingNewAndCountNothingTwice) {
  const auto payload = call("conv_replayed", sales, 300);
  auto first = deliver(payload);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.json.at("status"), "stored");
  clock.advance_seconds(600);
  auto again = deliver(payload);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json.at("status"), "duplicate");
  EXPECT_EQ(again.json.at("conversation_id"), first.json.at("conversation_id"));
  EXPECT_EQ(list().size(), 1u);
  EXPECT_EQ(events().size(), 1u);
  EXPECT_EQ(voice_usage().at("total_conversations").as_int64(), 1);
  EXPECT_DOUBLE_EQ(voice_usage().at("total_minutes").as_double(), 5.0);
}

TEST_F(Conversations, ConcurrentReplaysStoreExactlyOneConversation) {
  const auto body = json::serialize(call("conv_storm", sales, 123));
  const auto header = elevenlabs_signature(kSecret, kNow, body);
  constexpr int kThreads = 16;
  std::atomic<int> stored{0}, duplicate{0}, other{0};
  std::mutex ids_mutex;
  std::set<std::int64_t> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      auto r = server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", header}});
      if (r.status != 200) return void(++other);
      (r.json.at("status") == "stored" ? stored : duplicate)++;
      std::lock_guard lock(ids_mutex);
      ids.insert(r.json.at("conversation_id").as_int64());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(duplicate.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ids.size(), 1u);  // every answer names the one conversation
  EXPECT_EQ(list().size(), 1u);
  EXPECT_EQ(events().size(), 1u);
  const auto usage = voice_usage();
  EXPECT_EQ(usage.at("total_conversations").as_int64(), 1);
  EXPECT_DOUBLE_EQ(usage.at("total_minutes").as_double(), 2.1);  // 123 s
}

TEST_F(Conversations, SipReferTransferIsDetectedAndMetered) {
  auto payload = call("conv_transfer", sales, 215);
  auto& transcript = payload["data"].as_object()["transcript"].as_array();
  transcript.push_back(json::object{
      {"role", "agent"},
      {"message", "Putting you through to sales."},
      {"time_in_call_secs", 95},
      {"tool_calls", json::array{tool_call("transfer_to_number")}},
      {"tool_results", json::array{transfer_result(transferred("transfer_to_number_sip_success", "+27115550000"))}}});
  auto r = deliver(payload);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto id = r.json.at("conversation_id").as_int64();
  EXPECT_EQ(get(id).at("sip_refer_destination"), "+27115550000");
  // 215 s call, transferred at 95 s: 120 s = 2.0 SIP refer minutes.
  const auto usage = voice_usage();
  EXPECT_DOUBLE_EQ(usage.at("total_sip_refer_minutes").as_double(), 2.0);
  EXPECT_DOUBLE_EQ(usage.at("total_minutes").as_double(), 3.6);

  // Both events, in the order things happened, each with the conversation as the list shows it.
  const auto evs = events();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].first, "conversation.transferred");
  EXPECT_EQ(evs[1].first, "conversation.completed");
  const auto listed = list().at(0);
  EXPECT_EQ(evs[0].second, listed);
  EXPECT_EQ(evs[1].second, listed);
}

TEST_F(Conversations, TwilioTransfersCountAndFailedTransfersDoNot) {
  auto twilio = call("conv_twilio", sales, 100);
  auto twilio_result = transferred("transfer_to_number_twilio_success", "+27115550001");
  twilio_result["client_message"] = "Connecting you now.";
  twilio_result["agent_message"] = "Incoming transfer from the Acme agent.";
  twilio_result["conference_name"] = "transfer_conf_1";
  twilio["data"].as_object()["transcript"].as_array()[2].as_object()["tool_results"] =
      json::array{transfer_result(std::move(twilio_result))};
  auto r = deliver(twilio);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get(r.json.at("conversation_id").as_int64()).at("sip_refer_destination"), "+27115550001");

  auto failed = call("conv_transfer_failed", sales, 100);
  failed["data"].as_object()["transcript"].as_array()[2].as_object()["tool_results"] =
      json::array{transfer_result({{"result_type", "transfer_to_number_error"},
                                   {"status", "error"},
                                   {"error", "The transfer destination did not answer"},
                                   {"details", nullptr}})};
  r = deliver(failed);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(get(r.json.at("conversation_id").as_int64()).at("sip_refer_destination").is_null());

  // Only the Twilio call's 94 s after its transfer at 6 s count.
  EXPECT_DOUBLE_EQ(voice_usage().at("total_sip_refer_minutes").as_double(), 1.6);
  std::vector<std::string> types;
  for (const auto& [type, data] : events()) types.push_back(type);
  EXPECT_EQ(types,
            (std::vector<std::string>{"conversation.transferred", "conversation.completed", "conversation.completed"}));
}

TEST_F(Conversations, ListPaginatesNewestFirstWithoutGapsWhileCallsArrive) {
  std::vector<std::int64_t> created;
  for (int i = 0; i < 7; ++i)
    created.push_back(deliver(call("conv_page_" + std::to_string(i), sales)).json.at("conversation_id").as_int64());
  std::vector<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = server.get("/api/conversations/?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), user.key);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& c : r.json.at("items").as_array()) {
      seen.push_back(c.at("id").as_int64());
      EXPECT_FALSE(c.as_object().contains("transcript"));
    }
    // Calls ending while a client pages must not shift the pages it walks.
    if (pages++ == 0) {
      for (int i = 0; i < 2; ++i) ASSERT_EQ(deliver(call("conv_late_" + std::to_string(i), support)).status, 200);
    }
    if (!r.json.at("has_more").as_bool()) {
      EXPECT_TRUE(r.json.at("next_cursor").is_null());
      break;
    }
    cursor = std::string(r.json.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, std::vector<std::int64_t>(created.rbegin(), created.rend()));
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(list().size(), 9u);
}

TEST_F(Conversations, ListFiltersAndValidates) {
  const auto a = deliver(call("conv_s1", sales)).json.at("conversation_id").as_int64();
  const auto b = deliver(call("conv_s2", sales)).json.at("conversation_id").as_int64();
  const auto c = deliver(call("conv_p1", support)).json.at("conversation_id").as_int64();
  auto ids = [](const json::array& items) {
    std::vector<std::int64_t> out;
    for (const auto& i : items) out.push_back(i.at("id").as_int64());
    return out;
  };
  EXPECT_EQ(ids(list()), (std::vector<std::int64_t>{c, b, a}));
  EXPECT_EQ(ids(list("?agent_id=" + std::to_string(sales.id))), (std::vector<std::int64_t>{b, a}));
  EXPECT_EQ(ids(list("?channel=voice&agent_id=" + std::to_string(support.id))), (std::vector<std::int64_t>{c}));
  EXPECT_TRUE(list("?channel=whatsapp").empty());

  auto agent_page = server.get("/api/agents/" + std::to_string(sales.id) + "/conversations?limit=1", user.key);
  ASSERT_EQ(agent_page.status, 200) << agent_page.body;
  EXPECT_EQ(ids(agent_page.json.at("items").as_array()), (std::vector<std::int64_t>{b}));
  EXPECT_TRUE(agent_page.json.at("has_more").as_bool());
  auto rest = server.get("/api/agents/" + std::to_string(sales.id) + "/conversations?limit=1&cursor=" +
                             std::string(agent_page.json.at("next_cursor").as_string()),
                         user.key);
  EXPECT_EQ(ids(rest.json.at("items").as_array()), (std::vector<std::int64_t>{a}));
  EXPECT_FALSE(rest.json.at("has_more").as_bool());

  for (const auto* bad : {"?channel=sms", "?limit=0", "?limit=101", "?limit=abc", "?cursor=nope", "?agent_id=x"})
    EXPECT_EQ(server.get(std::string("/api/conversations/") + bad, user.key).status, 422) << bad;
  auto many = server.get("/api/conversations/?channel=sms&limit=0", user.key);
  EXPECT_EQ(many.json.at("errors").as_array().size(), 2u);
  EXPECT_EQ(server.get("/api/agents/999999/conversations", user.key).status, 404);
  EXPECT_EQ(server.get("/api/conversations/999999", user.key).status, 404);
  EXPECT_EQ(server.get("/api/conversations/abc", user.key).status, 422);
}

TEST_F(Conversations, OtherTenantsSeeNothingAndCompanyKeysAreRefused) {
  const auto id = deliver(call("conv_private", sales)).json.at("conversation_id").as_int64();
  auto other_company = server.create_company("Other");
  auto other = server.create_user(other_company.key, "eve@other.io");
  EXPECT_EQ(server.get("/api/conversations/" + std::to_string(id), other.key).status, 404);
  EXPECT_TRUE(server.get("/api/conversations/", other.key).json.at("items").as_array().empty());
  EXPECT_TRUE(server.get("/api/conversations/?agent_id=" + std::to_string(sales.id), other.key)
                  .json.at("items")
                  .as_array()
                  .empty());
  EXPECT_EQ(server.get("/api/agents/" + std::to_string(sales.id) + "/conversations", other.key).status, 404);

  for (const auto& path : {std::string("/api/conversations/"), "/api/conversations/" + std::to_string(id),
                           "/api/agents/" + std::to_string(sales.id) + "/conversations"}) {
    auto r = server.get(path, company.key);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.json.at("error_type"), "permission_denied") << path;
    EXPECT_EQ(server.get(path).status, 401) << path;
  }
  EXPECT_EQ(get(id).at("external_conversation_id"), "conv_private");
}

TEST_F(Conversations, SimulatedCallsAreStoredLikeRealOnes) {
  providers::SimulatedCall simulated;
  simulated.external_agent_id = sales.external_id;
  simulated.agent_number = "+27211234567";
  simulated.started_unix = kNow - 600;
  simulated.duration_seconds = 200;
  simulated.transfer_to = "+27115550000";
  auto r = deliver(providers::simulated_post_call(simulated));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto c = get(r.json.at("conversation_id").as_int64());
  EXPECT_EQ(c.at("status"), "completed");
  EXPECT_EQ(c.at("duration_seconds").as_int64(), 200);
  EXPECT_EQ(c.at("sip_refer_destination"), "+27115550000");
  EXPECT_EQ(c.at("call_successful"), true);
  EXPECT_EQ(c.at("caller_number").as_string().size(), 12u);
  EXPECT_GT(c.at("metadata_").at("llm_tokens").as_int64(), 0);
  EXPECT_GT(c.at("message_count").as_int64(), 3);
  EXPECT_GT(voice_usage().at("total_sip_refer_minutes").as_double(), 0.0);
}

TEST_F(Conversations, ReconciliationStoresWhatLostWebhooksNeverDelivered) {
  FakeElevenLabs provider;
  auto full = [&](const std::string& id, const std::string& agent, const std::string& status, std::int64_t start) {
    auto c = call(id, Agent{0, agent})["data"].as_object();
    c["status"] = status;
    c["metadata"].as_object()["start_time_unix_secs"] = start;
    return c;
  };
  // Delivered by the webhook already, missing, still being analysed, of an agent not ours, and
  // enough missing ones for the provider to answer in more than one page.
  ASSERT_EQ(deliver(call("conv_delivered", sales)).status, 200);
  provider.add_conversation(full("conv_delivered", sales.external_id, "done", kNow - 3600));
  provider.add_conversation(full("conv_lost", support.external_id, "done", kNow - 7200));
  provider.add_conversation(full("conv_running", sales.external_id, "processing", kNow - 60));
  provider.add_conversation(full("conv_elsewhere", "agent_not_ours", "done", kNow - 500));
  for (int i = 0; i < 100; ++i)
    provider.add_conversation(full("conv_bulk_" + std::to_string(i), sales.external_id, "done", kNow - 86400 + i));
  provider.add_conversation(full("conv_too_old", sales.external_id, "done", kNow - 10 * 86400));

  auto db = store::Database::open(server.database().url(), 2);
  const auto fernet = *crypto::MultiFernet::from_key_list("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
  services::Credentials credentials(*db, clock, fernet, {FakeElevenLabs::kDefaultKey, {}});
  const auto voice = providers::make_elevenlabs_client(provider.base_url());
  const auto llm = providers::make_simulated_llm();
  services::Conversations conversations(*db, clock, *voice, *llm, credentials, {});
  const auto report = conversations.reconcile(kNow - 2 * 86400);
  EXPECT_EQ(report.listed, 104);
  EXPECT_EQ(report.stored, 101);
  EXPECT_EQ(report.already_stored, 1);
  EXPECT_EQ(report.unfinished, 1);
  EXPECT_EQ(report.ignored, 1);
  EXPECT_GE(provider.request_count("list_conversations"), 2);

  EXPECT_EQ(server.get("/api/conversations/?limit=100", user.key).json.at("has_more"), true);
  const auto lost = list("?agent_id=" + std::to_string(support.id));
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].at("external_conversation_id"), "conv_lost");
  EXPECT_EQ(lost[0].at("started_at"), "2026-03-12T10:00:00Z");
  EXPECT_EQ(lost[0].at("caller_number"), "+27821234567");
  EXPECT_EQ(voice_usage().at("total_conversations").as_int64(), 102);

  // A second run finds everything in place.
  const auto again = conversations.reconcile(kNow - 2 * 86400);
  EXPECT_EQ(again.stored, 0);
  EXPECT_EQ(again.already_stored, 102);
  EXPECT_EQ(again.failed_workspaces, 0);
  EXPECT_EQ(voice_usage().at("total_conversations").as_int64(), 102);
}

// A company whose own provider key no longer works must not keep every other workspace's
// lost calls from being recovered.
TEST_F(Conversations, ReconciliationCarriesOnPastAWorkspaceItCannotList) {
  FakeElevenLabs provider;
  const auto other = server.create_company("Other");
  const auto other_user = server.create_user(other.key, "joe@other.io");
  ASSERT_EQ(server
                .post("/api/providers/elevenlabs/credentials", other.key,
                      json::object{{"company_id", other.id}, {"credentials", {{"api_key", "sk_revoked"}}}})
                .status,
            201);
  server.publish_agent(other_user.key, "Other desk");
  provider.add_conversation(call("conv_lost", support)["data"].as_object());

  auto db = store::Database::open(server.database().url(), 2);
  const auto fernet = *crypto::MultiFernet::from_key_list("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
  services::Credentials credentials(*db, clock, fernet, {FakeElevenLabs::kDefaultKey, {}});
  const auto voice = providers::make_elevenlabs_client(provider.base_url(), {.attempts = 1});
  const auto llm = providers::make_simulated_llm();
  services::Conversations conversations(*db, clock, *voice, *llm, credentials, {});
  const auto report = conversations.reconcile(kNow - 86400);
  EXPECT_EQ(report.failed_workspaces, 1);
  EXPECT_EQ(report.stored, 1);
  EXPECT_EQ(list("?agent_id=" + std::to_string(support.id)).size(), 1u);
}

}  // namespace cxco::test
