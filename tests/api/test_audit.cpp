// The audit log (platform.md section 9): exactly one row for every changing request answered 2xx,
// on every changing route, written with the change (so a failed request leaves none); the company
// reads its own, filtered and paginated; old rows are pruned.
#include <functional>
#include <set>

#include "crypto/crypto.h"
#include "harness.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
constexpr const char* kSecret = "wsec_audit_test";

// What one audit row should say, beyond the request's own method, route, status and id.
struct Expected {
  std::optional<std::int64_t> company;
  std::string key_type;
  std::optional<std::int64_t> key_id;
  std::optional<std::int64_t> user_id;
  std::string resource_type;
  std::optional<std::string> resource_id;
};

// The rows a request left, read from the database: the API shows no operator row (they belong to
// no company), and this must see every row.
std::vector<store::Row> rows_of(const TestServer& server, const Reply& reply) {
  auto db = store::Database::open(server.database().url(), 1);
  return db->read([&](store::Tx& tx) {
    return tx
        .query(
            "SELECT company_id, key_id, key_type, user_id, method, route, resource_type, resource_id, status, ip "
            "FROM audit_log WHERE request_id = ?",
            {reply.header("x-request-id")})
        .rows;
  });
}

std::int64_t key_id_of(const TestServer& server, const std::string& key) {
  auto db = store::Database::open(server.database().url(), 1);
  return db->read([&](store::Tx& tx) {
    return tx.one("SELECT id FROM api_keys WHERE key_hash = ?", {crypto::sha256_hex(key)})->i64("id");
  });
}

std::int64_t id_of(const Reply& r) { return r.json.at("id").as_int64(); }

}  // namespace

class AuditLog : public ::testing::Test {
 protected:
  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) {
                      v["CXCO_WEBHOOK_ALLOW_PRIVATE"] = "1";
                      v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret;
                    },
                    {},
                    &clock};
};

TEST_F(AuditLog, EveryChangingRouteLeavesExactlyOneRowWithTheChange) {
  // Each changing route, done once with success, in an order where each finds what it needs.
  std::int64_t company_id = 0, user_id = 0, agent_id = 0, webhook_id = 0;
  std::string company_key, owner_key;
  auto as_admin = [&](const std::string& resource, std::optional<std::string> id, std::optional<std::int64_t> company) {
    return Expected{company, "admin", std::nullopt, std::nullopt, resource, std::move(id)};
  };
  auto as_company = [&](const std::string& resource, std::int64_t id) {
    return Expected{company_id, "company", key_id_of(server, company_key), std::nullopt, resource, std::to_string(id)};
  };
  auto as_owner = [&](const std::string& resource, std::int64_t id) {
    return Expected{company_id, "user", key_id_of(server, owner_key), user_id, resource, std::to_string(id)};
  };
  auto company_path = [&](const std::string& suffix) {
    return "/api/admin/companies/" + std::to_string(company_id) + suffix;
  };
  auto agent_path = [&](const std::string& suffix) { return "/api/agents/" + std::to_string(agent_id) + suffix; };
  auto webhook_path = [&](const std::string& suffix) { return "/api/webhooks/" + std::to_string(webhook_id) + suffix; };
  auto lifecycle = [&](std::string action) {
    return [&, action] {
      return std::pair{server.request("POST", agent_path(action), owner_key), as_owner("agent", agent_id)};
    };
  };
  std::int64_t campaign_id = 0;
  auto campaign_path = [&](const std::string& suffix) {
    return "/api/campaigns/" + std::to_string(campaign_id) + suffix;
  };
  auto campaign_action = [&](std::string action) {
    return [&, action] {
      return std::pair{server.request("POST", campaign_path(action), owner_key), as_owner("campaign", campaign_id)};
    };
  };
  std::int64_t doomed_user = 0, named_key = 0;
  std::string keys_key;

  struct Scenario {
    std::string method, route;
    std::function<std::pair<Reply, Expected>()> run;
  };
  const std::vector<Scenario> scenarios = {
      {"POST", "/api/admin/companies",
       [&] {
         auto r = server.admin("POST", "/api/admin/companies", json::object{{"name", "Audited"}});
         company_id = id_of(r);
         company_key = std::string(r.json.at("api_key").as_string());
         return std::pair{r, as_admin("company", std::to_string(company_id), company_id)};
       }},
      {"PUT", "/api/admin/companies/{id}/quotas",
       [&] {
         return std::pair{server.admin("PUT", company_path("/quotas"), json::object{{"max_active_agents", 10}}),
                          as_admin("company", std::to_string(company_id), company_id)};
       }},
      {"POST", "/api/admin/companies/{id}/rotate-key",
       [&] {
         auto r = server.admin("POST", company_path("/rotate-key"));
         company_key = std::string(r.json.at("api_key").as_string());
         return std::pair{r, as_admin("company", std::to_string(company_id), company_id)};
       }},
      {"POST", "/api/admin/phone-numbers",
       [&] {
         return std::pair{server.admin("POST", "/api/admin/phone-numbers",
                                       json::object{{"numbers", json::array{json::object{{"number", "+27211230001"},
                                                                                         {"country_code", "ZA"}}}}}),
                          as_admin("phone_number", std::nullopt, std::nullopt)};
       }},
      {"POST", "/api/admin/voices",
       [&] {
         auto r =
             server.admin("POST", "/api/admin/voices",
                          json::object{{"external_voice_id", "audit-voice"}, {"name", "Audit"}, {"language", "en"}});
         return std::pair{r, as_admin("voice", std::to_string(id_of(r)), std::nullopt)};
       }},
      {"PUT", "/api/companies/{company_id}",
       [&] {
         auto r = server.put("/api/companies/" + std::to_string(company_id), company_key, json::object{{"name", "A2"}});
         return std::pair{r, as_company("company", company_id)};
       }},
      {"POST", "/api/users/",
       [&] {
         auto r = server.post("/api/users/", company_key,
                              json::object{{"email", "owner@audited.com"}, {"name", "Owner"}, {"role", "owner"}});
         user_id = id_of(r);
         owner_key = std::string(r.json.at("api_key").as_string());
         doomed_user = server.create_user(company_key, "doomed@audited.com").id;
         return std::pair{r, as_company("user", user_id)};
       }},
      {"PUT", "/api/users/{user_id}",
       [&] {
         return std::pair{server.put("/api/users/" + std::to_string(user_id), company_key, json::object{{"name", "O"}}),
                          as_company("user", user_id)};
       }},
      {"DELETE", "/api/users/{user_id}",
       [&] {
         return std::pair{server.del("/api/users/" + std::to_string(doomed_user), company_key),
                          as_company("user", doomed_user)};
       }},
      {"POST", "/api/agents/",
       [&] {
         auto r =
             server.post("/api/agents/", owner_key,
                         json::object{{"name", "A"}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}});
         agent_id = id_of(r);
         return std::pair{r, as_owner("agent", agent_id)};
       }},
      {"PUT", "/api/agents/{agent_id}",
       [&] {
         json::object analysis{
             {"criteria", json::array{json::object{{"id", "resolved"}, {"name", "Resolved"}, {"prompt", "p"}}}}};
         return std::pair{server.put(agent_path(""), owner_key, json::object{{"name", "B"}, {"analysis", analysis}}),
                          as_owner("agent", agent_id)};
       }},
      {"POST", "/api/agents/{agent_id}/publish", lifecycle("/publish")},
      {"POST", "/api/agents/{agent_id}/pause", lifecycle("/pause")},
      {"POST", "/api/agents/{agent_id}/resume", lifecycle("/resume")},
      {"POST", "/api/conversations/{conversation_id}/analyze",
       [&] {
         providers::SimulatedCall call;
         call.external_agent_id =
             std::string(server.get(agent_path(""), owner_key).json.at("external_agent_id").as_string());
         call.started_unix = kNow - 600;
         const auto conversation = server.post_call(kSecret, call, kNow).json.at("conversation_id").as_int64();
         return std::pair{
             server.request("POST", "/api/conversations/" + std::to_string(conversation) + "/analyze", owner_key),
             as_owner("conversation", conversation)};
       }},
      {"POST", "/api/calls/",
       [&] {
         auto r =
             server.post("/api/calls/", owner_key, json::object{{"agent_id", agent_id}, {"to_number", "+27821000005"}});
         return std::pair{r, as_owner("call", id_of(r))};
       }},
      {"POST", "/api/calls/{call_id}/cancel",
       [&] {
         // A queued call the dialer has no job for, so it is still queued when canceled.
         auto db = store::Database::open(server.database().url(), 1);
         const auto call = db->write([&](store::Tx& tx) {
           return tx.insert(
               "INSERT INTO calls (company_id, agent_id, to_number, status, dial_token, created_at, updated_at) "
               "VALUES (?, ?, '+27821000006', 'queued', 'cxco_audit_token', ?, ?) RETURNING id",
               {company_id, agent_id, util::iso8601(kNow), util::iso8601(kNow)});
         });
         return std::pair{server.request("POST", "/api/calls/" + std::to_string(call) + "/cancel", owner_key),
                          as_owner("call", call)};
       }},
      {"POST", "/api/do-not-call/",
       [&] {
         auto r = server.post("/api/do-not-call/", owner_key, json::object{{"phone_number", "+27821000007"}});
         auto e = as_owner("do_not_call", 0);
         e.resource_id = "+27821000007";
         return std::pair{r, e};
       }},
      {"DELETE", "/api/do-not-call/{phone_number}",
       [&] {
         auto e = as_owner("do_not_call", 0);
         e.resource_id = "+27821000007";
         return std::pair{server.del("/api/do-not-call/%2B27821000007", owner_key), e};
       }},
      {"POST", "/api/campaigns/",
       [&] {
         auto r = server.post("/api/campaigns/", owner_key,
                              json::object{{"name", "Audited"},
                                           {"agent_id", agent_id},
                                           {"start_at", "2099-01-01T00:00:00Z"},
                                           {"recipients", json::array{}}});
         campaign_id = id_of(r);
         return std::pair{r, as_owner("campaign", campaign_id)};
       }},
      {"POST", "/api/campaigns/{campaign_id}/recipients",
       [&] {
         return std::pair{
             server.post(campaign_path("/recipients"), owner_key,
                         json::object{{"recipients", json::array{json::object{{"phone_number", "+27821000008"}}}}}),
             as_owner("campaign", campaign_id)};
       }},
      {"POST", "/api/campaigns/{campaign_id}/pause", campaign_action("/pause")},
      {"POST", "/api/campaigns/{campaign_id}/resume", campaign_action("/resume")},
      {"POST", "/api/campaigns/{campaign_id}/cancel", campaign_action("/cancel")},
      {"POST", "/api/phone-numbers/{phone_number_id}/enable-whatsapp",
       [&] {
         const auto number = server.get(agent_path(""), owner_key).json.at("phone_number").at("id").as_int64();
         return std::pair{
             server.request("POST", "/api/phone-numbers/" + std::to_string(number) + "/enable-whatsapp", owner_key),
             as_owner("phone_number", number)};
       }},
      {"DELETE", "/api/agents/{agent_id}",
       [&] {
         return std::pair{server.del(agent_path(""), owner_key), as_owner("agent", agent_id)};
       }},
      {"POST", "/api/webhooks/",
       [&] {
         auto r = server.post(
             "/api/webhooks/", company_key,
             json::object{{"url", "http://127.0.0.1:9/hook"}, {"events", json::array{"agent.status_changed"}}});
         webhook_id = id_of(r);
         return std::pair{r, as_company("webhook", webhook_id)};
       }},
      {"PUT", "/api/webhooks/{webhook_id}",
       [&] {
         return std::pair{server.put(webhook_path(""), company_key, json::object{{"status", "disabled"}}),
                          as_company("webhook", webhook_id)};
       }},
      {"POST", "/api/webhooks/{webhook_id}/test",
       [&] {
         return std::pair{server.request("POST", webhook_path("/test"), company_key),
                          as_company("webhook", webhook_id)};
       }},
      {"DELETE", "/api/webhooks/{webhook_id}",
       [&] {
         return std::pair{server.del(webhook_path(""), company_key), as_company("webhook", webhook_id)};
       }},
      {"POST", "/api/providers/{slug}/credentials",
       [&] {
         auto r =
             server.post("/api/providers/elevenlabs/credentials", company_key,
                         json::object{{"company_id", company_id}, {"credentials", json::object{{"api_key", "sk"}}}});
         auto e = as_company("credentials", 0);
         e.resource_id = "elevenlabs";
         return std::pair{r, e};
       }},
      {"DELETE", "/api/providers/{slug}/credentials",
       [&] {
         auto e = as_company("credentials", 0);
         e.resource_id = "elevenlabs";
         return std::pair{server.del("/api/providers/elevenlabs/credentials", company_key), e};
       }},
      {"POST", "/api/keys/",
       [&] {
         const auto manager = server.create_key(company_key, {"keys:write"});
         keys_key = manager.key;
         auto r =
             server.post("/api/keys/", keys_key, json::object{{"name", "n"}, {"scopes", json::array{"keys:write"}}});
         named_key = id_of(r);
         return std::pair{
             r, Expected{company_id, "scoped", manager.id, std::nullopt, "api_key", std::to_string(named_key)}};
       }},
      {"DELETE", "/api/keys/{key_id}",
       [&] {
         return std::pair{server.del("/api/keys/" + std::to_string(named_key), owner_key),
                          as_owner("api_key", named_key)};
       }},
  };

  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& s : scenarios) {
    const auto [reply, expected] = s.run();
    const auto name = s.method + " " + s.route;
    ASSERT_GE(reply.status, 200) << name << ": " << reply.body;
    ASSERT_LT(reply.status, 300) << name << ": " << reply.body;
    const auto rows = rows_of(server, reply);
    ASSERT_EQ(rows.size(), 1u) << name;
    const auto& row = rows.front();
    EXPECT_EQ(row.opt_i64("company_id"), expected.company) << name;
    EXPECT_EQ(row.str("key_type"), expected.key_type) << name;
    EXPECT_EQ(row.opt_i64("key_id"), expected.key_id) << name;
    EXPECT_EQ(row.opt_i64("user_id"), expected.user_id) << name;
    EXPECT_EQ(row.str("method"), s.method) << name;
    EXPECT_EQ(row.str("route"), s.route) << name;
    EXPECT_EQ(row.str("resource_type"), expected.resource_type) << name;
    EXPECT_EQ(row.opt_str("resource_id"), expected.resource_id) << name;
    EXPECT_EQ(row.i64("status"), reply.status) << name;
    covered.insert({s.method, s.route});
  }

  // Every route that changes things and takes a key has its scenario here.
  for (const auto& route : routed_operations()) {
    if (route.access == api::Access::open || route.method == "GET") continue;
    EXPECT_TRUE(covered.count({route.method, route.path}))
        << route.method << " " << route.path << " is not audited here";
  }
  // The providers' inbound webhooks are not audited.
  providers::SimulatedCall call;
  call.external_agent_id = "agent_of_nobody";
  call.started_unix = kNow - 300;
  const auto inbound = server.post_call(kSecret, call, kNow);
  ASSERT_EQ(inbound.status, 200) << inbound.body;
  EXPECT_TRUE(rows_of(server, inbound).empty());
}

TEST_F(AuditLog, AFailedRequestLeavesNoRow) {
  const auto company = server.create_company("Acme");
  const auto user = server.create_user(company.key, "jane@acme.com");
  const auto agent = [&] {
    auto r = server.post("/api/agents/", user.key,
                         json::object{{"name", "A"}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}});
    return id_of(r);
  };
  const auto a = agent(), b = agent();
  const auto path = [](std::int64_t id, const std::string& action) {
    return "/api/agents/" + std::to_string(id) + action;
  };

  std::vector<std::pair<std::string, Reply>> failures = {
      {"422", server.post("/api/agents/", user.key, json::object{{"name", "A"}})},
      {"404", server.put(path(999999, ""), user.key, json::object{{"name", "B"}})},
      // The publish's own transaction refuses: nothing to reserve.
      {"409", server.request("POST", path(a, "/publish"), user.key)},
      {"403", server.post("/api/agents/", server.create_key(company.key, {"agents:read"}).key, json::object{})},
      {"404 rotate", server.admin("POST", "/api/admin/companies/999999/rotate-key")},
  };
  server.add_numbers({"+27211230001", "+27211230002"});
  ASSERT_EQ(server
                .admin("PUT", "/api/admin/companies/" + std::to_string(company.id) + "/quotas",
                       json::object{{"max_active_agents", 1}})
                .status,
            200);
  ASSERT_EQ(server.request("POST", path(a, "/publish"), user.key).status, 200);
  // Refused inside the transaction that would reserve the number.
  failures.emplace_back("429", server.request("POST", path(b, "/publish"), user.key));
  for (const auto& [what, reply] : failures) {
    EXPECT_GE(reply.status, 400) << what;
    EXPECT_TRUE(rows_of(server, reply).empty()) << what << ": " << reply.body;
  }

  // A replayed POST does nothing again, so it leaves no row; the first one left its row.
  const auto first = server.request("POST", "/api/agents/", user.key,
                                    R"({"name":"C","personality":"p","opening_line":"o","voice_id":1})",
                                    {{"Idempotency-Key", "create-c"}});
  const auto replay = server.request("POST", "/api/agents/", user.key,
                                     R"({"name":"C","personality":"p","opening_line":"o","voice_id":1})",
                                     {{"Idempotency-Key", "create-c"}});
  ASSERT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(rows_of(server, first).size(), 1u);
  EXPECT_TRUE(rows_of(server, replay).empty());
}

TEST_F(AuditLog, TheCompanyReadsItsOwnFilteredAndPaginated) {
  const auto company = server.create_company("Acme");
  const auto owner = server.create_user(company.key, "owner@acme.com", "owner");
  const auto member = server.create_user(company.key, "member@acme.com", "member");
  const auto writer = server.create_key(company.key, {"agents:write"});
  for (const auto* name : {"A", "B", "C"})
    ASSERT_EQ(server
                  .post("/api/agents/", writer.key,
                        json::object{{"name", name}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}})
                  .status,
              201);
  const auto other = server.create_company("Other");
  server.create_user(other.key, "x@other.com");

  const auto all = server.get("/api/audit-log", company.key);
  ASSERT_EQ(all.status, 200) << all.body;
  const auto& items = all.json.at("items").as_array();
  // The operator's company creation, two users, the named key, three agents; newest first.
  ASSERT_EQ(items.size(), 7u) << all.body;
  for (std::size_t i = 1; i < items.size(); ++i)
    EXPECT_GT(items[i - 1].at("id").as_int64(), items[i].at("id").as_int64());
  const auto& newest = items.front().as_object();
  EXPECT_EQ(newest.at("key_id").as_int64(), writer.id);
  EXPECT_EQ(newest.at("key_type"), "scoped");
  EXPECT_TRUE(newest.at("user_id").is_null());
  EXPECT_EQ(newest.at("method"), "POST");
  EXPECT_EQ(newest.at("route"), "/api/agents/");
  EXPECT_EQ(newest.at("resource_type"), "agent");
  EXPECT_EQ(newest.at("status").as_int64(), 201);
  EXPECT_EQ(newest.at("created_at"), util::iso8601(kNow).c_str());
  EXPECT_EQ(newest.at("ip"), "127.0.0.1");
  EXPECT_TRUE(newest.at("request_id").is_string());
  EXPECT_EQ(items.back().at("key_type"), "admin");
  EXPECT_TRUE(items.back().at("key_id").is_null());

  const auto agents = server.get("/api/audit-log?resource_type=agent", owner.key).json.at("items").as_array();
  EXPECT_EQ(agents.size(), 3u);
  const auto by_key =
      server.get("/api/audit-log?key_id=" + std::to_string(writer.id), company.key).json.at("items").as_array();
  EXPECT_EQ(by_key.size(), 3u);

  // Pages of two, without gaps or repeats.
  std::vector<std::int64_t> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const auto r = server.get("/api/audit-log?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), company.key).json;
    for (const auto& e : r.at("items").as_array()) paged.push_back(e.at("id").as_int64());
    if (!r.at("has_more").as_bool()) break;
    cursor = std::string(r.at("next_cursor").as_string());
  }
  ASSERT_EQ(paged.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(paged[i], items[i].at("id").as_int64());

  EXPECT_EQ(server.get("/api/audit-log?limit=0", company.key).status, 422);
  EXPECT_EQ(server.get("/api/audit-log?key_id=x", company.key).status, 422);
  EXPECT_EQ(server.get("/api/audit-log", member.key).status, 403);
  EXPECT_EQ(server.get("/api/audit-log", writer.key).status, 403);
  EXPECT_EQ(server.get("/api/audit-log", server.create_key(company.key, {"audit:read"}).key).status, 200);
  // Another company sees its own rows only: its creation and its user.
  EXPECT_EQ(server.get("/api/audit-log", other.key).json.at("items").as_array().size(), 2u);
}

TEST(AuditRetention, RowsPastTheRetentionArePrunedAndRetentionZeroKeepsThem) {
  ManualClock clock{kNow * 1000};
  TestServer first([](auto& v) { v["CXCO_AUDIT_RETENTION_DAYS"] = "30"; }, {}, &clock);
  const auto company = first.create_company("Acme");
  clock.advance_seconds(31 * 86400);
  first.create_user(company.key, "jane@acme.com");
  const auto newer = util::iso8601(clock.now());
  EXPECT_TRUE(eventually([&] {
    const auto items = first.get("/api/audit-log", company.key).json.at("items").as_array();
    return items.size() == 1 && items.front().at("created_at") == json::value(newer);
  })) << first.get("/api/audit-log", company.key).body;
  first.stop();

  // With retention off, the pruning job ends (once it is due) and nothing is pruned.
  auto prune_jobs = [&] {
    auto db = store::Database::open(first.database().url(), 1);
    return db->read(
        [](store::Tx& tx) { return tx.one("SELECT COUNT(*) AS n FROM jobs WHERE queue = 'audit_prune'")->i64("n"); });
  };
  ASSERT_EQ(prune_jobs(), 1);
  TestServer second(
      [&](auto& v) {
        v["CXCO_DATABASE_URL"] = first.database().url();
        v["CXCO_AUDIT_RETENTION_DAYS"] = "0";
      },
      {}, &clock);
  clock.advance_seconds(400 * 86400);
  EXPECT_TRUE(eventually([&] { return prune_jobs() == 0; }));
  EXPECT_EQ(second.get("/api/audit-log", company.key).json.at("items").as_array().size(), 1u);
}

}  // namespace cxco::test
