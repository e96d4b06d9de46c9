// Webhook registration and signed, durable, at-least-once delivery to real local receivers.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <set>

#include "fakes/webhook_receiver.h"
#include "harness.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr const char* kFastSchedule = "0.2,0.2,0.2,0.2,0.2";

auto fast_delivery(const char* schedule = kFastSchedule, const char* timeout = "2") {
  return [=](std::map<std::string, std::string>& v) {
    v["CXCO_WEBHOOK_ALLOW_PRIVATE"] = "1";
    v["CXCO_WEBHOOK_RETRY_SCHEDULE"] = schedule;
    v["CXCO_WEBHOOK_TIMEOUT"] = timeout;
  };
}

// HMAC-SHA256 by Python's standard library: an implementation independent of ours.
std::string python_hmac_hex(const std::string& key, const std::string& message, const std::filesystem::path& dir) {
  const auto file = dir / "signed-message";
  std::ofstream(file, std::ios::binary) << message;
  const std::string cmd =
      "/usr/bin/python3 -c 'import hmac,hashlib,sys; "
      "print(hmac.new(sys.argv[1].encode(), open(sys.argv[2],\"rb\").read(), hashlib.sha256).hexdigest())' " +
      key + " " + file.string();
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[128];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void insert_event(const std::string& db_url, std::int64_t company_id, const std::string& event_id) {
  auto db = store::Database::open(db_url, 1);
  db->write([&](store::Tx& tx) {
    tx.exec(
        "INSERT INTO events (event_id, company_id, type, data, created_at) VALUES (?, ?, 'agent.status_changed', ?, ?)",
        {event_id, company_id, std::string("{\"agent_id\":1,\"previous_status\":\"draft\",\"status\":\"active\"}"),
         std::string("2099-01-01T00:00:00Z")});
  });
}

std::int64_t count_where(const std::string& db_url, const std::string& sql) {
  auto db = store::Database::open(db_url, 1);
  return db->read([&](store::Tx& tx) { return tx.one(sql)->i64("n"); });
}

}  // namespace

class Webhooks : public ::testing::Test {
 protected:
  void start(std::function<void(std::map<std::string, std::string>&)> tweak = fast_delivery()) {
    server = std::make_unique<TestServer>(tweak);
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    server->add_numbers({"+27211234567", "+27211234568"});
  }
  json::object register_hook(const std::string& key, const std::string& url,
                             json::array events = {"agent.status_changed"}, const char* secret = nullptr) {
    json::object body{{"url", url}, {"events", events}};
    if (secret) body["secret"] = secret;
    auto r = server->post("/api/webhooks/", key, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.as_object();
  }
  // Publishing an agent writes one agent.status_changed event.
  std::int64_t publish_agent(const std::string& key) { return server->publish_agent(key).id; }
  json::array attempts(std::int64_t webhook_id) {
    auto r = server->get("/api/webhooks/" + std::to_string(webhook_id) + "/deliveries?limit=100", company.key);
    return r.json.at("items").as_array();
  }

  WebhookReceiver receiver;
  std::unique_ptr<TestServer> server;
  TestServer::Account company{}, user{};
};

TEST_F(Webhooks, RegisterListUpdateDelete) {
  start();
  auto hook =
      register_hook(company.key, "https://hooks.example.com/cxco", {"conversation.completed", "agent.status_changed"});
  EXPECT_EQ(hook.at("status"), "active");
  EXPECT_EQ(hook.at("company_id").as_int64(), company.id);
  EXPECT_EQ(hook.at("events"), (json::array{"conversation.completed", "agent.status_changed"}));
  const std::string secret(hook.at("secret").as_string());
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(secret.size(), 6u + 32u);
  const auto path = "/api/webhooks/" + std::to_string(hook.at("id").as_int64());

  auto list = server->get("/api/webhooks/", company.key);
  ASSERT_EQ(list.json.as_array().size(), 1u);
  EXPECT_FALSE(list.json.at(0).as_object().contains("secret"));
  EXPECT_EQ(list.body.find(secret), std::string::npos);

  auto updated = server->put(path, company.key, json::object{{"status", "disabled"}});
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(updated.json.at("status"), "disabled");
  EXPECT_EQ(updated.json.at("url"), "https://hooks.example.com/cxco");
  updated = server->put(path, company.key, json::object{{"events", json::array{"conversation.transferred"}}});
  EXPECT_EQ(updated.json.at("events"), (json::array{"conversation.transferred"}));
  EXPECT_EQ(updated.json.at("status"), "disabled");

  auto own_secret =
      register_hook(company.key, "https://hooks.example.com/b", {"agent.status_changed"}, "whsec_my_own_secret");
  EXPECT_FALSE(own_secret.contains("secret"));

  auto other = server->create_company("Other");
  EXPECT_EQ(server->put(path, other.key, json::object{{"status", "active"}}).status, 404);
  EXPECT_EQ(server->del(path, other.key).status, 404);
  EXPECT_EQ(server->get(path + "/deliveries", other.key).status, 404);
  EXPECT_TRUE(server->get("/api/webhooks/", other.key).json.as_array().empty());
  EXPECT_EQ(server->get("/api/webhooks/", user.key).status, 403);

  auto d = server->del(path, company.key);
  EXPECT_EQ(d.status, 204);
  EXPECT_EQ(server->del(path, company.key).status, 404);
  EXPECT_EQ(server->get("/api/webhooks/", company.key).json.as_array().size(), 1u);
}

TEST_F(Webhooks, RegistrationValidates) {
  start([](auto&) {});  // CXCO_WEBHOOK_ALLOW_PRIVATE off
  auto post = [&](json::object body) { return server->post("/api/webhooks/", company.key, body); };
  for (const auto* url :
       {"http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest",
        "https://[::1]/x", "https://localhost/x", "https://192.168.1.10/x", "ftp://example.com/x", "not a url"}) {
    auto r = post(json::object{{"url", url}, {"events", json::array{"agent.status_changed"}}});
    EXPECT_EQ(r.status, 422) << url;
    if (r.status == 422) {
      EXPECT_EQ(r.json.at("errors").at(0).at("loc").at(1), "url") << url;
    }
  }
  auto empty = post(json::object{{"url", "https://hooks.example.com/x"}, {"events", json::array{}}});
  EXPECT_EQ(empty.status, 422);
  auto unknown =
      post(json::object{{"url", "https://hooks.example.com/x"}, {"events", json::array{"agent.created", 5}}});
  ASSERT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json.at("errors").as_array().size(), 2u);
  EXPECT_EQ(post(json::object{{"url", "https://hooks.example.com/x"},
                              {"events", json::array{"agent.status_changed"}},
                              {"status", "paused"}})
                .status,
            422);
  EXPECT_EQ(post(json::object{{"url", "https://8.8.8.8/hook"}, {"events", json::array{"agent.status_changed"}}}).status,
            201);
}

TEST_F(Webhooks, DeliversSignedEnvelopes) {
  start();
  auto hook = register_hook(company.key, receiver.url(), {"agent.status_changed"});
  const std::string secret(hook.at("secret").as_string());
  const auto agent_id = publish_agent(user.key);
  ASSERT_TRUE(receiver.wait_for(1));
  const auto got = receiver.received().at(0);
  EXPECT_EQ(got.path, "/hooks/cxco");
  EXPECT_EQ(got.header("content-type"), "application/json");
  EXPECT_EQ(got.header("x-cxco-event"), "agent.status_changed");
  const auto envelope = json::parse(got.body).as_object();
  EXPECT_EQ(got.header("x-cxco-delivery"), envelope.at("id").as_string());
  EXPECT_EQ(envelope.at("id").as_string().subview(0, 4), "evt_");
  EXPECT_EQ(envelope.at("type"), "agent.status_changed");
  EXPECT_EQ(envelope.at("company_id").as_int64(), company.id);
  EXPECT_EQ(envelope.at("created_at").as_string().size(), 20u);
  EXPECT_EQ(envelope.at("data"),
            (json::object{{"agent_id", agent_id}, {"previous_status", "draft"}, {"status", "active"}}));

  // X-CXCo-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>, checked independently.
  const std::string sig = got.header("x-cxco-signature");
  const auto comma = sig.find(",v1=");
  ASSERT_EQ(sig.rfind("t=", 0), 0u);
  ASSERT_NE(comma, std::string::npos);
  const std::string t = sig.substr(2, comma - 2);
  EXPECT_NEAR(std::stoll(t), std::time(nullptr), 60);
  EXPECT_EQ(sig.substr(comma + 4), python_hmac_hex(secret, t + "." + got.body, server->database().dir()));

  ASSERT_TRUE(eventually([&] { return attempts(hook.at("id").as_int64()).size() == 1; }));
  const auto log = attempts(hook.at("id").as_int64());
  EXPECT_EQ(log.at(0).at("outcome"), "succeeded");
  EXPECT_EQ(log.at(0).at("status_code").as_int64(), 200);
  EXPECT_EQ(log.at(0).at("attempt").as_int64(), 1);
  EXPECT_EQ(log.at(0).at("event_id"), envelope.at("id"));
  EXPECT_TRUE(log.at(0).at("next_retry_at").is_null());
}

TEST_F(Webhooks, RetriesUntilTheEndpointRecovers) {
  start();
  receiver.fail_next(2, 500);
  auto hook = register_hook(company.key, receiver.url());
  publish_agent(user.key);
  ASSERT_TRUE(receiver.wait_for(3));
  const auto got = receiver.received();
  EXPECT_EQ(got[0].body, got[2].body);  // every attempt sends the same event
  EXPECT_EQ(got[0].header("x-cxco-delivery"), got[2].header("x-cxco-delivery"));
  ASSERT_TRUE(eventually([&] { return attempts(hook.at("id").as_int64()).size() == 3; }));
  const auto log = attempts(hook.at("id").as_int64());  // newest first
  EXPECT_EQ(log.at(0).at("attempt").as_int64(), 3);
  EXPECT_EQ(log.at(0).at("outcome"), "succeeded");
  EXPECT_EQ(log.at(2).at("attempt").as_int64(), 1);
  EXPECT_EQ(log.at(2).at("outcome"), "failed");
  EXPECT_EQ(log.at(2).at("status_code").as_int64(), 500);
  EXPECT_FALSE(log.at(2).at("next_retry_at").is_null());
  EXPECT_FALSE(receiver.wait_for(4, std::chrono::milliseconds(600)));  // delivered: no more attempts
}

TEST_F(Webhooks, GivesUpAfterTheLastScheduledAttempt) {
  start();
  receiver.answer(503);
  auto hook = register_hook(company.key, receiver.url());
  publish_agent(user.key);
  ASSERT_TRUE(receiver.wait_for(6));
  ASSERT_TRUE(eventually([&] { return attempts(hook.at("id").as_int64()).size() == 6; }));
  EXPECT_FALSE(receiver.wait_for(7, std::chrono::milliseconds(800)));
  const auto log = attempts(hook.at("id").as_int64());
  EXPECT_EQ(log.at(0).at("attempt").as_int64(), 6);
  EXPECT_TRUE(log.at(0).at("next_retry_at").is_null());
  EXPECT_EQ(
      count_where(server->database().url(), "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'failed'"), 1);
}

TEST_F(Webhooks, TimeoutsAndRefusedConnectionsAreRetried) {
  start(fast_delivery(kFastSchedule, "0.3"));
  receiver.delay_next(1, std::chrono::milliseconds(1500));
  auto slow = register_hook(company.key, receiver.url("/slow"));
  auto dead = register_hook(company.key, "http://127.0.0.1:9/closed");  // discard port: nothing listens
  publish_agent(user.key);
  ASSERT_TRUE(eventually([&] {
    auto log = attempts(slow.at("id").as_int64());
    return !log.empty() && log.at(0).at("outcome") == "succeeded";
  }));
  auto slow_log = attempts(slow.at("id").as_int64());
  ASSERT_GE(slow_log.size(), 2u);
  EXPECT_TRUE(slow_log.back().at("status_code").is_null());
  EXPECT_FALSE(slow_log.back().at("error").is_null());
  ASSERT_TRUE(eventually([&] { return attempts(dead.at("id").as_int64()).size() >= 2; }));
  const auto dead_log = attempts(dead.at("id").as_int64());
  EXPECT_EQ(dead_log.back().at("outcome"), "failed");
  EXPECT_FALSE(dead_log.back().at("error").as_string().empty());
}

TEST_F(Webhooks, OnlySubscribedActiveWebhooksOfTheCompanyHear) {
  start();
  WebhookReceiver other_receiver, disabled_receiver, unsubscribed_receiver;
  auto other = server->create_company("Other");
  auto other_user = server->create_user(other.key, "eve@other.io");
  register_hook(other.key, other_receiver.url());
  auto disabled = register_hook(company.key, disabled_receiver.url());
  ASSERT_EQ(server
                ->put("/api/webhooks/" + std::to_string(disabled.at("id").as_int64()), company.key,
                      json::object{{"status", "disabled"}})
                .status,
            200);
  register_hook(company.key, unsubscribed_receiver.url(), {"conversation.completed"});
  register_hook(company.key, receiver.url());
  publish_agent(user.key);
  ASSERT_TRUE(receiver.wait_for(1));
  // The other company's own event reaching its receiver is the barrier for the checks below.
  publish_agent(other_user.key);
  ASSERT_TRUE(other_receiver.wait_for(1));
  EXPECT_EQ(other_receiver.count(), 1u);
  EXPECT_EQ(json::parse(other_receiver.received().at(0).body).at("company_id").as_int64(), other.id);
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(disabled_receiver.count(), 0u);
  EXPECT_EQ(unsubscribed_receiver.count(), 0u);
  EXPECT_EQ(json::parse(receiver.received().at(0).body).at("company_id").as_int64(), company.id);
}

TEST_F(Webhooks, TestEventReachesOnlyThatWebhook) {
  start();
  WebhookReceiver second;
  auto hook = register_hook(company.key, receiver.url());
  register_hook(company.key, second.url());
  auto r = server->request("POST", "/api/webhooks/" + std::to_string(hook.at("id").as_int64()) + "/test", company.key);
  ASSERT_EQ(r.status, 202);
  ASSERT_TRUE(receiver.wait_for(1));
  const auto got = json::parse(receiver.received().at(0).body);
  EXPECT_EQ(got.at("type"), "webhook.test");
  EXPECT_EQ(got.at("id"), r.json.at("event_id"));
  EXPECT_FALSE(receiver.received().at(0).header("x-cxco-signature").empty());
  EXPECT_EQ(second.count(), 0u);
}

TEST_F(Webhooks, PrivateTargetsAreRefusedAtDeliveryToo) {
  start([](auto& v) { v["CXCO_WEBHOOK_RETRY_SCHEDULE"] = "0.1"; });
  // A registration that slipped past the URL check (e.g. DNS that changed): delivery re-checks.
  auto db = store::Database::open(server->database().url(), 1);
  const auto id = db->write([&](store::Tx& tx) {
    return tx.insert(
        "INSERT INTO webhooks (company_id, url, events, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, "
        "?) "
        "RETURNING id",
        {company.id, receiver.url(), std::string("[\"agent.status_changed\"]"), std::string("2000-01-01T00:00:00Z"),
         std::string("2000-01-01T00:00:00Z")});
  });
  publish_agent(user.key);
  ASSERT_TRUE(eventually([&] { return attempts(id).size() == 2; }));
  EXPECT_EQ(receiver.count(), 0u);
  EXPECT_EQ(attempts(id).at(0).at("error"), "destination address not allowed");
}

// The real binary, killed with SIGKILL between attempts, loses nothing on restart.
TEST_F(Webhooks, PendingDeliveriesSurviveSigkill) {
  start();
  receiver.answer(500);
  register_hook(company.key, receiver.url());
  const auto db_url = server->database().url();
  server->stop();

  auto spawn = [&] {
    return spawn_server(
        {"CXCO_DATABASE_URL=" + db_url, "CXCO_LISTEN=127.0.0.1:0",
         "CXCO_ENCRYPTION_KEYS=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", "CXCO_WEBHOOK_ALLOW_PRIVATE=1",
         "CXCO_WEBHOOK_RETRY_SCHEDULE=0.5,0.5,0.5,0.5,0.5", "CXCO_WEBHOOK_TIMEOUT=2"},
        server->database().dir() / "child.log");
  };

  pid_t child = spawn();
  insert_event(db_url, company.id, "evt_sigkill_test_0001");
  // Kill it between attempts: the first one failed and is recorded, the retry is scheduled.
  ASSERT_TRUE(eventually([&] { return count_where(db_url, "SELECT count(*) AS n FROM webhook_attempts") == 1; },
                         std::chrono::seconds(15)));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(count_where(db_url, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'"), 1);

  receiver.answer(200);
  const auto before = receiver.count();
  child = spawn();
  ASSERT_TRUE(receiver.wait_for(before + 1, std::chrono::seconds(20)));
  ASSERT_TRUE(eventually(
      [&] {
        return count_where(db_url, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'") == 1;
      },
      std::chrono::seconds(20)));
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // graceful SIGTERM exits 0
  for (const auto& r : receiver.received()) EXPECT_EQ(json::parse(r.body).at("id"), "evt_sigkill_test_0001");
}

// Two API nodes on one PostgreSQL share the work: every event exactly once at a healthy receiver.
TEST_F(Webhooks, TwoNodesDeliverEachEventOnce) {
  if (!postgres_backend()) GTEST_SKIP() << "several nodes share a database only on PostgreSQL";
  start();
  register_hook(company.key, receiver.url());
  const auto db_url = server->database().url();
  TestServer second([&](auto& v) {
    fast_delivery()(v);
    v["CXCO_DATABASE_URL"] = db_url;
  });
  constexpr int kEvents = 500;
  {
    auto db = store::Database::open(db_url, 1);
    db->write([&](store::Tx& tx) {
      for (int i = 0; i < kEvents; ++i)
        tx.exec(
            "INSERT INTO events (event_id, company_id, type, data, created_at) VALUES (?, ?, 'agent.status_changed', "
            "'{}', ?)",
            {"evt_node_" + std::to_string(i), company.id, std::string("2099-01-01T00:00:00Z")});
    });
  }
  ASSERT_TRUE(eventually(
      [&] {
        return count_where(db_url, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'") ==
               kEvents;
      },
      std::chrono::seconds(60)));
  std::set<std::string> ids;
  for (const auto& r : receiver.received()) ids.insert(std::string(json::parse(r.body).at("id").as_string()));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(receiver.count(), static_cast<std::size_t>(kEvents));
}

}  // namespace cxco::test
