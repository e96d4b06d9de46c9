// Campaign benchmark (docs/performance.md, "Campaigns"): a 100,000-recipient campaign created
// over HTTP (JSON, and a CSV append) and driven to completion by the dialer in simulated mode.
//
// Composes the server as `cxco serve` does (Platform, Api, the webhook dispatcher, the dialer),
// with the 20 MiB request body the campaign routes need (the HTTP layer's per-route limit is
// wired separately), on a fresh SQLite database or a PostgreSQL URL. Measures:
//   - creation time of 100,000 recipients, JSON body and CSV body;
//   - dial decisions per second (recipients finished per second of the run);
//   - GET /api/agents/{id} latency (p50, p99) before and while the dialer runs;
//   - peak RSS of the process.
// Build and run with bench/campaign_bench.sh; it is not part of the test suite.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "app/platform.h"
#include "bench_support.h"
#include "events/dispatcher.h"
#include "http/client.h"
#include "http/server.h"
#include "services/dialer.h"

using namespace cxco;
using bench::Clock;
using bench::Latency;
using bench::seconds_since;

namespace {

struct Options {
  std::string database_url;  // default: a fresh SQLite file under --dir
  std::string dir = "/tmp/cxco-campaign-bench";
  int recipients = 100000;
  double sim_seconds = 0.05;
  int concurrency = 100;  // the campaign's max_concurrency
  int latency_requests = 20000;
  int clients = 2;  // concurrent API clients measuring latency
};

Options parse(int argc, char** argv) {
  Options o;
  bench::parse_args(argc, argv,
                    {{"--database-url", [&](const std::string& v) { o.database_url = v; }},
                     {"--dir", [&](const std::string& v) { o.dir = v; }},
                     {"--recipients", [&](const std::string& v) { o.recipients = std::stoi(v); }},
                     {"--sim-seconds", [&](const std::string& v) { o.sim_seconds = std::stod(v); }},
                     {"--concurrency", [&](const std::string& v) { o.concurrency = std::stoi(v); }},
                     {"--latency-requests", [&](const std::string& v) { o.latency_requests = std::stoi(v); }}});
  return o;
}

std::string number(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+2782%07d", i);  // last digit varies: every simulated outcome occurs
  return buf;
}

// GET `url` from `clients` threads until `requests` are done (or `stop` turns true), timing each.
Latency measure(const std::string& url, const std::string& key, int requests, int clients,
                const std::atomic<bool>* stop = nullptr) {
  std::vector<double> all;
  std::mutex m;
  std::atomic<int> left{requests};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      http::ClientRequest request;
      request.method = "GET";
      request.url = url;
      request.headers = {{"X-API-Key", key}};
      std::vector<double> mine;
      while (left-- > 0 && !(stop && *stop)) {
        const auto t = Clock::now();
        if (http::perform(request).status != 200) throw std::runtime_error("GET failed");
        mine.push_back(seconds_since(t) * 1000);
      }
      std::lock_guard lock(m);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  for (auto& t : threads) t.join();
  return bench::latency_of(std::move(all));
}

http::ClientResponse post(const std::string& url, const std::string& key, const std::string& body,
                          const std::string& content_type) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.timeout = std::chrono::seconds(120);
  request.headers = {{"X-API-Key", key}, {"Content-Type", content_type}};
  request.body = body;
  return http::perform(request);
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  // Access logs would measure the terminal; they go nowhere while timing.
  std::freopen("/dev/null", "w", stderr);
  Config config;
  if (o.database_url.empty()) {
    std::filesystem::remove_all(o.dir);
    std::filesystem::create_directories(o.dir);
    config.database_url = "sqlite://" + o.dir + "/cxco.db";
  } else {
    config.database_url = o.database_url;
  }
  config.encryption_keys = bench::kFernetKey;
  config.sim_call_seconds = o.sim_seconds;
  config.rate_limit_per_second = 0;
  util::SystemClock clock;
  app::Platform platform(config, clock);
  auto services = platform.services();

  // A company, a user, a published agent.
  const auto company = platform.accounts.create_company("Bench Co", std::nullopt);
  const auto user = platform.accounts.create_user(company.resource.id, "bench@example.com", "Bench", "owner");
  platform.catalog.add_numbers({{"+27210000001", "ZA"}});
  const auto agent =
      platform.agents.create(company.resource.id, {"Bench agent", "Helpful.", "Hi!", "en", 1, {}, {}, {}});
  platform.agents.publish(company.resource.id, agent.id, "ZA");

  api::Api api(services, {config.admin_key, 0, 0, "", config.db_pool_size});
  http::ServerLimits limits;
  limits.body_limit = 20 * 1024 * 1024;
  limits.io_threads = 2;
  http::Server server(
      limits, [&](http::Request&& req, http::Respond respond) { api.dispatch(std::move(req), std::move(respond)); });
  server.listen("127.0.0.1:0");
  std::thread serving([&] { server.run(false); });
  const auto base = "http://127.0.0.1:" + std::to_string(server.port());
  const auto& key = user.api_key;
  const auto agent_url = base + "/api/agents/" + std::to_string(agent.id);

  const auto idle = measure(agent_url, key, o.latency_requests, o.clients);

  // JSON: the campaign the dialer will run, due at once (the dialer starts after the timings).
  std::string json = R"({"name":"Bench","agent_id":)" + std::to_string(agent.id) + R"(,"max_concurrency":)" +
                     std::to_string(o.concurrency) +
                     R"(,"retry":{"max_attempts":2,"backoff_seconds":1},"recipients":[)";
  std::string csv = "phone_number,first_name\n";
  for (int i = 0; i < o.recipients; ++i) {
    json += (i ? "," : "") + std::string(R"({"phone_number":")") + number(i) +
            R"(","dynamic_variables":{"first_name":"Jane"}})";
    csv += number(i) + ",Jane\n";
  }
  json += "]}";
  auto t = Clock::now();
  auto created = post(base + "/api/campaigns", key, json, "application/json");
  const double json_seconds = seconds_since(t);
  if (created.status != 201) throw std::runtime_error("create failed: " + created.body.substr(0, 500));

  // CSV: appended to a second campaign that starts next year and is canceled untouched.
  auto empty = post(base + "/api/campaigns", key,
                    R"({"name":"CSV","agent_id":)" + std::to_string(agent.id) +
                        R"(,"start_at":"2099-01-01T00:00:00Z","recipients":[]})",
                    "application/json");
  const auto csv_campaign = empty.body.substr(6, empty.body.find(',') - 6);
  t = Clock::now();
  auto appended = post(base + "/api/campaigns/" + csv_campaign + "/recipients", key, csv, "text/csv");
  const double csv_seconds = seconds_since(t);
  if (appended.status != 200) throw std::runtime_error("CSV append failed: " + appended.body.substr(0, 500));
  post(base + "/api/campaigns/" + csv_campaign + "/cancel", key, "", "application/json");

  // The run: the dialer and the webhook dispatcher as `serve` runs them.
  events::Dispatcher dispatcher(*platform.db, clock, platform.fernet, {});
  services::DialerOptions dialer_options;
  dialer_options.concurrency = std::max(2, config.db_pool_size / 2);  // as `serve` sets it
  dialer_options.call_poll =
      std::chrono::milliseconds(std::clamp<std::int64_t>(static_cast<std::int64_t>(o.sim_seconds * 250), 20, 1000));
  dialer_options.dial_settle = std::chrono::milliseconds(0);
  services::Dialer dialer(*platform.db, clock, *platform.voice, platform.credentials, platform.conversations,
                          dialer_options);
  const auto campaign_id = created.body.substr(6, created.body.find(',') - 6);
  const auto started = Clock::now();
  dispatcher.start();
  dialer.start();
  std::atomic<bool> done{false};
  Latency busy;
  std::thread probe([&] { busy = measure(agent_url, key, 1 << 30, o.clients, &done); });
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto c = services.campaigns.get(company.resource.id, {}, std::stoll(campaign_id));
    std::printf("\r%.0f s: %lld finished, %lld in progress", seconds_since(started),
                static_cast<long long>(c.counts.completed + c.counts.failed + c.counts.skipped),
                static_cast<long long>(c.counts.in_progress));
    std::fflush(stdout);
    if (c.status == domain::CampaignStatus::completed) break;
  }
  const double run_seconds = seconds_since(started);
  done = true;
  probe.join();
  dialer.stop();
  dispatcher.stop();
  const auto finished = services.campaigns.get(company.resource.id, {}, std::stoll(campaign_id));
  server.stop();
  serving.join();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("\n| measurement | result |\n|---|---|\n");
  std::printf("| database | %s |\n", platform.db->dialect() == store::Dialect::sqlite ? "SQLite" : "PostgreSQL");
  std::printf("| create, %d recipients, JSON (%.1f MiB) | %.2f s |\n", o.recipients, json.size() / 1048576.0,
              json_seconds);
  std::printf("| append, %d recipients, CSV (%.1f MiB) | %.2f s |\n", o.recipients, csv.size() / 1048576.0,
              csv_seconds);
  std::printf("| run to completion (%d recipients, max_concurrency %d, %.2f s calls) | %.1f s, %lld calls |\n",
              o.recipients, o.concurrency, o.sim_seconds, run_seconds, static_cast<long long>(finished.usage.calls));
  std::printf("| dial decisions | %.0f recipients finished/s, %.0f calls/s |\n", o.recipients / run_seconds,
              finished.usage.calls / run_seconds);
  std::printf("| `GET /api/agents/{id}` before (%d requests, %d clients) | p50 %.2f ms, p99 %.2f ms |\n", idle.count,
              o.clients, idle.median_ms, idle.p99_ms);
  std::printf("| `GET /api/agents/{id}` while dialing (%d requests) | p50 %.2f ms, p99 %.2f ms |\n", busy.count,
              busy.median_ms, busy.p99_ms);
  std::printf("| peak RSS | %.0f MiB |\n", usage.ru_maxrss / 1024.0);
  return 0;
}
