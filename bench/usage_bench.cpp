// Usage and ingestion benchmark (docs/performance.md, "Usage and ingestion").
//
// Seeds one company with N conversations spread over the last D days straight into a SQLite
// database, or a PostgreSQL one with --database-url (conversation rows and their daily and monthly
// rollups, as ingestion would have left them), starts
// the real server on it in process, then measures over HTTP:
//   - GET /api/usage/summary latency (median, p99) for a 30-day and a 365-day range;
//   - sustained signed post-call ingestion: conversations stored per second by several clients.
// Build and run with bench/usage_bench.sh; it is not part of the test suite.
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "bench_support.h"
#include "crypto/signatures.h"
#include "domain/usage.h"
#include "http/client.h"
#include "providers/simulated_post_call.h"
#include "services/accounts.h"
#include "store/usage_repo.h"
#include "util/json.h"
#include "util/log.h"
#include "util/time.h"

using namespace cxco;
namespace json = boost::json;
using bench::Clock;
using bench::seconds_since;

namespace {

constexpr const char* kSecret = "wsec_bench";

struct Options {
  std::string dir = "/tmp/cxco-usage-bench";
  std::string database_url;  // postgresql://... to measure PostgreSQL; empty: SQLite in `dir`
  std::int64_t conversations = 1'000'000;
  std::int64_t days = 365;
  int agents = 20;
  int requests = 1000;     // timed summary requests per range
  int ingest = 20000;      // post-call webhooks in the ingestion run
  int ingest_clients = 4;  // concurrent webhook senders
  bool reuse = false;      // keep an already seeded database
};

Options parse(int argc, char** argv) {
  Options o;
  bench::parse_args(argc, argv,
                    {{"--dir", [&](const std::string& v) { o.dir = v; }},
                     {"--database-url", [&](const std::string& v) { o.database_url = v; }},
                     {"--conversations", [&](const std::string& v) { o.conversations = std::stoll(v); }},
                     {"--days", [&](const std::string& v) { o.days = std::stoll(v); }},
                     {"--agents", [&](const std::string& v) { o.agents = std::stoi(v); }},
                     {"--requests", [&](const std::string& v) { o.requests = std::stoi(v); }},
                     {"--ingest", [&](const std::string& v) { o.ingest = std::stoi(v); }},
                     {"--ingest-clients", [&](const std::string& v) { o.ingest_clients = std::stoi(v); }}},
                    {{"--reuse", [&] { o.reuse = true; }}});
  return o;
}

// Rows as the webhook path writes them, in large transactions; rollups summed in memory and
// written once per (day, agent) through the same upsert ingestion uses.
std::string seed(const Options& o, store::Database& db, std::int64_t today) {
  const auto now = util::iso8601(today * 86400 + 43200);
  util::SystemClock clock;
  const auto company = services::Accounts(db, clock).create_company("Bench Co", std::nullopt);
  const auto company_id = company.resource.id.value;
  std::vector<std::int64_t> agent_ids;
  db.write([&](store::Tx& tx) {
    for (int a = 0; a < o.agents; ++a)
      agent_ids.push_back(tx.insert(
          "INSERT INTO agents (company_id, name, personality, opening_line, voice_id, language, status, config, "
          "external_agent_id, created_at, updated_at) VALUES (?, ?, 'Helpful.', 'Hi!', 1, 'en', 'active', "
          "'{\"temperature\":0.7,\"max_call_duration_seconds\":600}', ?, ?, ?) RETURNING id",
          {company_id, "Agent " + std::to_string(a), "bench_agent_" + std::to_string(a), now, now}));
  });

  const std::string transcript =
      R"([{"role":"agent","message":"Hi there! Thanks for calling Acme Corp.","timestamp":0.0},)"
      R"({"role":"user","message":"What does the Pro plan cost?","timestamp":3.0},)"
      R"({"role":"agent","message":"R499 per month.","timestamp":6.0}])";
  const std::string metadata = R"({"provider_status":"done","cost":1800,"llm_tokens":1240})";
  std::mt19937_64 rng(42);
  std::map<std::pair<std::int64_t, std::int64_t>, domain::UsageTotals> rollups;
  constexpr std::int64_t kBatch = 50000;
  const auto started = Clock::now();
  for (std::int64_t done = 0; done < o.conversations;) {
    const auto batch = std::min(kBatch, o.conversations - done);
    db.write([&](store::Tx& tx) {
      for (std::int64_t i = 0; i < batch; ++i) {
        const auto day = today - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(o.days));
        const auto agent = agent_ids[rng() % agent_ids.size()];
        const auto start = day * 86400 + static_cast<std::int64_t>(rng() % 86400);
        const auto duration = 20 + static_cast<std::int64_t>(rng() % 600);
        const auto roll = rng() % 10;
        const std::optional<bool> success = roll < 7   ? std::optional(true)
                                            : roll < 9 ? std::optional(false)
                                                       : std::nullopt;
        const bool transferred = rng() % 5 == 0;
        const auto refer = transferred ? duration / 3 : 0;
        tx.exec(
            "INSERT INTO conversations (company_id, agent_id, channel, caller_number, direction, started_at, ended_at, "
            "duration_seconds, message_count, status, call_successful, sip_refer_destination, sip_refer_seconds, "
            "transcript_summary, source, external_conversation_id, transcript, metadata, created_at) "
            "VALUES (?, ?, 'voice', '+27821234567', 'inbound', ?, ?, ?, 3, 'completed', ?, ?, ?, "
            "'Asked about the Pro plan.', 'elevenlabs', ?, ?, ?, ?)",
            {company_id, agent, util::iso8601(start), util::iso8601(start + duration), duration,
             success ? store::Param(*success) : store::Param(nullptr),
             transferred ? store::Param(std::string("+27115550000")) : store::Param(nullptr), refer,
             "bench_conv_" + std::to_string(done + i), transcript, metadata, util::iso8601(start + duration)});
        auto& r = rollups[{day, agent}];
        r.conversations += 1;
        r.duration_seconds += duration;
        r.sip_refer_seconds += refer;
        r.messages += 3;
        r.successful += success.value_or(false) ? 1 : 0;
        r.known_outcomes += success ? 1 : 0;
      }
    });
    done += batch;
    std::fprintf(stderr, "\rseeded %lld/%lld conversations", static_cast<long long>(done),
                 static_cast<long long>(o.conversations));
  }
  db.write([&](store::Tx& tx) {
    for (const auto& [key, totals] : rollups)
      store::usage_repo::add(tx, company.resource.id, util::date_from_days(key.first), key.second, "voice", totals);
  });
  std::fprintf(stderr, "\nseeding took %.1f s (%zu rollup rows)\n", seconds_since(started), rollups.size());
  return company.api_key;
}

// Days of a range outside the whole calendar months it covers.
std::int64_t edge_days(std::int64_t first, std::int64_t last) {
  auto months_first = domain::first_of_month(first);
  if (months_first < first) months_first = domain::first_of_month(months_first + 31);
  const auto months_end = domain::first_of_month(last + 1);
  return months_first < months_end ? (months_first - first) + (last + 1 - months_end) : last - first + 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    util::SystemClock clock;
    const auto today = clock.now() / 86400;
    const bench::BenchDatabase database(o.dir, o.database_url);
    const auto& url = database.url;
    const auto company_key = database.seeded(o.reuse, [&](store::Database& db) { return seed(o, db, today); });
    const bench::InProcessServer server(url, {{"CXCO_ELEVENLABS_WEBHOOK_SECRET", kSecret}});
    const auto base = server.base();

    std::int64_t agents = 0;  // ingestion posts for the agents the database has, seeded now or earlier
    {
      auto db = store::Database::open(url, 1);
      const auto seeded = db->read([](store::Tx& tx) {
        return *tx.one(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT agent_id) AS agents, MIN(started_at) AS first FROM conversations");
      });
      std::printf("seeded: %lld conversations of %lld agents of one company, since %s\n",
                  static_cast<long long>(seeded.i64("n")), static_cast<long long>(seeded.i64("agents")),
                  seeded.str("first").c_str());
      agents = seeded.i64("agents");
    }
    // 30 and 365 days ending today, then the range inside the seeded days that leaves the most
    // days outside whole months (read from the daily rollups rather than the monthly): the
    // worst case of the month split.
    std::int64_t worst_first = today - o.days + 1, worst_last = today;
    for (auto first = today - o.days + 1; first <= today - o.days + 31; ++first)
      for (auto last = today - 31; last <= today; ++last)
        if (edge_days(first, last) > edge_days(worst_first, worst_last)) worst_first = first, worst_last = last;
    for (const auto& [first, last] :
         {std::pair<std::int64_t, std::int64_t>{today - 29, today}, {today - 364, today}, {worst_first, worst_last}}) {
      const auto path =
          "/api/usage/summary?start_date=" + util::date_from_days(first) + "&end_date=" + util::date_from_days(last);
      const auto l = bench::measure({base + path}, company_key, o.requests, 50);
      std::printf(
          "GET /api/usage/summary, %3lld-day range %s..%s (%lld days outside whole months): median %.2f ms, "
          "p99 %.2f ms (%d requests)\n",
          static_cast<long long>(last - first + 1), util::date_from_days(first).c_str(),
          util::date_from_days(last).c_str(), static_cast<long long>(edge_days(first, last)), l.median_ms, l.p99_ms,
          o.requests);
    }

    // Signed payloads are made up front, so the clients measure the server, not themselves.
    std::vector<std::pair<std::string, std::string>> bodies;
    std::mt19937 rng(7);
    for (int i = 0; i < o.ingest; ++i) {
      providers::SimulatedCall call;
      call.external_agent_id = "bench_agent_" + std::to_string(rng() % static_cast<unsigned>(agents));
      call.agent_number = "+27211234567";
      call.duration_seconds = 20 + rng() % 600;
      call.started_unix = clock.now() - call.duration_seconds - rng() % 3600;
      if (rng() % 5 == 0) call.transfer_to = "+27115550000";
      auto body = util::to_json(providers::simulated_post_call(call));
      auto signature = crypto::sign_elevenlabs(kSecret, clock.now(), body);
      bodies.emplace_back(std::move(body), std::move(signature));
    }
    std::atomic<int> next{0}, stored{0}, failed{0};
    const auto started = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < o.ingest_clients; ++c)
      clients.emplace_back([&] {
        http::ClientRequest request;
        request.method = "POST";
        request.url = base + "/api/integrations/elevenlabs/post-call";
        for (int i = next++; i < static_cast<int>(bodies.size()); i = next++) {
          request.body = bodies[i].first;
          request.headers = {{"Content-Type", "application/json"}, {"ElevenLabs-Signature", bodies[i].second}};
          const auto response = http::perform(request);
          (response.status == 200 && response.body.find("\"stored\"") != std::string::npos ? stored : failed)++;
        }
      });
    for (auto& c : clients) c.join();
    const auto elapsed = seconds_since(started);
    std::printf(
        "signed post-call ingestion: %d conversations in %.1f s = %.0f conversations/s (%d clients, %d failed)\n",
        stored.load(), elapsed, stored.load() / elapsed, o.ingest_clients, failed.load());

    return failed.load() == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("usage_bench: %s\n", e.what());
    return 1;
  }
}
