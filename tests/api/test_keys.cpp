// Named keys with scopes (platform.md section 9): created, listed and revoked by the people who may;
// each scope opens exactly its endpoints; a key limited to some agents sees nothing of the others;
// expiry and revocation take effect at once, on every node.
#include <map>
#include <set>

#include "harness.h"
#include "util/time.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1773316800;  // 2026-03-12T12:00:00Z
constexpr const char* kSecret = "wsec_keys_test";

// platform.md section 9, written out here rather than read from the server's table: the scope each
// route that takes a key needs; "" where no scope opens it.
const std::map<std::pair<std::string, std::string>, std::string> kExpectedScopes = {
    {{"POST", "/api/admin/companies"}, ""},
    {{"POST", "/api/admin/companies/{id}/rotate-key"}, ""},
    {{"PUT", "/api/admin/companies/{id}/quotas"}, ""},
    {{"POST", "/api/admin/phone-numbers"}, ""},
    {{"GET", "/api/admin/phone-numbers"}, ""},
    {{"POST", "/api/admin/voices"}, ""},
    {{"GET", "/api/companies/{company_id}"}, ""},
    {{"PUT", "/api/companies/{company_id}"}, ""},
    {{"GET", "/api/companies/{company_id}/usage"}, "usage:read"},
    {{"POST", "/api/users/"}, "users:write"},
    {{"GET", "/api/users/me"}, ""},
    {{"GET", "/api/users/{user_id}"}, "users:read"},
    {{"PUT", "/api/users/{user_id}"}, "users:write"},
    {{"DELETE", "/api/users/{user_id}"}, "users:write"},
    {{"GET", "/api/voices/"}, "agents:read"},
    {{"GET", "/api/voices/{voice_id}"}, "agents:read"},
    {{"GET", "/api/phone-numbers/available"}, "agents:read"},
    {{"GET", "/api/phone-numbers/"}, "agents:read"},
    {{"POST", "/api/phone-numbers/{phone_number_id}/enable-whatsapp"}, "agents:write"},
    {{"GET", "/api/phone-numbers/{phone_number_id}/whatsapp-status"}, "agents:read"},
    {{"POST", "/api/agents/"}, "agents:write"},
    {{"GET", "/api/agents/"}, "agents:read"},
    {{"GET", "/api/agents/{agent_id}"}, "agents:read"},
    {{"PUT", "/api/agents/{agent_id}"}, "agents:write"},
    {{"DELETE", "/api/agents/{agent_id}"}, "agents:write"},
    {{"POST", "/api/agents/{agent_id}/publish"}, "agents:write"},
    {{"POST", "/api/agents/{agent_id}/pause"}, "agents:write"},
    {{"POST", "/api/agents/{agent_id}/resume"}, "agents:write"},
    {{"GET", "/api/agents/{agent_id}/conversations"}, "conversations:read"},
    {{"GET", "/api/agents/{agent_id}/usage"}, "usage:read"},
    {{"GET", "/api/conversations/"}, "conversations:read"},
    {{"GET", "/api/conversations/export"}, "conversations:read"},
    {{"GET", "/api/conversations/{conversation_id}"}, "conversations:read"},
    {{"GET", "/api/conversations/{conversation_id}/audio"}, "conversations:read"},
    {{"POST", "/api/calls/"}, "calls:write"},
    {{"GET", "/api/calls/"}, "calls:read"},
    {{"GET", "/api/calls/{call_id}"}, "calls:read"},
    {{"POST", "/api/calls/{call_id}/cancel"}, "calls:write"},
    {{"GET", "/api/do-not-call/"}, "calls:read"},
    {{"POST", "/api/do-not-call/"}, "calls:write"},
    {{"DELETE", "/api/do-not-call/{phone_number}"}, "calls:write"},
    {{"POST", "/api/campaigns/"}, "campaigns:write"},
    {{"GET", "/api/campaigns/"}, "campaigns:read"},
    {{"GET", "/api/campaigns/{campaign_id}"}, "campaigns:read"},
    {{"POST", "/api/campaigns/{campaign_id}/pause"}, "campaigns:write"},
    {{"POST", "/api/campaigns/{campaign_id}/resume"}, "campaigns:write"},
    {{"POST", "/api/campaigns/{campaign_id}/cancel"}, "campaigns:write"},
    {{"POST", "/api/campaigns/{campaign_id}/recipients"}, "campaigns:write"},
    {{"GET", "/api/campaigns/{campaign_id}/recipients"}, "campaigns:read"},
    {{"POST", "/api/conversations/{conversation_id}/analyze"}, "conversations:write"},
    {{"GET", "/api/usage/summary"}, "usage:read"},
    {{"GET", "/api/usage/daily"}, "usage:read"},
    {{"GET", "/api/usage/analysis"}, "usage:read"},
    {{"GET", "/api/webhooks/"}, "webhooks:read"},
    {{"POST", "/api/webhooks/"}, "webhooks:write"},
    {{"PUT", "/api/webhooks/{webhook_id}"}, "webhooks:write"},
    {{"DELETE", "/api/webhooks/{webhook_id}"}, "webhooks:write"},
    {{"GET", "/api/webhooks/{webhook_id}/deliveries"}, "webhooks:read"},
    {{"POST", "/api/webhooks/{webhook_id}/test"}, "webhooks:write"},
    {{"GET", "/api/providers/"}, "providers:write"},
    {{"POST", "/api/providers/{slug}/credentials"}, "providers:write"},
    {{"DELETE", "/api/providers/{slug}/credentials"}, "providers:write"},
    {{"POST", "/api/keys/"}, "keys:write"},
    {{"GET", "/api/keys/"}, "keys:write"},
    {{"DELETE", "/api/keys/{key_id}"}, "keys:write"},
    {{"GET", "/api/audit-log"}, "audit:read"},
};

const std::vector<std::string> kAllScopes = {
    "agents:read",        "agents:write",        "calls:read", "calls:write",   "campaigns:read", "campaigns:write",
    "conversations:read", "conversations:write", "usage:read", "webhooks:read", "webhooks:write", "providers:write",
    "users:read",         "users:write",         "keys:write", "audit:read"};

// A concrete path for a route template: every parameter an id no resource has.
std::string path_of(const std::string& route) {
  std::string out;
  for (std::size_t i = 0; i < route.size(); ++i) {
    if (route[i] != '{') {
      out += route[i];
      continue;
    }
    out += "999999";
    i = route.find('}', i);
  }
  return out;
}

std::string detail(const Reply& r) { return r.json.is_object() ? std::string(r.json.at("detail").as_string()) : ""; }

}  // namespace

class Keys : public ::testing::Test {
 protected:
  void SetUp() override {
    company = server.create_company("Acme");
    owner = server.create_user(company.key, "owner@acme.com", "owner");
  }

  ManualClock clock{kNow * 1000};
  TestServer server{[](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; }, {}, &clock};
  TestServer::Account company{}, owner{};
};

TEST_F(Keys, CreatedOnceListedWithoutTheKeyAndRevokedAtOnce) {
  auto created = server.post("/api/keys/", company.key,
                             json::object{{"name", "Dashboard"},
                                          {"scopes", json::array{"conversations:read", "agents:read"}},
                                          {"expires_at", "2026-12-31T23:59:59+02:00"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key(created.json.at("key").as_string());
  EXPECT_TRUE(key.starts_with("cxco_key_"));
  EXPECT_EQ(key.size(), 9u + 40u);
  EXPECT_EQ(created.json.at("name"), "Dashboard");
  EXPECT_EQ(created.json.at("prefix"), key.substr(0, 15).c_str());
  // In the order of platform.md, whatever the order asked.
  EXPECT_EQ(created.json.at("scopes"), (json::array{"agents:read", "conversations:read"}));
  EXPECT_TRUE(created.json.at("agent_ids").is_null());
  EXPECT_EQ(created.json.at("expires_at"), "2026-12-31T21:59:59Z");
  EXPECT_EQ(created.json.at("created_at"), util::iso8601(kNow).c_str());
  EXPECT_TRUE(created.json.at("last_used_at").is_null());
  const auto id = created.json.at("id").as_int64();

  auto listed = server.get("/api/keys/", owner.key);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json.as_array().size(), 1u);
  auto expected = created.json.as_object();
  expected.erase("key");
  EXPECT_EQ(listed.json.at(0), expected);
  EXPECT_EQ(listed.body.find(key.substr(15)), std::string::npos) << "the key must never be shown again";

  EXPECT_EQ(server.get("/api/agents/", key).status, 200);
  EXPECT_EQ(server.del("/api/keys/" + std::to_string(id), company.key).status, 204);
  const auto refused = server.get("/api/agents/", key);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json.at("error_type"), "authentication_error");
  EXPECT_TRUE(server.get("/api/keys/", company.key).json.as_array().empty());
  EXPECT_EQ(server.del("/api/keys/" + std::to_string(id), company.key).status, 404);
}

TEST_F(Keys, OnlyCompanyKeysOwnersAndAdminsManageThemAndOnlyNamedKeysAreRevoked) {
  const auto admin = server.create_user(company.key, "admin@acme.com", "admin");
  const auto member = server.create_user(company.key, "member@acme.com", "member");
  for (const auto& manager : {company.key, owner.key, admin.key}) {
    EXPECT_EQ(server.get("/api/keys/", manager).status, 200);
    EXPECT_EQ(server.get("/api/audit-log", manager).status, 200);
  }
  const auto member_list = server.get("/api/keys/", member.key);
  EXPECT_EQ(member_list.status, 403);
  EXPECT_EQ(member_list.json.at("error_type"), "permission_denied");
  EXPECT_EQ(
      server.post("/api/keys/", member.key, json::object{{"name", "x"}, {"scopes", json::array{"agents:read"}}}).status,
      403);
  EXPECT_EQ(server.get("/api/audit-log", member.key).status, 403);

  // A member's role changes at once: the role is read with the key.
  ASSERT_EQ(server.put("/api/users/" + std::to_string(member.id), company.key, json::object{{"role", "admin"}}).status,
            200);
  EXPECT_EQ(server.get("/api/keys/", member.key).status, 200);

  // Company and user keys are not named keys: DELETE /api/keys/{id} does not reach them.
  const auto named = server.create_key(company.key, {"agents:read"});
  for (std::int64_t id = 1; id < named.id; ++id)
    EXPECT_EQ(server.del("/api/keys/" + std::to_string(id), owner.key).status, 404);
  EXPECT_EQ(server.get("/api/users/me", owner.key).status, 200);

  // Another company's keys are not there.
  const auto other = server.create_company("Other");
  EXPECT_EQ(server.del("/api/keys/" + std::to_string(named.id), other.key).status, 404);
  EXPECT_TRUE(server.get("/api/keys/", other.key).json.as_array().empty());
  EXPECT_EQ(server.get("/api/agents/", named.key).status, 200);
}

TEST_F(Keys, CreationIsValidated) {
  auto errors_of = [&](const json::object& body) {
    auto r = server.post("/api/keys/", company.key, body);
    EXPECT_EQ(r.status, 422) << r.body;
    std::set<std::string> locs;
    for (const auto& e : r.json.at("errors").as_array()) {
      std::string loc;
      for (const auto& part : e.at("loc").as_array()) loc += (loc.empty() ? "" : ".") + std::string(part.as_string());
      locs.insert(loc);
    }
    return locs;
  };
  EXPECT_EQ(errors_of({}), (std::set<std::string>{"body.name", "body.scopes"}));
  EXPECT_EQ(errors_of({{"name", ""}, {"scopes", json::array{}}}), (std::set<std::string>{"body.name", "body.scopes"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read", "agents:admin", 7}}}),
            (std::set<std::string>{"body.scopes.1", "body.scopes.2"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"agent_ids", json::array{}}}),
            (std::set<std::string>{"body.agent_ids"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"agent_ids", json::array{1, "2", -3}}}),
            (std::set<std::string>{"body.agent_ids.1", "body.agent_ids.2"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"expires_at", "2026-12-31T23:59:59"}}),
            (std::set<std::string>{"body.expires_at"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"expires_at", "tomorrow"}}),
            (std::set<std::string>{"body.expires_at"}));
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"expires_at", util::iso8601(kNow)}}),
            (std::set<std::string>{"body.expires_at"}));
  // Agents must be the company's.
  EXPECT_EQ(errors_of({{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"agent_ids", json::array{999}}}),
            (std::set<std::string>{"body.agent_ids"}));
  EXPECT_TRUE(server.get("/api/keys/", company.key).json.as_array().empty());
}

TEST_F(Keys, AKeyGrantsNothingItDoesNotHold) {
  server.add_numbers({"+27211230001", "+27211230002"});
  const auto a = server.publish_agent(owner.key, "A");
  const auto b = server.publish_agent(owner.key, "B");
  const auto manager = server.create_key(company.key, {"keys:write", "agents:read"});
  auto more =
      server.post("/api/keys/", manager.key,
                  json::object{{"name", "k"}, {"scopes", json::array{"agents:read", "agents:write", "audit:read"}}});
  EXPECT_EQ(more.status, 403);
  EXPECT_NE(detail(more).find("agents:write, audit:read"), std::string::npos) << more.body;
  EXPECT_EQ(server.post("/api/keys/", manager.key, json::object{{"name", "k"}, {"scopes", json::array{"agents:read"}}})
                .status,
            201);

  const auto limited = server.create_key(company.key, {"keys:write", "agents:read"}, {a.id});
  auto unlimited =
      server.post("/api/keys/", limited.key, json::object{{"name", "k"}, {"scopes", json::array{"agents:read"}}});
  EXPECT_EQ(unlimited.status, 403) << unlimited.body;
  auto other_agent = server.post(
      "/api/keys/", limited.key,
      json::object{{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"agent_ids", json::array{a.id, b.id}}});
  EXPECT_EQ(other_agent.status, 422) << other_agent.body;
  auto narrower = server.post(
      "/api/keys/", limited.key,
      json::object{{"name", "k"}, {"scopes", json::array{"agents:read"}}, {"agent_ids", json::array{a.id}}});
  ASSERT_EQ(narrower.status, 201) << narrower.body;
  EXPECT_EQ(narrower.json.at("agent_ids"), (json::array{a.id}));
}

TEST_F(Keys, EachScopeOpensExactlyItsRoutes) {
  std::map<std::string, std::string> key_of;  // scope -> a key with that scope alone
  for (const auto& scope : kAllScopes) key_of[scope] = server.create_key(company.key, {scope}).key;
  const auto every_scope = server.create_key(company.key, kAllScopes).key;

  int walked = 0;
  for (const auto& route : routed_operations()) {
    if (route.access == api::Access::open) continue;
    const auto expected = kExpectedScopes.find({route.method, route.path});
    // A new route that takes a key needs its decision here (and in src/api/policy.cpp).
    ASSERT_NE(expected, kExpectedScopes.end()) << route.method << " " << route.path << " has no scope decision";
    ++walked;
    const auto name = route.method + " " + route.path;
    const std::string body = route.method == "GET" || route.method == "DELETE" ? "" : "{}";
    if (expected->second.empty()) {
      const auto r = server.request(route.method, path_of(route.path), every_scope, body);
      EXPECT_EQ(r.status, 403) << name << " must refuse scoped keys: " << r.body;
      continue;
    }
    for (const auto& [scope, key] : key_of) {
      const auto r = server.request(route.method, path_of(route.path), key, body);
      if (scope == expected->second) {
        EXPECT_NE(r.status, 401) << name << " with " << scope << ": " << r.body;
        EXPECT_NE(r.status, 403) << name << " with " << scope << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << name << " with " << scope << ": " << r.body;
        EXPECT_NE(detail(r).find(expected->second), std::string::npos) << name << ": " << r.body;
      }
    }
  }
  EXPECT_EQ(walked, static_cast<int>(kExpectedScopes.size())) << "a decision names a route that is not routed";
}

TEST_F(Keys, EndpointsNoScopeOpensRefuseScopedKeysByName) {
  const auto key = server.create_key(company.key, kAllScopes).key;
  for (const auto& path : {std::string("/api/users/me"), "/api/companies/" + std::to_string(company.id)}) {
    const auto r = server.get(path, key);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.json.at("error_type"), "permission_denied");
    EXPECT_NE(detail(r).find("scoped key"), std::string::npos) << r.body;
  }
  const auto admin = server.get("/api/admin/phone-numbers", key);
  EXPECT_EQ(admin.status, 403);
  // Company and user keys keep their behaviour.
  EXPECT_EQ(server.get("/api/users/me", owner.key).status, 200);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(company.id), owner.key).status, 200);
  EXPECT_EQ(server.get("/api/users/me", company.key).status, 403);
  EXPECT_EQ(server.get("/api/agents/", company.key).status, 403);
}

TEST_F(Keys, AKeyLimitedToAnAgentSeesNothingOfTheOthers) {
  server.add_numbers({"+27211230001", "+27211230002"});
  const auto a = server.publish_agent(owner.key, "A");
  const auto b = server.publish_agent(owner.key, "B");
  auto call = [&](const TestServer::LiveAgent& agent) {
    providers::SimulatedCall c;
    c.external_agent_id = agent.external_id;
    c.started_unix = kNow - 600;
    c.duration_seconds = 90;
    const auto r = server.post_call(kSecret, c, kNow);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.at("conversation_id").as_int64();
  };
  const auto conversation_a = call(a), conversation_b = call(b);
  const auto key = server
                       .create_key(company.key,
                                   {"agents:read", "agents:write", "conversations:read", "usage:read", "calls:read",
                                    "calls:write", "campaigns:read", "campaigns:write"},
                                   {a.id})
                       .key;
  const auto agent = [](const TestServer::LiveAgent& x, const std::string& suffix = "") {
    return "/api/agents/" + std::to_string(x.id) + suffix;
  };

  // Agents.
  const auto agents = server.get("/api/agents/", key).json.at("items").as_array();
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].at("id").as_int64(), a.id);
  EXPECT_EQ(server.get(agent(a), key).status, 200);
  for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{{"GET", ""},
                                                                                       {"PUT", ""},
                                                                                       {"DELETE", ""},
                                                                                       {"POST", "/publish"},
                                                                                       {"POST", "/pause"},
                                                                                       {"POST", "/resume"},
                                                                                       {"GET", "/conversations"},
                                                                                       {"GET", "/usage"}}) {
    const auto r = server.request(method, agent(b, suffix), key, method == "PUT" ? R"({"name":"x"})" : "");
    EXPECT_EQ(r.status, 404) << method << " " << suffix << ": " << r.body;
    EXPECT_EQ(r.json.at("error_type"), "not_found");
  }
  EXPECT_EQ(server.get(agent(b), owner.key).json.at("status"), "active") << "B must be untouched";
  const auto create = server.post(
      "/api/agents/", key, json::object{{"name", "C"}, {"personality", "p"}, {"opening_line", "o"}, {"voice_id", 1}});
  EXPECT_EQ(create.status, 403) << create.body;
  EXPECT_EQ(server.request("POST", agent(a, "/pause"), key).status, 200);

  // Conversations.
  const auto conversations = server.get("/api/conversations/", key).json.at("items").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("id").as_int64(), conversation_a);
  EXPECT_TRUE(
      server.get("/api/conversations/?agent_id=" + std::to_string(b.id), key).json.at("items").as_array().empty());
  EXPECT_EQ(server.get("/api/conversations/" + std::to_string(conversation_a), key).status, 200);
  EXPECT_EQ(server.get("/api/conversations/" + std::to_string(conversation_b), key).status, 404);
  EXPECT_EQ(server.get("/api/conversations/" + std::to_string(conversation_a) + "/audio", key).status, 200);
  EXPECT_EQ(server.get("/api/conversations/" + std::to_string(conversation_b) + "/audio", key).status, 404);
  EXPECT_EQ(server.get(agent(a, "/conversations"), key).json.at("items").as_array().size(), 1u);

  // Their numbers.
  const auto numbers = server.get("/api/phone-numbers/", key).json.as_array();
  ASSERT_EQ(numbers.size(), 1u);
  EXPECT_EQ(numbers[0].at("agent_id").as_int64(), a.id);
  const auto number_b = server.get(agent(b), owner.key).json.at("phone_number").at("id").as_int64();
  EXPECT_EQ(server.get("/api/phone-numbers/" + std::to_string(number_b) + "/whatsapp-status", key).status, 404);
  EXPECT_EQ(server.request("POST", "/api/phone-numbers/" + std::to_string(number_b) + "/enable-whatsapp", key).status,
            404);
  EXPECT_EQ(server.get("/api/phone-numbers/" + std::to_string(number_b) + "/whatsapp-status", owner.key)
                .json.at("whatsapp_status"),
            "none");

  // Usage: theirs alone.
  const auto summary = server.get("/api/usage/summary", key).json;
  EXPECT_EQ(summary.at("voice").at("total_conversations").as_int64(), 1);
  ASSERT_EQ(summary.at("by_agent").as_array().size(), 1u);
  EXPECT_EQ(summary.at("by_agent").at(0).at("agent_id").as_int64(), a.id);
  EXPECT_EQ(server.get("/api/usage/summary", owner.key).json.at("voice").at("total_conversations").as_int64(), 2);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(company.id) + "/usage", key)
                .json.at("voice")
                .at("total_conversations")
                .as_int64(),
            1);
  const std::string day = util::utc_date(kNow);
  const auto daily = server.get("/api/usage/daily?start_date=" + day + "&end_date=" + day, key).json;
  EXPECT_EQ(daily.at(0).at("voice").at("total_conversations").as_int64(), 1);
  const auto daily_b =
      server.get("/api/usage/daily?start_date=" + day + "&end_date=" + day + "&agent_id=" + std::to_string(b.id), key)
          .json;
  EXPECT_EQ(daily_b.at(0).at("voice").at("total_conversations").as_int64(), 0);

  // Calls and campaigns: theirs alone, and none can be started for the others.
  ASSERT_EQ(server.request("POST", agent(a, "/resume"), key).status, 200);
  auto place = [&](const std::string& api_key, std::int64_t agent_id) {
    return server.post("/api/calls/", api_key, json::object{{"agent_id", agent_id}, {"to_number", "+27821000009"}});
  };
  auto campaign = [&](const std::string& api_key, std::int64_t agent_id) {
    return server.post("/api/campaigns/", api_key,
                       json::object{{"name", "C"},
                                    {"agent_id", agent_id},
                                    {"start_at", "2099-01-01T00:00:00Z"},
                                    {"recipients", json::array{json::object{{"phone_number", "+27821000008"}}}}});
  };
  // Creates one for A with the key and one for B with the owner's key; the key cannot create one
  // for B and lists A's alone. Answers B's path.
  const auto only_theirs = [&](const auto& create, const std::string& list) {
    const auto of_a = create(key, a.id), of_b = create(owner.key, b.id);
    EXPECT_EQ(of_a.status, 201) << of_a.body;
    EXPECT_EQ(of_b.status, 201) << of_b.body;
    EXPECT_EQ(create(key, b.id).status, 404);
    const auto items = server.get(list, key).json.at("items").as_array();
    EXPECT_EQ(items.size(), 1u);
    if (!items.empty()) {
      EXPECT_EQ(items[0].at("id"), of_a.json.at("id"));
    }
    return list + std::to_string(of_b.json.at("id").as_int64());
  };
  const auto call_b_path = only_theirs(place, "/api/calls/");
  EXPECT_EQ(server.get(call_b_path, key).status, 404);
  EXPECT_EQ(server.request("POST", call_b_path + "/cancel", key).status, 404);
  EXPECT_NE(server.get(call_b_path, owner.key).json.at("status"), "canceled") << "B's call must be untouched";

  const auto campaign_b_path = only_theirs(campaign, "/api/campaigns/");
  EXPECT_EQ(server.get(campaign_b_path, key).status, 404);
  EXPECT_EQ(server.get(campaign_b_path + "/recipients", key).status, 404);
  EXPECT_EQ(server.request("POST", campaign_b_path + "/cancel", key).status, 404);
  EXPECT_EQ(server
                .post(campaign_b_path + "/recipients", key,
                      json::object{{"recipients", json::array{json::object{{"phone_number", "+27821000007"}}}}})
                .status,
            404);
  EXPECT_EQ(server.get(campaign_b_path, owner.key).json.at("status"), "scheduled") << "B's campaign must be untouched";
  EXPECT_EQ(server.get(campaign_b_path, owner.key).json.at("counts").at("total"), 1);
}

TEST_F(Keys, AnExpiredKeyIs401) {
  auto created = server.post(
      "/api/keys/", company.key,
      json::object{
          {"name", "Short-lived"}, {"scopes", json::array{"agents:read"}}, {"expires_at", util::iso8601(kNow + 60)}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key(created.json.at("key").as_string());
  EXPECT_EQ(server.get("/api/agents/", key).status, 200);
  clock.advance_seconds(59);
  EXPECT_EQ(server.get("/api/agents/", key).status, 200);
  clock.advance_seconds(1);
  const auto expired = server.get("/api/agents/", key);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json.at("error_type"), "authentication_error");
  // Still listed, so the company sees what expired.
  EXPECT_EQ(server.get("/api/keys/", company.key).json.as_array().size(), 1u);
}

TEST_F(Keys, LastUseIsRecordedWithinSeconds) {
  const auto key = server.create_key(company.key, {"agents:read"});
  clock.advance_seconds(30);
  ASSERT_EQ(server.get("/api/agents/", key.key).status, 200);
  const auto used_at = util::iso8601(kNow + 30);
  EXPECT_TRUE(eventually([&] {
    return server.get("/api/keys/", company.key).json.at(0).at("last_used_at") == json::value(used_at);
  })) << server.get("/api/keys/", company.key).body;
}

TEST(KeysOnTwoNodes, RevocationTakesEffectAtOnceOnEveryNode) {
  TestServer first;
  TestServer second([&](auto& v) { v["CXCO_DATABASE_URL"] = first.database().url(); });
  const auto company = first.create_company("Acme");
  const auto key = first.create_key(company.key, {"agents:read"});
  ASSERT_EQ(second.get("/api/agents/", key.key).status, 200);
  ASSERT_EQ(first.del("/api/keys/" + std::to_string(key.id), company.key).status, 204);
  EXPECT_EQ(second.get("/api/agents/", key.key).status, 401);
  EXPECT_EQ(first.get("/api/agents/", key.key).status, 401);
}

// A read by a key a node has seen starts on what the key was then; the lookup that goes with the
// read's first statement decides, so changes made on another node govern the very next read.
TEST(KeysOnTwoNodes, ARoleChangedOnOneNodeGovernsTheNextReadOnTheOther) {
  TestServer first;
  TestServer second([&](auto& v) { v["CXCO_DATABASE_URL"] = first.database().url(); });
  const auto company = first.create_company("Acme");
  const auto admin = first.create_user(company.key, "ada@example.com", "admin");
  const std::string user = "/api/users/" + std::to_string(admin.id);
  ASSERT_EQ(second.get("/api/keys/", admin.key).status, 200);

  ASSERT_EQ(first.put(user, company.key, json::object{{"role", "member"}}).status, 200);
  EXPECT_EQ(second.get("/api/keys/", admin.key).status, 403);
  ASSERT_EQ(first.put(user, company.key, json::object{{"role", "admin"}}).status, 200);
  EXPECT_EQ(second.get("/api/keys/", admin.key).status, 200);

  ASSERT_EQ(first.del(user, company.key).status, 204);
  EXPECT_EQ(second.get("/api/users/me", admin.key).status, 401);
}

TEST(KeysOnTwoNodes, ARevokedKeyIs401WhateverTheReadWouldHaveAnswered) {
  TestServer first;
  TestServer second([&](auto& v) { v["CXCO_DATABASE_URL"] = first.database().url(); });
  const auto company = first.create_company("Acme");
  const auto key = first.create_key(company.key, {"agents:read"});
  // Refused before any statement runs, refused for its scope, and not found.
  const std::vector<std::pair<std::string, int>> reads = {
      {"/api/agents/?limit=abc", 422}, {"/api/calls/", 403}, {"/api/agents/999", 404}, {"/api/agents/", 200}};
  for (const auto& [path, status] : reads) ASSERT_EQ(second.get(path, key.key).status, status) << path;

  ASSERT_EQ(first.del("/api/keys/" + std::to_string(key.id), company.key).status, 204);
  for (const auto& [path, status] : reads) {
    const auto refused = second.get(path, key.key);
    EXPECT_EQ(refused.status, 401) << path;
    EXPECT_EQ(refused.json.at("error_type"), "authentication_error") << path;
  }
}

}  // namespace cxco::test
