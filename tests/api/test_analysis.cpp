// What the calls found (platform.md section 8): agents' analysis settings, the results the
// post-call webhook brings, the list filters and full-text search, and the export.
#include <map>
#include <set>
#include <sstream>

#include "crypto/crypto.h"
#include "fakes/elevenlabs_fake.h"
#include "fakes/llm_fake.h"
#include "harness.h"
#include "providers/simulated_post_call.h"
#include "store/conversations_repo.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
constexpr const char* kSecret = "wsec_analysis";
constexpr const char* kHook = "/api/integrations/elevenlabs/post-call";

json::object settings() {
  return {
      {"criteria",
       json::array{
           json::object{
               {"id", "resolved"}, {"name", "Issue resolved"}, {"prompt", "The caller's question was answered."}},
           json::object{{"id", "renewal_agreed"}, {"name", "Renewal"}, {"prompt", "The customer agreed to renew."}}}},
      {"data_fields",
       json::array{json::object{{"id", "email"}, {"type", "string"}, {"description", "Email."}},
                   json::object{{"id", "plan"},
                                {"type", "string"},
                                {"description", "The plan asked about."},
                                {"enum", json::array{"basic", "pro"}}},
                   json::object{{"id", "seats"}, {"type", "integer"}, {"description", "Seats."}},
                   json::object{{"id", "callback"}, {"type", "boolean"}, {"description", "Call back?"}}}}};
}

std::vector<std::int64_t> ids(const json::array& items) {
  std::vector<std::int64_t> out;
  for (const auto& i : items) out.push_back(i.at("id").as_int64());
  return out;
}

}  // namespace

class Analysis : public ::testing::Test {
 protected:
  using Agent = TestServer::LiveAgent;

  void SetUp() override {
    company = server.create_company("Acme");
    user = server.create_user(company.key, "jane@acme.com");
    server.add_numbers({"+27211234567", "+27211234568"});
    sales = server.publish_agent(user.key, "Sales");
    support = server.publish_agent(user.key, "Support");
  }

  // A post_call_transcription with analysis results (providers.md 1.5).
  json::object call(const std::string& conversation_id, const Agent& agent, json::object criteria = {},
                    json::object data = {}, const std::string& summary = "Asked about the Pro plan.",
                    std::int64_t started = kNow - 3600, const std::string& caller = "+27821234567",
                    const std::string& message = "What does the Pro plan cost?") {
    json::array transcript{
        json::object{{"role", "agent"}, {"message", "Hi there! Thanks for calling Acme."}, {"time_in_call_secs", 0}},
        json::object{{"role", "user"}, {"message", message}, {"time_in_call_secs", 3}}};
    json::object data_{{"agent_id", agent.external_id},
                       {"conversation_id", conversation_id},
                       {"status", "done"},
                       {"transcript", transcript},
                       {"metadata",
                        {{"start_time_unix_secs", started},
                         {"call_duration_secs", 120},
                         {"phone_call",
                          {{"type", "sip_trunking"},
                           {"direction", "inbound"},
                           {"external_number", caller},
                           {"agent_number", "+27211234567"},
                           {"phone_number_id", "pn_1"},
                           {"call_sid", "sip_" + conversation_id}}}}},
                       {"analysis",
                        {{"call_successful", "success"},
                         {"transcript_summary", summary},
                         {"evaluation_criteria_results", std::move(criteria)},
                         {"data_collection_results", std::move(data)}}},
                       {"has_audio", true},
                       {"has_user_audio", true},
                       {"has_response_audio", true}};
    return {{"type", "post_call_transcription"}, {"event_timestamp", started + 120}, {"data", std::move(data_)}};
  }
  static json::object criterion(const std::string& id, const std::string& result) {
    return {{"criteria_id", id}, {"result", result}, {"rationale", "Because " + id + " was " + result + "."}};
  }
  static json::object datum(const std::string& id, json::value value) {
    return {{"data_collection_id", id}, {"value", std::move(value)}, {"rationale", "Said so."}};
  }

  std::int64_t deliver(const json::value& payload) {
    const auto body = json::serialize(payload);
    auto r =
        server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", elevenlabs_signature(kSecret, kNow, body)}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.at("conversation_id").as_int64();
  }
  Reply list_raw(const std::string& query, const std::string& key = "") {
    return server.get("/api/conversations/" + query, key.empty() ? user.key : key);
  }
  std::vector<std::int64_t> list(const std::string& query, const std::string& key = "") {
    auto r = list_raw(query, key);
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    return r.status == 200 ? ids(r.json.at("items").as_array()) : std::vector<std::int64_t>{};
  }
  json::value get(std::int64_t id) {
    auto r = server.get("/api/conversations/" + std::to_string(id), user.key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
  std::string agent_path(const Agent& a) { return "/api/agents/" + std::to_string(a.id); }

  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) {
                      v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret;
                      // The clock stands still, so a rate limit would never refill: 10,000 detail reads.
                      v["CXCO_RATE_LIMIT_PER_SECOND"] = '0';
                    },
                    {},
                    &clock};
  TestServer::Account company{}, user{};
  Agent sales{}, support{};
};

TEST_F(Analysis, SettingsAreStoredShownEverywhereAndReplacedWhole) {
  auto plain = server.get(agent_path(sales), user.key);
  EXPECT_EQ(plain.json.at("analysis"), (json::object{{"criteria", json::array{}}, {"data_fields", json::array{}}}));

  auto created = server.post("/api/agents/", user.key,
                             json::object{{"name", "Renewals"},
                                          {"personality", "Helpful."},
                                          {"opening_line", "Hi!"},
                                          {"voice_id", 1},
                                          {"analysis", settings()}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json.at("analysis"), settings());
  const auto id = created.json.at("id").as_int64();
  EXPECT_EQ(server.get("/api/agents/" + std::to_string(id), user.key).json.at("analysis"), settings());
  bool listed = false;
  const auto agents = server.get("/api/agents/", user.key);
  for (const auto& a : agents.json.at("items").as_array())
    if (a.at("id").as_int64() == id) listed = a.at("analysis") == settings();
  EXPECT_TRUE(listed);

  // Other fields leave the settings alone; new settings replace them whole.
  auto renamed = server.put("/api/agents/" + std::to_string(id), user.key, json::object{{"name", "Renewals 2"}});
  EXPECT_EQ(renamed.json.at("analysis"), settings());
  json::object fewer{{"criteria", json::array{settings().at("criteria").as_array()[0]}}};
  auto updated = server.put("/api/agents/" + std::to_string(id), user.key, json::object{{"analysis", fewer}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json.at("analysis").at("criteria").as_array().size(), 1u);
  EXPECT_TRUE(updated.json.at("analysis").at("data_fields").as_array().empty());
}

TEST_F(Analysis, BadSettingsAreOne422NamingEachItem) {
  json::array criteria{
      json::object{{"id", "Bad-Id"}, {"name", "x"}, {"prompt", "p"}},
      json::object{{"id", "ok"}, {"name", "x"}, {"prompt", "p"}},
      json::object{{"id", "ok"}, {"name", "x"}, {"prompt", "p"}},
      json::object{{"id", "1st"}, {"name", "x"}},
  };
  json::array fields{
      json::object{{"id", "seats"}, {"type", "integer"}, {"description", "d"}, {"enum", json::array{"1", "2"}}},
      json::object{{"id", "mood"}, {"type", "colour"}, {"description", "d"}},
      json::object{{"id", std::string(65, 'a')}, {"type", "string"}, {"description", "d"}},
  };
  auto r = server.put(agent_path(sales), user.key,
                      json::object{{"analysis", json::object{{"criteria", criteria}, {"data_fields", fields}}}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_locs(r), (std::set<std::string>{
                               R"(["body","analysis","criteria","0","id"])",
                               R"(["body","analysis","criteria","2","id"])",
                               R"(["body","analysis","criteria","3","id"])",
                               R"(["body","analysis","criteria","3","prompt"])",
                               R"(["body","analysis","data_fields","0","enum"])",
                               R"(["body","analysis","data_fields","1","type"])",
                               R"(["body","analysis","data_fields","2","id"])",
                           }));

  json::array many_criteria, many_fields;
  for (int i = 0; i < 21; ++i)
    many_criteria.push_back(json::object{{"id", "c" + std::to_string(i)}, {"name", "x"}, {"prompt", "p"}});
  for (int i = 0; i < 31; ++i)
    many_fields.push_back(json::object{{"id", "f" + std::to_string(i)}, {"type", "number"}, {"description", "d"}});
  auto too_many =
      server.put(agent_path(sales), user.key,
                 json::object{{"analysis", json::object{{"criteria", many_criteria}, {"data_fields", many_fields}}}});
  ASSERT_EQ(too_many.status, 422);
  EXPECT_EQ(error_locs(too_many),
            (std::set<std::string>{R"(["body","analysis","criteria"])", R"(["body","analysis","data_fields"])"}));
  // Nothing changed.
  EXPECT_TRUE(server.get(agent_path(sales), user.key).json.at("analysis").at("criteria").as_array().empty());
}

TEST_F(Analysis, WebhookResultsAreShownInTheDetail) {
  const auto plain = deliver(call("conv_plain", sales));
  EXPECT_TRUE(get(plain).at("analysis").is_null());

  const auto id = deliver(call("conv_analysed", sales,
                               json::object{{"resolved", criterion("resolved", "success")},
                                            {"renewal_agreed", criterion("renewal_agreed", "failure")}},
                               json::object{{"email", datum("email", "jo@example.com")},
                                            {"seats", datum("seats", 12)},
                                            {"callback", datum("callback", false)},
                                            {"budget", datum("budget", 99.5)},
                                            {"missing", datum("missing", nullptr)}}));
  const auto analysis = get(id).at("analysis");
  EXPECT_EQ(analysis.at("criteria").at("resolved"),
            (json::object{{"result", "success"}, {"rationale", "Because resolved was success."}}));
  EXPECT_EQ(analysis.at("criteria").at("renewal_agreed").at("result"), "failure");
  EXPECT_EQ(analysis.at("data").at("email"), (json::object{{"value", "jo@example.com"}, {"rationale", "Said so."}}));
  EXPECT_EQ(analysis.at("data").at("seats").at("value"), 12);
  EXPECT_EQ(analysis.at("data").at("callback").at("value"), false);
  EXPECT_EQ(analysis.at("data").at("budget").at("value").as_double(), 99.5);
  EXPECT_TRUE(analysis.at("data").at("missing").at("value").is_null());

  // A result of the wrong shape is the provider's malformed payload: 422, nothing stored.
  ContractExempt exempt("a result that is not an object, correctly signed, must be refused with 422");
  auto bad = call("conv_bad", sales, json::object{{"resolved", "success"}});
  const auto body = json::serialize(bad);
  auto r =
      server.request("POST", kHook, "", body, {{"ElevenLabs-Signature", elevenlabs_signature(kSecret, kNow, body)}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(list(""), (std::vector<std::int64_t>{id, plain}));
}

TEST_F(Analysis, SimulatedCallsCarryResultsForTheConfiguredSettings) {
  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", settings()}}).status, 200);
  providers::SimulatedCall simulated;
  simulated.external_agent_id = sales.external_id;
  simulated.started_unix = kNow - 600;
  simulated.duration_seconds = 200;
  simulated.analysis.criteria = {{"resolved", "Issue resolved", "p"}};
  simulated.analysis.data_fields = {{"plan", domain::FieldType::string, "d", {"basic", "pro"}},
                                    {"seats", domain::FieldType::integer, "d", {}},
                                    {"callback", domain::FieldType::boolean, "d", {}}};
  const auto id = deliver(providers::simulated_post_call(simulated));
  const auto analysis = get(id).at("analysis");
  EXPECT_EQ(analysis.at("criteria").at("resolved").at("result"), "success");
  const auto plan = analysis.at("data").at("plan").at("value");
  EXPECT_TRUE(plan == "basic" || plan == "pro") << plan;
  EXPECT_TRUE(analysis.at("data").at("seats").at("value").is_int64());
  EXPECT_EQ(analysis.at("data").at("callback").at("value"), true);
}

TEST_F(Analysis, ListsFilterByEveryFieldAndAnalysisResult) {
  const auto a = deliver(
      call("conv_a", sales, json::object{{"resolved", criterion("resolved", "success")}},
           json::object{
               {"plan", datum("plan", "pro")}, {"seats", datum("seats", 12)}, {"callback", datum("callback", true)}},
           "Pro plan pricing.", kNow - 3 * 86400, "+27820000001"));
  const auto b = deliver(call("conv_b", sales, json::object{{"resolved", criterion("resolved", "failure")}},
                              json::object{{"plan", datum("plan", "basic")}, {"seats", datum("seats", 3)}},
                              "Basic plan question.", kNow - 86400, "+27820000002"));
  const auto c =
      deliver(call("conv_c", support, json::object{{"resolved", criterion("resolved", "unknown")}},
                   json::object{{"seats", datum("seats", 40.5)}}, "Support request.", kNow - 3600, "+27820000001"));
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list(""), (V{c, b, a}));
  EXPECT_EQ(list("?criteria=resolved:success"), (V{a}));
  EXPECT_EQ(list("?criteria=resolved:failure&criteria=resolved:success"), (V{}));
  EXPECT_EQ(list("?criteria=resolved:unknown"), (V{c}));
  EXPECT_EQ(list("?criteria=nobody_has_this:success"), (V{}));
  EXPECT_EQ(list("?data=plan:eq:pro"), (V{a}));
  EXPECT_EQ(list("?data=plan:neq:pro"), (V{b}));
  EXPECT_EQ(list("?data=seats:gt:3"), (V{c, a}));
  EXPECT_EQ(list("?data=seats:gte:3"), (V{c, b, a}));
  EXPECT_EQ(list("?data=seats:lt:12"), (V{b}));
  EXPECT_EQ(list("?data=seats:lte:12"), (V{b, a}));
  EXPECT_EQ(list("?data=seats:eq:12"), (V{a}));
  EXPECT_EQ(list("?data=seats:eq:40.5"), (V{c}));
  EXPECT_EQ(list("?data=callback:eq:true"), (V{a}));
  EXPECT_EQ(list("?data=callback:exists"), (V{a}));
  EXPECT_EQ(list("?data=plan:exists&data=seats:gt:5"), (V{a}));
  EXPECT_EQ(list("?data=unknown_field:exists"), (V{}));
  EXPECT_EQ(list("?caller_number=%2B27820000001"), (V{c, a}));
  EXPECT_EQ(list("?agent_id=" + std::to_string(sales.id) + "&caller_number=%2B27820000001"), (V{a}));
  EXPECT_EQ(list("?status=completed&direction=inbound"), (V{c, b, a}));
  EXPECT_EQ(list("?status=failed"), (V{}));
  EXPECT_EQ(list("?direction=outbound"), (V{}));
  EXPECT_EQ(list("?start_date=2026-03-11"), (V{c, b}));
  EXPECT_EQ(list("?end_date=2026-03-11"), (V{b, a}));
  EXPECT_EQ(list("?start_date=2026-03-09&end_date=2026-03-09"), (V{a}));
  EXPECT_EQ(list("?campaign_id=1"), (V{}));

  auto agent_page = server.get(agent_path(sales) + "/conversations?criteria=resolved:failure", user.key);
  ASSERT_EQ(agent_page.status, 200) << agent_page.body;
  EXPECT_EQ(ids(agent_page.json.at("items").as_array()), (V{b}));
}

TEST_F(Analysis, MalformedFiltersAre422) {
  for (const auto* bad : {"?criteria=x", "?criteria=resolved:maybe", "?criteria=Bad:success", "?data=f:between:3",
                          "?data=f:gt:abc", "?data=f:eq", "?data=f:exists:1", "?data=f", "?data=F:eq:1", "?status=done",
                          "?direction=sideways", "?start_date=2026-13-01", "?start_date=2026-03-10&end_date=2026-03-01",
                          "?campaign_id=x", "?q=%22%2A%28%29", "?q="}) {
    auto r = list_raw(bad);
    EXPECT_EQ(r.status, 422) << bad << " " << r.body;
  }
  auto both = list_raw("?criteria=x&data=y:gt:z");
  ASSERT_EQ(both.status, 422);
  EXPECT_EQ(both.json.at("errors").as_array().size(), 2u);
  EXPECT_EQ(server.get("/api/conversations/export?criteria=x", user.key).status, 422);
}

TEST_F(Analysis, SearchFindsWordsInTranscriptsAndSummariesAndNothingElse) {
  const auto a = deliver(call("conv_a", sales, {}, {}, "Customer wants a refund for the invoice.", kNow - 7200,
                              "+27820000001", "My invoice is wrong"));
  const auto b = deliver(
      call("conv_b", support, {}, {}, "Password reset.", kNow - 3600, "+27820000002", "I can't log in; O'Brien here"));
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list("?q=refund"), (V{a}));
  EXPECT_EQ(list("?q=INVOICE"), (V{a}));
  EXPECT_EQ(list("?q=invoice%20wrong"), (V{a}));
  EXPECT_EQ(list("?q=invoice%20password"), (V{}));  // every word must be there
  EXPECT_EQ(list("?q=thanks"), (V{b, a}));          // the agent's greeting is in both
  EXPECT_EQ(list("?q=password&agent_id=" + std::to_string(sales.id)), (V{}));
  EXPECT_EQ(list("?q=nothing_like_this"), (V{}));
  // FTS5 syntax and SQL metacharacters are punctuation, never operators or SQL.
  for (const auto* hostile : {"refund%22", "%22refund", "refund%2A", "refund%20OR%20password", "NEAR(refund%20invoice)",
                              "refund%20-password", "refund%27%3B%20DROP%20TABLE%20conversations%3B--", "body%3Arefund",
                              "%5Erefund", "refund%20AND%20NOT", "%28refund%29", "refund%25", "refund%5C"}) {
    auto r = list_raw(std::string("?q=") + hostile);
    EXPECT_EQ(r.status, 200) << hostile << " " << r.body;
  }
  EXPECT_EQ(list("?q=refund%20OR%20password"), (V{}));  // OR is a word here, in neither
  EXPECT_EQ(list("?q=%22refund%22%2A"), (V{a}));
  EXPECT_EQ(list("?q=O%27Brien"), (V{b}));
  EXPECT_EQ(list("?q=refund%27%3B%20DROP%20TABLE%20conversations%3B--"), (V{}));
  EXPECT_EQ(list(""), (V{b, a}));  // the table is still there
}

TEST_F(Analysis, SearchRespectsTenantsAndAKeysAgents) {
  const auto a = deliver(call("conv_a", sales, {}, {}, "Refund asked."));
  const auto b = deliver(call("conv_b", support, {}, {}, "Refund again."));
  auto other_company = server.create_company("Other");
  auto other = server.create_user(other_company.key, "eve@other.io");
  EXPECT_TRUE(list("?q=refund", other.key).empty());
  EXPECT_TRUE(list("?q=refund&agent_id=" + std::to_string(sales.id), other.key).empty());
  auto export_other = server.get("/api/conversations/export?format=jsonl&q=refund", other.key);
  EXPECT_EQ(export_other.status, 200);
  EXPECT_TRUE(export_other.body.empty());

  const auto limited = server.create_key(company.key, {"conversations:read"}, {sales.id}).key;
  EXPECT_EQ(list("?q=refund", limited), (std::vector<std::int64_t>{a}));
  EXPECT_TRUE(list("?q=refund&agent_id=" + std::to_string(support.id), limited).empty());
  EXPECT_EQ(list("?q=refund"), (std::vector<std::int64_t>{b, a}));
  auto exported = server.get("/api/conversations/export?format=jsonl&q=refund", limited);
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(json::parse(exported.body).at("id").as_int64(), a);
}

TEST_F(Analysis, ExportsCsvWithAnalysisColumns) {
  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", settings()}}).status, 200);
  const auto a = deliver(call("conv_a", sales, json::object{{"resolved", criterion("resolved", "success")}},
                              json::object{{"plan", datum("plan", "pro")}, {"seats", datum("seats", 12)}},
                              "Pro plan, \"asap\", please"));
  const auto b = deliver(call("conv_b", support));
  auto r = server.get("/api/conversations/export", user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.header("transfer-encoding"), "chunked");
  const std::string header =
      "id,agent_id,channel,direction,caller_number,started_at,ended_at,duration_seconds,status,call_successful,"
      "transcript_summary,criteria.resolved,criteria.renewal_agreed,data.email,data.plan,data.seats,data.callback";
  const auto detail_a = get(a);
  const std::string row_a = std::to_string(a) + "," + std::to_string(sales.id) + ",voice,inbound,+27821234567," +
                            std::string(detail_a.at("started_at").as_string()) + "," +
                            std::string(detail_a.at("ended_at").as_string()) +
                            ",120,completed,true,\"Pro plan, \"\"asap\"\", please\",success,,,pro,12,";
  const std::string row_b = std::to_string(b) + "," + std::to_string(support.id) + ",voice,inbound,+27821234567," +
                            std::string(get(b).at("started_at").as_string()) + "," +
                            std::string(get(b).at("ended_at").as_string()) +
                            ",120,completed,true,Asked about the Pro plan.,,,,,,";
  EXPECT_EQ(r.body, header + "\r\n" + row_b + "\r\n" + row_a + "\r\n");

  // One agent's export has that agent's columns.
  auto support_only = server.get("/api/conversations/export?agent_id=" + std::to_string(support.id), user.key);
  EXPECT_EQ(support_only.body.substr(0, support_only.body.find("\r\n")),
            "id,agent_id,channel,direction,caller_number,started_at,ended_at,duration_seconds,status,call_successful,"
            "transcript_summary");
  EXPECT_EQ(server.get("/api/conversations/export?format=xml", user.key).status, 422);
  EXPECT_EQ(server.get("/api/conversations/export", company.key).status, 403);
  EXPECT_EQ(server.get("/api/conversations/export").status, 401);
}

// 10,000 conversations, stored the way the webhook stores them, exported as JSONL and as CSV:
// every line is the API's detail answer of that conversation.
TEST_F(Analysis, ExportOfTenThousandMatchesTheDetailsRowByRow) {
  constexpr int kCount = 10000;
  {
    auto db = store::Database::open(server.database().url(), 1);
    db->write([&](store::Tx& tx) {
      for (int i = 0; i < kCount; ++i) {
        domain::CallRecord c;
        c.external_id = "seed_" + std::to_string(i);
        c.external_agent_id = sales.external_id;
        c.caller_number = "+2782" + std::to_string(1000000 + i);
        c.started_unix = kNow - 86400 + i;
        c.duration_seconds = 30 + i % 300;
        c.status = "completed";
        if (i % 3) c.successful = i % 3 == 1;
        c.summary =
            i % 7 ? std::optional<std::string>("Call " + std::to_string(i) + ", about \"plans\"") : std::nullopt;
        c.transcript = {{"agent", "Hello!", 0}, {"user", "Seats for " + std::to_string(i), 2.5}};
        if (i % 2) {
          domain::Analysis a;
          a.criteria["resolved"] = {i % 4 == 1 ? domain::CriterionResult::success : domain::CriterionResult::failure,
                                    "r"};
          a.data["seats"] = {std::int64_t{i}, "s"};
          a.data["plan"] = {std::string(i % 5 ? "pro" : "basic"), "p"};
          c.analysis = a;
        }
        store::conversations_repo::insert_call(tx, domain::CompanyId(company.id), sales.id, c, "elevenlabs",
                                               "2026-03-12T12:00:00Z");
      }
    });
  }
  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", settings()}}).status, 200);

  // Exports past the test client's usual 4 MiB.
  auto download = [&](const std::string& format) {
    http::ClientRequest req;
    req.method = "GET";
    req.url = server.url("/api/conversations/export?format=" + format);
    req.headers = {{"X-API-Key", user.key}};
    req.max_response_bytes = 256 * 1024 * 1024;
    req.timeout = std::chrono::seconds(120);
    return http::perform(req);
  };
  const auto jsonl = download("jsonl");
  ASSERT_EQ(jsonl.status, 200) << jsonl.error;
  const auto csv = download("csv");
  ASSERT_EQ(csv.status, 200) << csv.error;

  std::istringstream lines(jsonl.body), rows(csv.body);
  std::string line, row;
  std::getline(rows, row);
  int n = 0;
  std::int64_t previous = std::numeric_limits<std::int64_t>::max();
  while (std::getline(lines, line)) {
    const auto exported = json::parse(line);
    const auto id = exported.at("id").as_int64();
    EXPECT_LT(id, previous);
    previous = id;
    const auto detail = get(id);
    ASSERT_EQ(exported, detail) << id;
    ASSERT_TRUE(std::getline(rows, row));
    ASSERT_TRUE(row.ends_with("\r"));
    row.pop_back();
    // The CSV row says what the detail says.
    const auto& d = detail.as_object();
    auto text = [](const json::value& v) -> std::string {
      if (v.is_null()) return "";
      if (v.is_string()) return std::string(v.as_string());
      if (v.is_bool()) return v.as_bool() ? "true" : "false";
      return json::serialize(v);
    };
    auto quoted = [](const std::string& s) {
      if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
      std::string out = "\"";
      for (const char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return out + "\"";
    };
    std::string expected;
    for (const auto* key : {"id", "agent_id", "channel", "direction", "caller_number", "started_at", "ended_at",
                            "duration_seconds", "status", "call_successful", "transcript_summary"})
      expected += (expected.empty() ? "" : ",") + quoted(text(d.at(key)));
    const auto& analysis = d.at("analysis");
    auto result = [&](const char* kind, const char* id, const char* what) -> std::string {
      if (analysis.is_null()) return "";
      const auto* found = analysis.at(kind).as_object().if_contains(id);
      return found ? text(found->at(what)) : "";
    };
    expected += "," + result("criteria", "resolved", "result") + "," + result("criteria", "renewal_agreed", "result");
    for (const auto* field : {"email", "plan", "seats", "callback"}) expected += "," + result("data", field, "value");
    ASSERT_EQ(row, expected) << id;
    ++n;
  }
  EXPECT_EQ(n, kCount);
  EXPECT_FALSE(std::getline(rows, row));
}

TEST_F(Analysis, AnalyzeRunsTheAgentsCurrentSettingsAndReplacesTheResults) {
  const auto id = deliver(call("conv_a", sales));
  const auto path = "/api/conversations/" + std::to_string(id) + "/analyze";
  auto refused = server.request("POST", path, user.key);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json.at("error_type"), "invalid_state");

  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", settings()}}).status, 200);
  auto analysed = server.request("POST", path, user.key);
  ASSERT_EQ(analysed.status, 200) << analysed.body;
  const auto& analysis = analysed.json.at("analysis");
  EXPECT_EQ(analysis.at("criteria").at("resolved").at("result"), "success");
  EXPECT_EQ(analysis.at("criteria").as_object().size(), 2u);
  EXPECT_EQ(analysis.at("data").as_object().size(), 4u);
  EXPECT_EQ(analysis.at("data").at("plan").at("value"), "basic");
  EXPECT_TRUE(analysis.at("data").at("seats").at("value").is_int64());
  EXPECT_EQ(get(id).at("analysis"), analysis);
  EXPECT_EQ(list("?criteria=resolved:success"), (std::vector<std::int64_t>{id}));

  // New criteria: the old results are gone, from the detail and from the filters.
  json::object renewal{
      {"criteria", json::array{json::object{{"id", "renewal_agreed"}, {"name", "R"}, {"prompt", "p"}}}}};
  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", renewal}}).status, 200);
  auto again = server.request("POST", path, user.key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json.at("analysis").at("criteria").as_object().size(), 1u);
  EXPECT_TRUE(again.json.at("analysis").at("data").as_object().empty());
  EXPECT_TRUE(list("?criteria=resolved:success").empty());
  EXPECT_EQ(list("?criteria=renewal_agreed:success"), (std::vector<std::int64_t>{id}));

  const auto limited = server.create_key(company.key, {"conversations:write"}, {support.id}).key;
  EXPECT_EQ(server.request("POST", path, limited).status, 404);
  auto other = server.create_user(server.create_company("Other").key, "eve@other.io");
  EXPECT_EQ(server.request("POST", path, other.key).status, 404);
  EXPECT_EQ(server.request("POST", "/api/conversations/999999/analyze", user.key).status, 404);
}

TEST_F(Analysis, UsageCountsOutcomesFromTheRollups) {
  ASSERT_EQ(server.put(agent_path(sales), user.key, json::object{{"analysis", settings()}}).status, 200);
  deliver(call("conv_a", sales, json::object{{"resolved", criterion("resolved", "success")}},
               json::object{{"plan", datum("plan", "pro")},
                            {"seats", datum("seats", 12)},
                            {"callback", datum("callback", true)},
                            {"email", datum("email", "a@b.c")}}));
  deliver(
      call("conv_b", sales, json::object{{"resolved", criterion("resolved", "failure")}},
           json::object{
               {"plan", datum("plan", "pro")}, {"seats", datum("seats", 2)}, {"callback", datum("callback", false)}}));
  const auto c = deliver(call("conv_c", support, json::object{{"resolved", criterion("resolved", "success")}},
                              json::object{{"seats", datum("seats", 7.5)}}, "s", kNow - 40 * 86400));
  auto r = server.get("/api/usage/analysis?start_date=2026-03-01&end_date=2026-03-12", user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("period"), (json::object{{"start_date", "2026-03-01"}, {"end_date", "2026-03-12"}}));
  EXPECT_EQ(r.json.at("criteria"), (json::object{{"resolved", {{"success", 1}, {"failure", 1}, {"unknown", 0}}}}));
  const auto& data = r.json.at("data");
  EXPECT_EQ(data.at("plan"), (json::object{{"pro", 2}}));
  EXPECT_EQ(data.at("callback"), (json::object{{"false", 1}, {"true", 1}}));
  EXPECT_EQ(data.at("seats").at("count"), 2);
  EXPECT_EQ(data.at("seats").at("min").as_double(), 2.0);
  EXPECT_EQ(data.at("seats").at("avg").as_double(), 7.0);
  EXPECT_EQ(data.at("seats").at("max").as_double(), 12.0);
  EXPECT_FALSE(data.as_object().contains("email"));  // free text is not counted

  auto year = server.get("/api/usage/analysis?start_date=2025-03-13&end_date=2026-03-12", user.key);
  EXPECT_EQ(year.json.at("criteria").at("resolved").at("success"), 2);
  auto one_agent = server.get(
      "/api/usage/analysis?start_date=2025-03-13&end_date=2026-03-12&agent_id=" + std::to_string(support.id), user.key);
  EXPECT_EQ(one_agent.json.at("criteria").at("resolved"),
            (json::object{{"success", 1}, {"failure", 0}, {"unknown", 0}}));
  EXPECT_EQ(server.get("/api/usage/analysis?start_date=2026-03-12&end_date=2026-03-01", user.key).status, 422);
  EXPECT_EQ(server.get("/api/usage/analysis?start_date=2024-01-01&end_date=2026-03-01", user.key).status, 422);

  // A re-analysis replaces the conversation's counts.
  ASSERT_EQ(server.put(agent_path(support), user.key, json::object{{"analysis", settings()}}).status, 200);
  ASSERT_EQ(server.request("POST", "/api/conversations/" + std::to_string(c) + "/analyze", user.key).status, 200);
  auto after = server.get(
      "/api/usage/analysis?start_date=2025-03-13&end_date=2026-03-12&agent_id=" + std::to_string(support.id), user.key);
  EXPECT_EQ(after.json.at("criteria").at("resolved").at("success"), 1);
  EXPECT_EQ(after.json.at("criteria").at("renewal_agreed").at("success"), 1);
  EXPECT_EQ(after.json.at("data").at("seats").at("count"), 1);
  // The company key sees it too.
  EXPECT_EQ(server.get("/api/usage/analysis", company.key).status, 200);
}

TEST(AnalysisLive, AnalyzeAsksTheLlmForTheSchemaAndStoresNothingFromAMalformedAnswer) {
  FakeElevenLabs voice;
  FakeLlm llm;
  TestServer server([&](auto& v) {
    voice.configure_live(v);
    v["CXCO_LLM_BASE_URL"] = llm.base_url();
    v["CXCO_LLM_API_KEY"] = FakeLlm::kKey;
    v["CXCO_LLM_MODEL"] = "gpt-test";
  });
  auto company = server.create_company("Acme");
  auto user = server.create_user(company.key, "jane@acme.com");
  server.add_numbers({"+27211234567"});
  const auto agent = server.publish_agent(user.key, "Sales");
  json::object small{
      {"criteria", json::array{json::object{{"id", "resolved"}, {"name", "R"}, {"prompt", "p"}}}},
      {"data_fields",
       json::array{json::object{
           {"id", "plan"}, {"type", "string"}, {"description", "d"}, {"enum", json::array{"basic", "pro"}}}}}};
  ASSERT_EQ(server.put("/api/agents/" + std::to_string(agent.id), user.key, json::object{{"analysis", small}}).status,
            200);
  providers::SimulatedCall simulated;
  simulated.external_agent_id = agent.external_id;
  simulated.started_unix = util::SystemClock().now() - 600;
  const auto id =
      server.post_call("wsec_test", simulated, util::SystemClock().now()).json.at("conversation_id").as_int64();
  const auto path = "/api/conversations/" + std::to_string(id);

  llm.script(
      {"not json at all",
       R"({"criteria":{"resolved":{"result":"maybe","rationale":"r"}},"data":{"plan":{"value":"pro","rationale":"r"}}})",
       R"({"criteria":{"resolved":{"result":"success","rationale":"r"}},"data":{"plan":{"value":"gold","rationale":"r"}}})",
       R"({"criteria":{"resolved":{"result":"success","rationale":"Answered."}},"data":{"plan":{"value":"pro","rationale":"Said pro."}}})"});
  for (int i = 0; i < 3; ++i) {
    auto bad = server.request("POST", path + "/analyze", user.key);
    EXPECT_EQ(bad.status, 502) << bad.body;
    EXPECT_EQ(bad.json.at("error_type"), "provider_error");
    EXPECT_TRUE(server.get(path, user.key).json.at("analysis").is_null());
  }
  llm.fail(500);
  EXPECT_EQ(server.request("POST", path + "/analyze", user.key).status, 502);
  auto good = server.request("POST", path + "/analyze", user.key);
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.json.at("analysis"),
            (json::object{{"criteria", {{"resolved", {{"result", "success"}, {"rationale", "Answered."}}}}},
                          {"data", {{"plan", {{"value", "pro"}, {"rationale", "Said pro."}}}}}}));

  const auto asked = llm.requests().back();
  const auto& format = asked.at("response_format");
  EXPECT_EQ(format.at("type"), "json_schema");
  EXPECT_EQ(format.at("json_schema").at("strict"), true);
  const auto& schema = format.at("json_schema").at("schema");
  EXPECT_EQ(schema.at("properties").at("criteria").at("required"), (json::array{"resolved"}));
  EXPECT_EQ(schema.at("properties").at("data").at("properties").at("plan").at("properties").at("value").at("enum"),
            (json::array{"basic", "pro", nullptr}));
  EXPECT_NE(std::string(asked.at("messages").as_array().back().at("content").as_string()).find("Customer: "),
            std::string::npos);
}

TEST(AnalysisLive, SettingsAreSentToTheVoiceProviderOnPublishAndUpdate) {
  FakeElevenLabs fake;
  TestServer server([&](auto& v) { fake.configure_live(v); });
  auto company = server.create_company("Acme");
  auto user = server.create_user(company.key, "jane@acme.com");
  server.add_numbers({"+27211234567"});
  auto created = server.post("/api/agents/", user.key,
                             json::object{{"name", "Renewals"},
                                          {"personality", "Helpful."},
                                          {"opening_line", "Hi!"},
                                          {"voice_id", 1},
                                          {"analysis", settings()}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto path = "/api/agents/" + std::to_string(created.json.at("id").as_int64());
  auto live = server.request("POST", path + "/publish", user.key);
  ASSERT_EQ(live.status, 200) << live.body;
  const auto external = std::string(live.json.at("external_agent_id").as_string());
  const auto at_provider = fake.agent(external)->at("platform_settings");
  const auto& criteria = at_provider.at("evaluation").at("criteria").as_array();
  ASSERT_EQ(criteria.size(), 2u);
  EXPECT_EQ(criteria[0].at("id"), "resolved");
  EXPECT_EQ(criteria[0].at("conversation_goal_prompt"), "The caller's question was answered.");
  const auto& data = at_provider.at("data_collection").as_object();
  EXPECT_EQ(data.size(), 4u);
  EXPECT_EQ(data.at("seats").at("type"), "integer");
  EXPECT_EQ(data.at("plan").at("type"), "string");
  EXPECT_NE(std::string(data.at("plan").at("description").as_string()).find("basic, pro"), std::string::npos);
  // Beside the analysis, the override outbound calls need is still there.
  EXPECT_EQ(at_provider.at("overrides").at("conversation_config_override").at("agent").at("first_message"), true);

  ASSERT_EQ(server.put(path, user.key, json::object{{"analysis", json::object{}}}).status, 200);
  const auto cleared = fake.agent(external)->at("platform_settings");
  EXPECT_TRUE(cleared.at("evaluation").at("criteria").as_array().empty());
  EXPECT_TRUE(cleared.at("data_collection").as_object().empty());
}

}  // namespace cxco::test
