// Server foundation: HTTP behaviour, errors, admin, companies, users, keys, persistence.
#include <condition_variable>
#include <mutex>

#include "harness.h"
#include "http/server.h"
#include "raw_socket.h"

namespace cxco::test {

namespace json = boost::json;

class Foundation : public ::testing::Test {
 protected:
  TestServer server;
};

TEST_F(Foundation, HealthAndReadiness) {
  auto h = server.get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json.at("status"), "ok");
  auto r = server.get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("status"), "ready");
}

TEST_F(Foundation, UnknownPathIs404AndWrongMethodIs405InErrorShape) {
  auto r = server.get("/api/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json.at("error_type"), "not_found");
  EXPECT_TRUE(r.json.as_object().contains("detail"));

  auto m = server.request("PATCH", "/api/users/me");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.json.at("error_type"), "method_not_allowed");
  EXPECT_NE(m.header("allow").find("GET"), std::string::npos);
}

TEST_F(Foundation, RequestIdIsEchoedOrGenerated) {
  auto echoed = server.request("GET", "/healthz", "", "", {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(echoed.header("x-request-id"), "trace-abc-123");
  auto generated = server.get("/healthz");
  EXPECT_EQ(generated.header("x-request-id").rfind("req_", 0), 0u);
  EXPECT_NE(generated.header("x-request-id"), server.get("/healthz").header("x-request-id"));
}

TEST_F(Foundation, TrailingSlashIsOptional) {
  auto company = server.create_company();
  auto with = server.post("/api/users/", company.key, json::object{{"email", "a@x.io"}, {"name", "A"}});
  auto without = server.post("/api/users", company.key, json::object{{"email", "b@x.io"}, {"name", "B"}});
  EXPECT_EQ(with.status, 201);
  EXPECT_EQ(without.status, 201);
}

TEST_F(Foundation, BodyOverOneMebibyteIs413) {
  auto company = server.create_company();
  const std::string big = "{\"name\":\"" + std::string(1024 * 1024 + 10, 'x') + "\"}";
  auto r = server.request("PUT", "/api/companies/" + std::to_string(company.id), company.key, big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json.at("error_type"), "payload_too_large");
  // The server is still healthy afterwards.
  EXPECT_EQ(server.get("/healthz").status, 200);
}

TEST_F(Foundation, MalformedJsonIs400AndNonObjectIs400) {
  auto company = server.create_company();
  const auto path = "/api/companies/" + std::to_string(company.id);
  auto bad = server.request("PUT", path, company.key, "{\"name\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json.at("error_type"), "invalid_json");
  auto array = server.request("PUT", path, company.key, "[1,2]");
  EXPECT_EQ(array.status, 400);
  EXPECT_EQ(array.json.at("error_type"), "invalid_json");
  std::string deep(10000, '[');
  auto nested = server.request("PUT", path, company.key, "{\"a\":" + deep + "}");
  EXPECT_EQ(nested.status, 400);
}

TEST_F(Foundation, GarbageOnTheSocketGets400AndAClose) {
  auto garbage = raw_exchange(server.port(), "\x01\x02 NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.received.find("400"), std::string::npos);
  EXPECT_TRUE(garbage.closed);

  auto bad_length = raw_exchange(server.port(), "POST /api/users/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  EXPECT_NE(bad_length.received.find("HTTP/1.1 400"), std::string::npos);
  EXPECT_TRUE(bad_length.closed);

  auto huge_length =
      raw_exchange(server.port(), "POST /api/users/ HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");
  EXPECT_NE(huge_length.received.find("HTTP/1.1 413"), std::string::npos);
  EXPECT_EQ(server.get("/healthz").status, 200);
}

TEST_F(Foundation, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  const std::string one = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n";
  const std::string two = "GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n";
  const std::string last = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\nConnection: close\r\n\r\n";
  auto r = raw_exchange(server.port(), one + two + last);
  const auto a = r.received.find("X-Request-Id: first"), b = r.received.find("X-Request-Id: second"),
             c = r.received.find("X-Request-Id: third");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(r.received.find("HTTP/1.1 404"), std::string::npos);
  EXPECT_TRUE(r.closed);
}

TEST_F(Foundation, AdminApiNeedsTheAdminKey) {
  auto none = server.request("POST", "/api/admin/companies", "", "{\"name\":\"X\"}");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json.at("error_type"), "authentication_error");
  auto wrong = server.request("POST", "/api/admin/companies", "", "{\"name\":\"X\"}", {{"X-Admin-Key", "nope"}});
  EXPECT_EQ(wrong.status, 401);
  auto company = server.create_company();
  auto with_company_key = server.post("/api/admin/companies", company.key, json::object{{"name", "X"}});
  EXPECT_EQ(with_company_key.status, 403);
  EXPECT_EQ(with_company_key.json.at("error_type"), "permission_denied");
}

TEST(AdminDisabled, WithoutAnAdminKeyTheAdminApiIs404) {
  TestServer server([](auto& v) { v.erase("CXCO_ADMIN_KEY"); });
  auto r = server.request("POST", "/api/admin/companies", "", "{\"name\":\"X\"}", {{"X-Admin-Key", ""}});
  EXPECT_EQ(r.status, 404);
}

TEST_F(Foundation, CreateCompanyReturnsItWithAKeyShownOnce) {
  auto r = server.admin("POST", "/api/admin/companies",
                        json::object{{"name", "Acme Corp"}, {"settings", json::object{{"default_language", "en"}}}});
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(r.json.at("name"), "Acme Corp");
  EXPECT_EQ(r.json.at("status"), "active");
  EXPECT_EQ(r.json.at("settings").at("default_language"), "en");
  const std::string key(r.json.at("api_key").as_string());
  EXPECT_EQ(key.rfind("cxco_comp_k_", 0), 0u);
  EXPECT_GE(key.size(), 12u + 32u);
  auto got = server.get("/api/companies/" + std::to_string(r.json.at("id").as_int64()), key);
  EXPECT_EQ(got.status, 200);
  EXPECT_FALSE(got.json.as_object().contains("api_key"));
}

TEST_F(Foundation, CreateCompanyValidates) {
  auto r = server.admin("POST", "/api/admin/companies", json::object{{"name", ""}, {"settings", "no"}});
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json.at("error_type"), "validation_error");
  EXPECT_EQ(r.json.at("errors").as_array().size(), 2u);
}

TEST_F(Foundation, RotateKeyRevokesTheOldOneAtOnce) {
  auto company = server.create_company();
  const auto path = "/api/companies/" + std::to_string(company.id);
  ASSERT_EQ(server.get(path, company.key).status, 200);
  auto r = server.admin("POST", "/api/admin/companies/" + std::to_string(company.id) + "/rotate-key");
  ASSERT_EQ(r.status, 200);
  const std::string fresh(r.json.at("api_key").as_string());
  EXPECT_NE(fresh, company.key);
  EXPECT_EQ(server.get(path, company.key).status, 401);
  EXPECT_EQ(server.get(path, fresh).status, 200);
  EXPECT_EQ(server.admin("POST", "/api/admin/companies/999999/rotate-key").status, 404);
}

TEST_F(Foundation, CompanyIsVisibleOnlyToItsOwnKeys) {
  auto acme = server.create_company("Acme");
  auto other = server.create_company("Other");
  auto user = server.create_user(acme.key, "jane@acme.com");
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(acme.id), user.key).status, 200);
  auto foreign = server.get("/api/companies/" + std::to_string(other.id), acme.key);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(foreign.json.at("error_type"), "not_found");
  EXPECT_EQ(server.get("/api/companies/abc", acme.key).status, 422);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(acme.id)).status, 401);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(acme.id), "cxco_comp_k_notakey").status, 401);
}

TEST_F(Foundation, UpdateCompanyIsPartial) {
  auto acme = server.create_company("Acme");
  const auto path = "/api/companies/" + std::to_string(acme.id);
  auto r = server.put(path, acme.key, json::object{{"settings", json::object{{"timezone", "Africa/Johannesburg"}}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("name"), "Acme");
  EXPECT_EQ(r.json.at("settings").at("timezone"), "Africa/Johannesburg");
  r = server.put(path, acme.key, json::object{{"name", "Acme International"}});
  EXPECT_EQ(r.json.at("name"), "Acme International");
  EXPECT_EQ(r.json.at("settings").at("timezone"), "Africa/Johannesburg");
  auto bad = server.put(path, acme.key, json::object{{"name", 5}, {"settings", json::array{}}});
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json.at("errors").as_array().size(), 2u);
  auto other = server.create_company("Other");
  EXPECT_EQ(server.put("/api/companies/" + std::to_string(other.id), acme.key, json::object{{"name", "x"}}).status,
            404);
  EXPECT_EQ(server.get("/api/companies/" + std::to_string(other.id), other.key).json.at("name"), "Other");
}

TEST_F(Foundation, CreateUserIssuesAUserKey) {
  auto acme = server.create_company();
  auto r = server.post("/api/users/", acme.key,
                       json::object{{"email", "jane@acme.com"}, {"name", "Jane"}, {"role", "admin"}});
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(r.json.at("company_id").as_int64(), acme.id);
  EXPECT_EQ(r.json.at("role"), "admin");
  EXPECT_EQ(r.json.at("status"), "active");
  const std::string key(r.json.at("api_key").as_string());
  EXPECT_EQ(key.rfind("cxco_user_k_", 0), 0u);
  auto me = server.get("/api/users/me", key);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json.at("email"), "jane@acme.com");
  EXPECT_FALSE(me.json.as_object().contains("api_key"));
  auto defaulted = server.post("/api/users/", acme.key, json::object{{"email", "bob@acme.com"}, {"name", "Bob"}});
  EXPECT_EQ(defaulted.json.at("role"), "member");
}

TEST_F(Foundation, CreateUserErrors) {
  auto acme = server.create_company();
  auto missing = server.post("/api/users/", acme.key, json::object{{"role", "boss"}});
  ASSERT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json.at("errors").as_array().size(), 3u);  // email, name, role
  auto bad_email = server.post("/api/users/", acme.key, json::object{{"email", "not-an-email"}, {"name", "X"}});
  EXPECT_EQ(bad_email.status, 422);
  EXPECT_EQ(bad_email.json.at("errors").at(0).at("loc").at(1), "email");

  ASSERT_EQ(server.post("/api/users/", acme.key, json::object{{"email", "jane@acme.com"}, {"name", "J"}}).status, 201);
  auto dup = server.post("/api/users/", acme.key, json::object{{"email", "JANE@acme.com"}, {"name", "J2"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.json.at("error_type"), "conflict");
  // The same email in another company is fine.
  auto other = server.create_company("Other");
  EXPECT_EQ(server.post("/api/users/", other.key, json::object{{"email", "jane@acme.com"}, {"name", "J"}}).status, 201);
}

TEST_F(Foundation, KeyTypesAre403WhenWrong) {
  auto acme = server.create_company();
  auto user = server.create_user(acme.key, "jane@acme.com");
  auto me_with_company = server.get("/api/users/me", acme.key);
  EXPECT_EQ(me_with_company.status, 403);
  EXPECT_EQ(me_with_company.json.at("error_type"), "permission_denied");
  EXPECT_EQ(server.post("/api/users/", user.key, json::object{{"email", "x@y.io"}, {"name", "X"}}).status, 403);
  EXPECT_EQ(server.get("/api/users/" + std::to_string(user.id), user.key).status, 403);
  EXPECT_EQ(server.get("/api/users/me").status, 401);
  EXPECT_EQ(server.get("/api/users/me", "garbage").status, 401);
}

TEST_F(Foundation, UsersOfOtherCompaniesAre404) {
  auto acme = server.create_company("Acme");
  auto other = server.create_company("Other");
  auto jane = server.create_user(acme.key, "jane@acme.com");
  const auto path = "/api/users/" + std::to_string(jane.id);
  EXPECT_EQ(server.get(path, acme.key).status, 200);
  EXPECT_EQ(server.get(path, other.key).status, 404);
  EXPECT_EQ(server.put(path, other.key, json::object{{"name", "Hacked"}}).status, 404);
  EXPECT_EQ(server.del(path, other.key).status, 404);
  EXPECT_EQ(server.get(path, acme.key).json.at("name"), "Test User");
  EXPECT_EQ(server.get("/api/users/me", jane.key).status, 200);
}

TEST_F(Foundation, UpdateUserIsPartialAndValidated) {
  auto acme = server.create_company();
  auto jane = server.create_user(acme.key, "jane@acme.com");
  const auto path = "/api/users/" + std::to_string(jane.id);
  auto r = server.put(path, acme.key, json::object{{"role", "owner"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("role"), "owner");
  EXPECT_EQ(r.json.at("name"), "Test User");
  r = server.put(path, acme.key, json::object{{"name", "Jane Smith-Jones"}});
  EXPECT_EQ(r.json.at("name"), "Jane Smith-Jones");
  EXPECT_EQ(r.json.at("role"), "owner");
  EXPECT_EQ(server.put(path, acme.key, json::object{{"role", "god"}}).status, 422);
  EXPECT_EQ(server.put("/api/users/999999", acme.key, json::object{{"name", "X"}}).status, 404);
}

TEST_F(Foundation, DeletedUsersKeyFailsAtOnce) {
  auto acme = server.create_company();
  auto jane = server.create_user(acme.key, "jane@acme.com");
  ASSERT_EQ(server.get("/api/users/me", jane.key).status, 200);
  auto d = server.del("/api/users/" + std::to_string(jane.id), acme.key);
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.body.empty());
  EXPECT_EQ(server.get("/api/users/me", jane.key).status, 401);
  EXPECT_EQ(server.get("/api/users/" + std::to_string(jane.id), acme.key).status, 404);
  EXPECT_EQ(server.del("/api/users/" + std::to_string(jane.id), acme.key).status, 404);
}

TEST(Persistence, DataAndKeysSurviveARestart) {
  TestDatabase db;
  auto config = [&](auto& v) { v["CXCO_DATABASE_URL"] = db.url(); };
  TestServer::Account company{}, user{};
  {
    TestServer first(config);
    company = first.create_company("Durable");
    user = first.create_user(company.key, "keep@durable.io");
  }
  TestServer second(config);
  auto me = second.get("/api/users/me", user.key);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json.at("email"), "keep@durable.io");
  EXPECT_EQ(second.get("/api/companies/" + std::to_string(company.id), company.key).json.at("name"), "Durable");
}

}  // namespace cxco::test

namespace cxco::test {

// SIGTERM (Server::stop): a request already being handled is answered before the server exits;
// new connections are refused.
TEST(GracefulStop, RequestsInFlightAreAnsweredBeforeTheServerExits) {
  std::mutex m;
  std::condition_variable cv;
  bool arrived = false;
  std::thread responder;
  http::Server server(http::ServerLimits{}, [&](http::Request&&, http::Respond respond) {
    {
      std::lock_guard lock(m);
      arrived = true;
    }
    cv.notify_all();
    responder = std::thread([respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the work in flight
      http::Response r;
      r.body = "{\"done\":true}";
      respond(std::move(r));
    });
  });
  server.listen("127.0.0.1:0");
  const auto port = server.port();
  std::thread running([&] { server.run(false); });

  http::ClientResponse answer;
  std::thread client([&] {
    http::ClientRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/slow";
    answer = http::perform(req);
  });
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return arrived; }));
  }
  server.stop();
  client.join();
  running.join();  // run() returns once the answer is written
  responder.join();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "{\"done\":true}");
  EXPECT_EQ(answer.header("connection").value_or(""), "close");

  http::ClientRequest late;
  late.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  late.timeout = std::chrono::milliseconds(1000);
  EXPECT_FALSE(http::perform(late).error.empty());
}

}  // namespace cxco::test
