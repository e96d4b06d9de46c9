// What the benchmarks in bench/ share: arguments, timing and latency percentiles, the database
// they seed (a SQLite file under --dir, or the PostgreSQL database --database-url names), and
// the real server run in process on it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "config/config.h"
#include "http/client.h"
#include "store/db.h"
#include "store/migrations.h"
#include "util/log.h"

namespace cxco::bench {

using Clock = std::chrono::steady_clock;

constexpr const char* kFernetKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

inline double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Reads `--name value` options through their setters, and the `flags` (no value) through theirs.
inline void parse_args(int argc, char** argv,
                       const std::map<std::string, std::function<void(const std::string&)>>& options,
                       const std::map<std::string, std::function<void()>>& flags = {}) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (const auto flag = flags.find(arg); flag != flags.end()) {
      flag->second();
      continue;
    }
    const auto option = options.find(arg);
    if (option == options.end()) throw std::invalid_argument("unknown argument " + arg);
    if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
    option->second(argv[++i]);
  }
}

struct Latency {
  double median_ms = 0, p99_ms = 0;
  int count = 0;
};

inline Latency latency_of(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  return {at(0.5), at(0.99), static_cast<int>(ms.size())};
}

// `requests` sequential GETs of `urls` in turn with `key`, after `warmup` untimed ones; a
// non-200 answer stops the benchmark.
inline Latency measure(const std::vector<std::string>& urls, const std::string& key, int requests, int warmup) {
  http::ClientRequest request;
  request.headers = {{"X-API-Key", key}};
  for (int i = 0; i < warmup; ++i) {
    request.url = urls[i % urls.size()];
    http::perform(request);
  }
  std::vector<double> ms;
  for (int i = 0; i < requests; ++i) {
    request.url = urls[i % urls.size()];
    const auto t = Clock::now();
    const auto response = http::perform(request);
    ms.push_back(seconds_since(t) * 1000);
    if (response.status != 200)
      throw std::runtime_error(request.url + " answered " + std::to_string(response.status) + ": " + response.body);
  }
  return latency_of(std::move(ms));
}

struct BenchDatabase {
  std::string url;
  std::filesystem::path key_path;  // the seeded company's key, kept for --reuse

  BenchDatabase(const std::string& dir, const std::string& database_url) {
    std::filesystem::create_directories(dir);
    const auto file = std::filesystem::path(dir) / "cxco.db";
    url = database_url.empty() ? "sqlite://" + file.string() : database_url;
    key_path = std::filesystem::path(dir) / (database_url.empty() ? "company.key" : "company.postgres.key");
  }
  bool postgres() const { return url.rfind("sqlite://", 0) != 0; }

  // The key `seed` returned when it last filled the database (reuse), or the key it returns
  // after filling it afresh: emptied (a PostgreSQL database given to a benchmark is its own,
  // made with createdb) and migrated.
  std::string seeded(bool reuse, const std::function<std::string(store::Database&)>& seed) const {
    std::string key;
    if (reuse && std::filesystem::exists(key_path)) {
      std::ifstream in(key_path);
      std::getline(in, key);
      return key;
    }
    if (!postgres())
      for (const auto* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(url.substr(9) + suffix);
    auto db = store::Database::open(url, 1);
    if (postgres()) db->write([](store::Tx& tx) { tx.script("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); });
    store::apply_migrations(*db);
    key = seed(*db);
    std::ofstream(key_path) << key << "\n";
    return key;
  }
};

// The real server on `database_url`, listening on a free loopback port, rate limit off (one key
// asks as fast as it can: measure the server, not the limiter) and access logs sent nowhere
// (they would measure the terminal); stopped and joined however the benchmark leaves.
class InProcessServer {
 public:
  InProcessServer(const std::string& database_url, std::map<std::string, std::string> values = {})
      : server_(configured(database_url, std::move(values)), {}), serving_([this] { server_.run(); }) {}
  ~InProcessServer() {
    server_.stop();
    serving_.join();
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

 private:
  static Config configured(const std::string& database_url, std::map<std::string, std::string> values) {
    values.insert({{"CXCO_LISTEN", "127.0.0.1:0"},
                   {"CXCO_DATABASE_URL", database_url},
                   {"CXCO_ENCRYPTION_KEYS", kFernetKey},
                   {"CXCO_RATE_LIMIT_PER_SECOND", "0"}});
    util::set_log_format(util::LogFormat::text);
    std::freopen("/dev/null", "w", stderr);
    return load_config(values);
  }

  app::Application server_;
  std::thread serving_;
};

}  // namespace cxco::bench
