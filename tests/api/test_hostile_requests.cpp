// Hostile inputs above the HTTP layer (issue 16, the external security review), in the same
// suite as the wire-level ones (test_hostile_inputs.cpp): URLs a tenant sets that point inside,
// secrets kept by the Idempotency-Key cache, NUL bytes, numbers out of range, nesting, blank
// and long strings, dates before 1970.
#include <string>

#include "crypto/crypto.h"
#include "fakes/llm_fake.h"
#include "harness.h"
#include "http/egress.h"
#include "providers/llm.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr const char* kSecret = "wsec_hostile";

// Every form of an address inside that a tenant has been seen to try.
const std::vector<std::string> kInternalUrls = {
    "http://hooks.example.com/x",           // not https
    "https://127.0.0.1/x",                  // loopback
    "https://169.254.169.254/latest/meta",  // cloud metadata
    "https://10.1.2.3/x",                   // private
    "https://[::1]/x",                      // IPv6 loopback
    "https://[::ffff:127.0.0.1]/x",         // IPv4-mapped
    "https://[::ffff:a9fe:a9fe]/x",         // IPv4-mapped metadata
    "https://[64:ff9b::a9fe:a9fe]/x",       // NAT64 of the metadata address
    "https://[2002:7f00:1::]/x",            // 6to4 of loopback
    "https://[fe80::1]/x",                  // link-local
    "https://2130706433/x",                 // 127.0.0.1 as one number
    "https://0x7f.1/x",                     // 127.0.0.1 in hex
    "https://metadata.google.internal/x",   // internal names
    "https://localhost./x",
    "https://intranet/x",                     // a single label resolves inside
    "https://user:pass@hooks.example.com/x",  // credentials in the URL
};

}  // namespace

TEST(HostileInputs, UrlsATenantSetsMayNotPointInside) {
  TestServer server;  // CXCO_WEBHOOK_ALLOW_PRIVATE unset
  const auto company = server.create_company();
  for (const auto& url : kInternalUrls) {
    SCOPED_TRACE(url);
    const auto llm = server.post("/api/providers/llm/credentials", company.key,
                                 json::object{{"company_id", company.id},
                                              {"credentials", {{"base_url", url}, {"api_key", "k"}, {"model", "m"}}}});
    ASSERT_EQ(llm.status, 422) << llm.body;
    EXPECT_EQ(llm.json.at("errors").at(0).at("loc"), (json::array{"body", "credentials", "base_url"}));
    const auto hook = server.post("/api/webhooks/", company.key,
                                  json::object{{"url", url}, {"events", json::array{"agent.status_changed"}}});
    EXPECT_EQ(hook.status, 422) << hook.body;
  }
  const auto accepted = server.post(
      "/api/providers/llm/credentials", company.key,
      json::object{{"company_id", company.id},
                   {"credentials", {{"base_url", "https://api.openai.com/v1"}, {"api_key", "k"}, {"model", "m"}}}});
  EXPECT_EQ(accepted.status, 201) << accepted.body;
}

// What a name resolves to is checked when the connection is made, on the address connected to.
TEST(HostileInputs, ATenantsLlmEndpointIsCheckedAtEveryConnection) {
  FakeLlm inside;
  const auto llm = providers::make_llm_client(std::chrono::seconds(5));
  providers::LlmEndpoint tenant{inside.base_url(), FakeLlm::kKey, "m", http::tenant_connections(false)};
  try {
    llm->complete(tenant, {{"user", "hi"}}, 0.5);
    FAIL() << "a loopback endpoint must not be reached";
  } catch (const providers::ProviderError& e) {
    EXPECT_EQ(e.status, 0);
    EXPECT_EQ(e.reason(), "chat_completion: no answer");
  }
  EXPECT_TRUE(inside.requests().empty());
  // The operator's own endpoint (CXCO_LLM_BASE_URL) is trusted.
  providers::LlmEndpoint platform{inside.base_url(), FakeLlm::kKey, "m"};
  EXPECT_FALSE(llm->complete(platform, {{"user", "hi"}}, 0.5).empty());
}

TEST(HostileInputs, KeptIdempotencyAnswersHoldNoSecretInTheClear) {
  TestServer server;
  const auto company = server.create_company();
  const auto body = json::serialize(json::object{{"email", "ana@acme.com"}, {"name", "Ana"}});
  const auto first = server.request("POST", "/api/users/", company.key, body, {{"Idempotency-Key", "create-ana"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string key(first.json.at("api_key").as_string());
  auto db = store::Database::open(server.database().url(), 1);
  const auto kept = db->read(
      [](store::Tx& tx) { return tx.one("SELECT response_body FROM idempotency_keys")->str("response_body"); });
  EXPECT_EQ(kept.find(key), std::string::npos) << "the new user's key is kept in the clear";
  const auto replay = server.request("POST", "/api/users/", company.key, body, {{"Idempotency-Key", "create-ana"}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.json.at("api_key").as_string(), key);
}

// PostgreSQL text cannot hold NUL: refused alike on both databases, never cut short.
TEST(HostileInputs, NulInStringsIsRefused) {
  TestServer server([](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; });
  const auto company = server.create_company();
  const auto user = server.request("POST", "/api/users/", company.key, R"({"email":"a@b.co","name":"Ana\u0000Eve"})");
  EXPECT_EQ(user.status, 422) << user.body;
  EXPECT_EQ(user.json.at("errors").at(0).at("loc"), (json::array{"body", "name"}));
  const auto company_update =
      server.request("PUT", "/api/companies/" + std::to_string(company.id), company.key, R"({"name":"Acme\u0000"})");
  EXPECT_EQ(company_update.status, 422) << company_update.body;
}

TEST(HostileInputs, ProviderNumbersOutOfRangeAreRefusedAndStoreNothing) {
  TestServer server([](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; });
  const auto company = server.create_company();
  const auto user = server.create_user(company.key, "jane@acme.com");
  server.add_numbers({"+27210000001"});
  const auto agent = server.publish_agent(user.key);
  auto post_call = [&](json::object metadata, json::value at) {
    json::object data{
        {"agent_id", agent.external_id},
        {"conversation_id", "conv_range"},
        {"status", "done"},
        {"transcript", json::array{json::object{{"role", "agent"}, {"message", "Hi"}, {"time_in_call_secs", at}}}},
        {"metadata", std::move(metadata)},
        {"has_audio", false},
        {"has_user_audio", false},
        {"has_response_audio", false}};
    const auto body = json::serialize(json::object{
        {"type", "post_call_transcription"}, {"event_timestamp", std::time(nullptr)}, {"data", std::move(data)}});
    return server.request("POST", "/api/integrations/elevenlabs/post-call", "", body,
                          {{"ElevenLabs-Signature", elevenlabs_signature(kSecret, std::time(nullptr), body)}});
  };
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& [metadata, at] : std::vector<std::pair<json::object, json::value>>{
           {{{"start_time_unix_secs", now}, {"call_duration_secs", INT64_MAX}}, 0},
           {{{"start_time_unix_secs", now}, {"call_duration_secs", -5}}, 0},
           {{{"start_time_unix_secs", -9000000000LL}, {"call_duration_secs", 60}}, 0},
           {{{"start_time_unix_secs", now}, {"call_duration_secs", 60}}, 1e300}}) {
    const auto r = post_call(metadata, at);
    EXPECT_EQ(r.status, 422) << r.body;
  }
  EXPECT_EQ(server.get("/api/usage/summary", user.key).json.at("voice").at("total_conversations"), 0);
  EXPECT_EQ(post_call({{"start_time_unix_secs", now - 60}, {"call_duration_secs", 60}}, 2).status, 200);
}

// One nesting limit on the way in, so nothing stored can fail to be read back.
TEST(HostileInputs, JsonNestingHasOneLimit) {
  TestServer server;
  const auto company = server.create_company();
  const auto path = "/api/companies/" + std::to_string(company.id);
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    for (int i = 0; i < depth; ++i) s += "}";
    return s;
  };
  // {"settings": <31 levels>} is 32 deep: the most a body may be.
  const auto fits = server.request("PUT", path, company.key, "{\"settings\":" + nested(31) + "}");
  ASSERT_EQ(fits.status, 200) << fits.body;
  EXPECT_EQ(server.get(path, company.key).status, 200);
  const auto deeper = server.request("PUT", path, company.key, "{\"settings\":" + nested(32) + "}");
  EXPECT_EQ(deeper.status, 400) << deeper.body;
  EXPECT_EQ(deeper.json.at("error_type"), "invalid_json");
}

TEST(HostileInputs, BlankNamesLengthsInCharactersAndDatesFrom1970) {
  TestServer server;
  const auto company = server.create_company();
  const auto path = "/api/companies/" + std::to_string(company.id);
  for (const std::string blank : {"\\u00a0", "\\u3000\\t", "\\u2003\\n"}) {
    const auto r = server.request("PUT", path, company.key, "{\"name\":\"" + blank + "\"}");
    EXPECT_EQ(r.status, 422) << blank << ": " << r.body;
  }
  const auto admin_blank = server.admin("POST", "/api/admin/companies", json::object{{"name", "\u3000"}});
  EXPECT_EQ(admin_blank.status, 422) << admin_blank.body;
  std::string e_acute;
  for (int i = 0; i < 255; ++i) e_acute += "é";  // 255 characters, 510 bytes
  EXPECT_EQ(server.put(path, company.key, json::object{{"name", e_acute}}).status, 200);
  EXPECT_EQ(server.put(path, company.key, json::object{{"name", e_acute + "é"}}).status, 422);
  for (const char* date : {"0000-01-01", "1969-12-31"}) {
    const auto r =
        server.get(std::string("/api/usage/summary?start_date=") + date + "&end_date=2026-01-01", company.key);
    EXPECT_EQ(r.status, 422) << date;
  }
}

TEST(HostileInputs, PoolNumbersMustBelongToTheirCountry) {
  TestServer server;
  const auto wrong = server.admin(
      "POST", "/api/admin/phone-numbers",
      json::object{{"numbers", json::array{json::object{{"number", "+12025550199"}, {"country_code", "US"}},
                                           json::object{{"number", "+27210000099"}, {"country_code", "US"}}}}});
  ASSERT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(wrong.json.at("errors").as_array().size(), 1u);
  EXPECT_EQ(wrong.json.at("errors").at(0).at("loc"), (json::array{"body", "numbers", "1", "number"}));
  // Countries that share a calling code share its numbers.
  const auto shared = server.admin(
      "POST", "/api/admin/phone-numbers",
      json::object{{"numbers", json::array{json::object{{"number", "+14165550199"}, {"country_code", "CA"}},
                                           json::object{{"number", "+77015550199"}, {"country_code", "KZ"}}}}});
  EXPECT_EQ(shared.status, 201) << shared.body;
}

TEST(HostileInputs, AShortAdminKeyStopsStart) {
  try {
    TestServer server([](auto& v) { v["CXCO_ADMIN_KEY"] = "admin1"; });
    FAIL() << "a 6-character admin key must not start a server";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.variable, "CXCO_ADMIN_KEY");
  }
}

TEST(HostileInputs, WrongAdminKeysAreSlowedDown) {
  TestServer server;
  auto attempt = [&](const std::string& key) {
    return server.request("GET", "/api/admin/phone-numbers", "", "", {{"X-Admin-Key", key}});
  };
  EXPECT_EQ(attempt(TestServer::kAdminKey).status, 200);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(attempt("guess-" + std::to_string(i)).status, 401) << i;
  const auto slowed = attempt("guess-10");
  EXPECT_EQ(slowed.status, 429) << slowed.body;
  EXPECT_EQ(slowed.json.at("error_type"), "rate_limited");
  EXPECT_FALSE(slowed.header("retry-after").empty());
  // The right key waits too: telling it apart would tell a guesser when to stop.
  EXPECT_EQ(attempt(TestServer::kAdminKey).status, 429);
}

}  // namespace cxco::test
