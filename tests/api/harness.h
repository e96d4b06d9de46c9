// The server in process on port 0 with a database of its own, spoken to over real HTTP.
// CXCO_TEST_BACKEND=postgres runs against CXCO_TEST_POSTGRES_URL, one fresh schema a test.
#pragma once

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "api/api.h"
#include "app/application.h"
#include "app/platform.h"
#include "contract/contract_log.h"
#include "http/client.h"
#include "providers/simulated_post_call.h"

namespace cxco::test {

bool postgres_backend();

// Polls `condition` until it holds or `within` passes, for state that changes in the background.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Starts the real `cxco serve` (CXCO_BINARY) as a child process with exactly `env`, its stderr
// appended to `log`: for tests that kill it with SIGKILL. Returns its pid.
pid_t spawn_server(std::vector<std::string> env, const std::filesystem::path& log);

// A clock tests can move.
class ManualClock final : public util::Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : now_ms_(start_ms) {}
  std::int64_t now_ms() const override { return now_ms_.load(); }
  void advance_seconds(double s) { now_ms_ += static_cast<std::int64_t>(s * 1000); }
  void set_ms(std::int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<std::int64_t> now_ms_;
};

// A database of its own: a temporary SQLite file or a fresh PostgreSQL schema.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  const std::string& url() const { return url_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string url_;
  std::string schema_;
};

// A route of a real api::Api, built by the same constructor the server runs.
struct RoutedOperation {
  std::string method, path;  // the path template as routed, e.g. "/api/agents/{agent_id}"
  api::Access access;
  const api::RoutePolicy* policy;  // from the static table, valid after the Api is gone
};
std::vector<RoutedOperation> routed_operations();

// The platform in process on a database of its own, without the listener and the workers: for
// tests that call the API's handlers or the services directly.
struct TestPlatform {
  TestPlatform();
  TestDatabase db;
  Config config;
  util::SystemClock clock;
  std::unique_ptr<app::Platform> platform;
};

struct Reply {
  int status = 0;
  boost::json::value json;  // null when the body is not JSON
  std::string body;
  http::Fields headers;
  std::string header(std::string_view lower) const;
};

// The locations a 422 names, each as its JSON array text (["body","name"]), in any order.
std::set<std::string> error_locs(const Reply& r);

// The ElevenLabs-Signature header as the provider computes it (providers.md 1.5), written out
// here rather than borrowed from the code under test.
std::string elevenlabs_signature(const std::string& secret, std::int64_t t, const std::string& body);

// Runs request(i) for i in [0, n) on n threads released together, and counts the answers by
// "<status>" for successes and "<status> <error_type>" for errors.
std::map<std::string, int> race(int n, const std::function<Reply(int)>& request);

class TestServer {
 public:
  static constexpr const char* kAdminKey = "test-admin-key-0123456789";

  // `tweak` adjusts the configuration before start (e.g. provider URLs).
  explicit TestServer(std::function<void(std::map<std::string, std::string>&)> tweak = {},
                      app::StartOptions options = {}, util::Clock* clock = nullptr);
  ~TestServer();

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  const TestDatabase& database() const { return db_; }

  // A POST to /api/integrations/ carries a provider's payload: it goes to the contract log too.
  Reply request(const std::string& method, const std::string& path, const std::string& key = "",
                const std::string& body = "", http::Fields headers = {});
  Reply get(const std::string& path, const std::string& key = "") { return request("GET", path, key); }
  Reply post(const std::string& path, const std::string& key, const boost::json::value& body) {
    return request("POST", path, key, boost::json::serialize(body));
  }
  Reply put(const std::string& path, const std::string& key, const boost::json::value& body) {
    return request("PUT", path, key, boost::json::serialize(body));
  }
  Reply del(const std::string& path, const std::string& key = "") { return request("DELETE", path, key); }
  Reply admin(const std::string& method, const std::string& path, const boost::json::value& body = nullptr);

  struct Account {
    std::int64_t id;
    std::string key;
  };
  Account create_company(const std::string& name = "Acme Corp");
  Account create_user(const std::string& company_key, const std::string& email, const std::string& role = "member");
  // A named key with `scopes`, limited to `agent_ids` when there are any, created with
  // `manager_key` (a company key, an owner's or admin's user key, or a key with keys:write).
  Account create_key(const std::string& manager_key, const std::vector<std::string>& scopes,
                     const std::vector<std::int64_t>& agent_ids = {});
  // Adds numbers of one country to the pool through the admin API.
  void add_numbers(const std::vector<std::string>& numbers, const std::string& country = "ZA");
  struct LiveAgent {
    std::int64_t id;
    std::string external_id;  // the voice provider's agent id
  };
  // Creates a draft agent and publishes it (a free number of ZA must be in the pool).
  LiveAgent publish_agent(const std::string& user_key, const std::string& name = "Agent");
  // The voice provider's post-call webhook for `call`, signed with `secret` at `signed_at`.
  Reply post_call(const std::string& secret, const providers::SimulatedCall& call, std::int64_t signed_at);

  void stop();

 private:
  TestDatabase db_;
  std::unique_ptr<app::Application> app_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

}  // namespace cxco::test
