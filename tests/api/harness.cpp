#include "harness.h"

#include <fcntl.h>
#include <spawn.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>

#include "app/platform.h"
#include "crypto/signatures.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

pid_t spawn_server(std::vector<std::string> env, const std::filesystem::path& log) {
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string bin = CXCO_BINARY, serve = "serve";
  char* argv[] = {bin.data(), serve.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + bin);
  return pid;
}

bool postgres_backend() {
  const char* b = std::getenv("CXCO_TEST_BACKEND");
  return b && std::string(b) == "postgres";
}

namespace {

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex m;
  std::lock_guard lock(m);
  static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 12; ++i) s += kAlnum[rng() % 36];
  return s;
}

std::string postgres_base_url() {
  const char* url = std::getenv("CXCO_TEST_POSTGRES_URL");
  return url ? url : "";
}

}  // namespace

TestDatabase::TestDatabase() {
  dir_ = std::filesystem::temp_directory_path() / ("cxco-test-" + random_suffix());
  std::filesystem::create_directories(dir_);
  if (!postgres_backend()) {
    url_ = "sqlite://" + (dir_ / "cxco.db").string();
    return;
  }
  const auto base = postgres_base_url();
  if (base.empty()) throw std::runtime_error("CXCO_TEST_BACKEND=postgres needs CXCO_TEST_POSTGRES_URL");
  schema_ = "t_" + random_suffix();
  auto admin = store::Database::open(base, 1);
  admin->write([&](store::Tx& tx) { tx.script("CREATE SCHEMA " + schema_); });
  url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
}

TestDatabase::~TestDatabase() {
  if (!schema_.empty()) {
    try {
      auto admin = store::Database::open(postgres_base_url(), 1);
      admin->write([&](store::Tx& tx) { tx.script("DROP SCHEMA " + schema_ + " CASCADE"); });
    } catch (const std::exception&) {
      // Leaves a schema behind in the throwaway test cluster; nothing else to do.
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

TestPlatform::TestPlatform() {
  config.database_url = db.url();
  config.encryption_keys = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
  platform = std::make_unique<app::Platform>(config, clock);
}

std::set<std::string> error_locs(const Reply& r) {
  std::set<std::string> out;
  for (const auto& e : r.json.at("errors").as_array()) out.insert(boost::json::serialize(e.at("loc")));
  return out;
}

std::string elevenlabs_signature(const std::string& secret, std::int64_t t, const std::string& body) {
  return "t=" + std::to_string(t) + ",v0=" + crypto::hmac_sha256_hex(secret, std::to_string(t) + "." + body);
}

std::map<std::string, int> race(int n, const std::function<Reply(int)>& request) {
  std::mutex m;
  std::map<std::string, int> outcomes;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      const auto r = request(i);
      auto outcome = std::to_string(r.status);
      if (r.status >= 300 && r.json.is_object()) outcome += " " + std::string(r.json.at("error_type").as_string());
      std::lock_guard lock(m);
      ++outcomes[outcome];
    });
  for (auto& t : threads) t.join();
  return outcomes;
}

std::vector<RoutedOperation> routed_operations() {
  TestPlatform test;
  auto services = test.platform->services();
  api::Api api(services, {});
  std::vector<RoutedOperation> out;
  api.routes().for_each([&](const std::string& method, const std::string& path, const api::Route& route) {
    out.push_back({method, path, route.access, route.policy});
  });
  return out;
}

std::string Reply::header(std::string_view lower) const {
  for (const auto& [k, v] : headers)
    if (k == lower) return v;
  return {};
}

TestServer::TestServer(std::function<void(std::map<std::string, std::string>&)> tweak, app::StartOptions options,
                       util::Clock* clock) {
  std::map<std::string, std::string> values = {
      {"CXCO_LISTEN", "127.0.0.1:0"}, {"CXCO_DATABASE_URL", db_.url()},
      {"CXCO_ADMIN_KEY", kAdminKey},  {"CXCO_ENCRYPTION_KEYS", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="},
      {"CXCO_DB_POOL_SIZE", "4"},
  };
  if (tweak) tweak(values);
  app_ = std::make_unique<app::Application>(load_config(values), options, clock);
  port_ = app_->port();
  thread_ = std::thread([this] { app_->run(); });
}

TestServer::~TestServer() { stop(); }

void TestServer::stop() {
  if (!thread_.joinable()) return;
  app_->stop();
  thread_.join();
}

std::string TestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

Reply TestServer::request(const std::string& method, const std::string& path, const std::string& key,
                          const std::string& body, http::Fields headers) {
  if (method == "POST" && path.starts_with("/api/integrations/"))
    contract_record_payload(method, path.substr(0, path.find('?')), body);
  http::ClientRequest req;
  req.method = method;
  req.url = url(path);
  req.body = body;
  req.headers = std::move(headers);
  if (!key.empty()) req.headers.emplace_back("X-API-Key", key);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto res = http::perform(req);
  if (!res.error.empty()) throw std::runtime_error("request failed: " + res.error);
  Reply r;
  r.status = res.status;
  r.body = res.body;
  r.headers = res.headers;
  boost::system::error_code ec;
  r.json = json::parse(res.body, ec);
  if (ec) r.json = nullptr;
  return r;
}

Reply TestServer::admin(const std::string& method, const std::string& path, const json::value& body) {
  return request(method, path, "", body.is_null() ? "" : json::serialize(body), {{"X-Admin-Key", kAdminKey}});
}

TestServer::Account TestServer::create_company(const std::string& name) {
  auto r = admin("POST", "/api/admin/companies", json::object{{"name", name}});
  if (r.status != 201) throw std::runtime_error("create company failed: " + r.body);
  return {r.json.at("id").as_int64(), std::string(r.json.at("api_key").as_string())};
}

TestServer::Account TestServer::create_user(const std::string& company_key, const std::string& email,
                                            const std::string& role) {
  auto r = post("/api/users/", company_key, json::object{{"email", email}, {"name", "Test User"}, {"role", role}});
  if (r.status != 201) throw std::runtime_error("create user failed: " + r.body);
  return {r.json.at("id").as_int64(), std::string(r.json.at("api_key").as_string())};
}

TestServer::Account TestServer::create_key(const std::string& manager_key, const std::vector<std::string>& scopes,
                                           const std::vector<std::int64_t>& agent_ids) {
  json::object body{{"name", "Test key"}, {"scopes", json::array(scopes.begin(), scopes.end())}};
  if (!agent_ids.empty()) body["agent_ids"] = json::array(agent_ids.begin(), agent_ids.end());
  auto r = post("/api/keys/", manager_key, body);
  if (r.status != 201) throw std::runtime_error("create key failed: " + r.body);
  return {r.json.at("id").as_int64(), std::string(r.json.at("key").as_string())};
}

void TestServer::add_numbers(const std::vector<std::string>& numbers, const std::string& country) {
  json::array list;
  for (const auto& n : numbers) list.push_back(json::object{{"number", n}, {"country_code", country}});
  auto r = admin("POST", "/api/admin/phone-numbers", json::object{{"numbers", list}});
  if (r.status != 201) throw std::runtime_error("adding numbers failed: " + r.body);
}

TestServer::LiveAgent TestServer::publish_agent(const std::string& user_key, const std::string& name) {
  auto created =
      post("/api/agents/", user_key,
           json::object{{"name", name}, {"personality", "Helpful."}, {"opening_line", "Hi!"}, {"voice_id", 1}});
  if (created.status != 201) throw std::runtime_error("create agent failed: " + created.body);
  const auto id = created.json.at("id").as_int64();
  auto live = request("POST", "/api/agents/" + std::to_string(id) + "/publish", user_key);
  if (live.status != 200) throw std::runtime_error("publish failed: " + live.body);
  return {id, std::string(live.json.at("external_agent_id").as_string())};
}

Reply TestServer::post_call(const std::string& secret, const providers::SimulatedCall& call, std::int64_t signed_at) {
  const auto body = json::serialize(providers::simulated_post_call(call));
  return request("POST", "/api/integrations/elevenlabs/post-call", "", body,
                 {{"ElevenLabs-Signature", crypto::sign_elevenlabs(secret, signed_at, body)}});
}

}  // namespace cxco::test
