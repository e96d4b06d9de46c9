// Analysis, search and export benchmark (docs/performance.md, "Analysis, search and export").
//
// Seeds one company with N conversations over the last D days straight into a SQLite database (or
// the PostgreSQL one --database-url names) through the repository ingestion uses (conversation row,
// full-text entry, analysis rows), with the analysis rollups summed in memory and written once,
// starts the real server on it in process, then measures over HTTP:
//   - GET /api/conversations/?q=... (full-text search) latency, median and p99;
//   - a filtered list page (criteria and a data comparison) latency;
//   - GET /api/conversations/export as CSV: rows per second and the process's RSS before and
//     after (the body is read piece by piece and dropped, so the client holds none of it);
//   - GET /api/usage/analysis over 365 days latency.
// Build and run with bench/analysis_bench.sh; it is not part of the test suite.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "app/application.h"
#include "bench_support.h"
#include "http/client.h"
#include "services/accounts.h"
#include "store/conversations_repo.h"
#include "store/usage_repo.h"
#include "util/log.h"
#include "util/time.h"
#include "wire/serializers.h"

using namespace cxco;
using bench::Clock;
using bench::seconds_since;

namespace {

struct Options {
  std::string dir = "/tmp/cxco-analysis-bench";
  std::int64_t conversations = 1'000'000;
  std::int64_t days = 365;
  int agents = 20;
  int requests = 300;
  bool reuse = false;
  std::string database_url;  // postgresql://... to measure PostgreSQL; empty: SQLite in `dir`
};

Options parse(int argc, char** argv) {
  Options o;
  bench::parse_args(argc, argv,
                    {{"--dir", [&](const std::string& v) { o.dir = v; }},
                     {"--conversations", [&](const std::string& v) { o.conversations = std::stoll(v); }},
                     {"--days", [&](const std::string& v) { o.days = std::stoll(v); }},
                     {"--agents", [&](const std::string& v) { o.agents = std::stoi(v); }},
                     {"--requests", [&](const std::string& v) { o.requests = std::stoi(v); }},
                     {"--database-url", [&](const std::string& v) { o.database_url = v; }}},
                    {{"--reuse", [&] { o.reuse = true; }}});
  return o;
}

// Resident set size of this process (server and client), in MiB.
double rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024;
  return 0;
}

domain::AnalysisSettings settings() {
  domain::AnalysisSettings s;
  s.criteria = {{"resolved", "Resolved", "The caller's question was answered."},
                {"renewal_agreed", "Renewal", "The customer agreed to renew."}};
  s.data_fields = {{"plan", domain::FieldType::string, "The plan asked about.", {"basic", "pro", "enterprise"}},
                   {"seats", domain::FieldType::integer, "Seats needed.", {}},
                   {"callback", domain::FieldType::boolean, "Wants a call back.", {}}};
  return s;
}

const char* const kWords[] = {"invoice", "refund",  "pricing", "upgrade",  "password", "delivery", "cancel",
                              "renewal", "support", "billing", "contract", "discount", "warranty", "outage"};

std::string seed(const Options& o, store::Database& db, std::int64_t today) {
  util::SystemClock clock;
  const auto company = services::Accounts(db, clock).create_company("Bench Co", std::nullopt);
  const auto company_id = company.resource.id;
  const auto now = util::iso8601(today * 86400 + 43200);
  const auto analysis_json = wire::to_json(settings());
  std::vector<std::int64_t> agent_ids;
  db.write([&](store::Tx& tx) {
    for (int a = 0; a < o.agents; ++a)
      agent_ids.push_back(tx.insert(
          "INSERT INTO agents (company_id, name, personality, opening_line, voice_id, language, status, config, "
          "analysis, external_agent_id, created_at, updated_at) VALUES (?, ?, 'Helpful.', 'Hi!', 1, 'en', 'active', "
          "'{\"temperature\":0.7,\"max_call_duration_seconds\":600}', ?, ?, ?, ?) RETURNING id",
          {company_id.value, "Agent " + std::to_string(a), analysis_json, "bench_agent_" + std::to_string(a), now,
           now}));
  });
  const auto s = settings();
  std::mt19937_64 rng(42);
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<domain::AnalysisTally>> rollups;
  constexpr std::int64_t kBatch = 20000;
  const auto started = Clock::now();
  for (std::int64_t done = 0; done < o.conversations;) {
    const auto batch = std::min(kBatch, o.conversations - done);
    db.write([&](store::Tx& tx) {
      for (std::int64_t i = 0; i < batch; ++i) {
        const auto day = today - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(o.days));
        const auto agent = agent_ids[rng() % agent_ids.size()];
        const auto topic = kWords[rng() % std::size(kWords)];
        const auto other = kWords[rng() % std::size(kWords)];
        domain::CallRecord c;
        c.external_id = "bench_conv_" + std::to_string(done + i);
        c.caller_number = "+2782" + std::to_string(1000000 + rng() % 9000000);
        c.started_unix = day * 86400 + static_cast<std::int64_t>(rng() % 86400);
        c.duration_seconds = 20 + static_cast<std::int64_t>(rng() % 600);
        c.status = "completed";
        c.successful = rng() % 10 < 7;
        c.summary = std::string("The caller asked about ") + topic + " and " + other + ".";
        c.transcript = {{"agent", "Hi there! Thanks for calling Acme Corp.", 0},
                        {"user", std::string("I have a question about my ") + topic + ".", 3},
                        {"agent", std::string("Happy to help with your ") + topic + ".", 6},
                        {"user", std::string("Also the ") + other + ", please.", 9}};
        domain::Analysis a;
        a.criteria["resolved"] = {*c.successful ? domain::CriterionResult::success : domain::CriterionResult::failure,
                                  "r"};
        a.criteria["renewal_agreed"] = {rng() % 3 ? domain::CriterionResult::failure : domain::CriterionResult::success,
                                        "r"};
        a.data["plan"] = {std::string(s.data_fields[0].enum_values[rng() % 3]), "r"};
        a.data["seats"] = {static_cast<std::int64_t>(1 + rng() % 50), "r"};
        a.data["callback"] = {rng() % 2 == 0, "r"};
        c.analysis = a;
        store::conversations_repo::insert_call(tx, company_id, agent, c, "elevenlabs", now);
        auto& tallies = rollups[{day, agent}];
        for (auto& t : domain::tallies(a, s)) tallies.push_back(std::move(t));
      }
    });
    done += batch;
    std::fprintf(stderr, "\rseeded %lld/%lld conversations", static_cast<long long>(done),
                 static_cast<long long>(o.conversations));
  }
  // Each (day, agent, kind, item, value) summed in memory and written once, as ingestion's
  // upserts would have left it.
  db.write([&](store::Tx& tx) {
    for (const auto& [key, tallies] : rollups) {
      struct Sum {
        std::int64_t n = 0;
        double total = 0, min = 0, max = 0;
      };
      std::map<std::tuple<std::string, std::string, std::string>, Sum> summed;
      for (const auto& t : tallies) {
        auto [it, fresh] = summed.try_emplace({t.kind, t.item, t.value}, Sum{0, 0, t.number, t.number});
        auto& sum = it->second;
        sum.n += t.n;
        sum.total += t.number;
        sum.min = std::min(sum.min, t.number);
        sum.max = std::max(sum.max, t.number);
      }
      for (const auto& [k, sum] : summed) {
        const bool number = std::get<0>(k) == "number";
        tx.exec(
            "INSERT INTO analysis_daily (company_id, day, agent_id, kind, item, value, n, total, min_value, "
            "max_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {company_id.value, util::date_from_days(key.first), key.second, std::get<0>(k), std::get<1>(k),
             std::get<2>(k), sum.n, sum.total, number ? store::Param(sum.min) : store::Param(nullptr),
             number ? store::Param(sum.max) : store::Param(nullptr)});
      }
    }
  });
  db.write([&](store::Tx& tx) {
    tx.exec(
        "INSERT INTO analysis_monthly (company_id, month, agent_id, kind, item, value, n, total, min_value, max_value) "
        "SELECT company_id, substr(day, 1, 7), agent_id, kind, item, value, SUM(n), SUM(total), MIN(min_value), "
        "MAX(max_value) FROM analysis_daily GROUP BY company_id, substr(day, 1, 7), agent_id, kind, item, value");
  });
  std::fprintf(stderr, "\nseeding took %.1f s\n", seconds_since(started));
  // Conversations are read with a user key.
  return services::Accounts(db, clock).create_user(company_id, "bench@example.com", "Bench", "owner").api_key;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    util::SystemClock clock;
    const auto today = clock.now() / 86400;
    const bench::BenchDatabase database(o.dir, o.database_url);
    const auto company_key = database.seeded(o.reuse, [&](store::Database& db) { return seed(o, db, today); });
    const bench::InProcessServer server(database.url);
    const auto base = server.base();
    std::printf("conversations: %lld over %lld days, %d agents\n", static_cast<long long>(o.conversations),
                static_cast<long long>(o.days), o.agents);

    std::vector<std::string> searches;
    for (const auto* w : kWords) searches.push_back(base + "/api/conversations/?q=" + w);
    for (std::size_t i = 0; i + 1 < std::size(kWords); i += 2)
      searches.push_back(base + "/api/conversations/?q=" + kWords[i] + "%20" + kWords[i + 1]);
    auto l = bench::measure(searches, company_key, o.requests, 20);
    std::printf("search (q=one or two words, first page): median %.2f ms, p99 %.2f ms\n", l.median_ms, l.p99_ms);

    l = bench::measure({base + "/api/conversations/?criteria=resolved:success&data=seats:gte:10",
                        base + "/api/conversations/?criteria=renewal_agreed:success&data=plan:eq:pro",
                        base + "/api/conversations/?agent_id=3&status=completed&direction=inbound"},
                       company_key, o.requests, 20);
    std::printf("filtered list page: median %.2f ms, p99 %.2f ms\n", l.median_ms, l.p99_ms);

    l = bench::measure({base + "/api/usage/analysis?start_date=" + util::date_from_days(today - 364) +
                        "&end_date=" + util::date_from_days(today)},
                       company_key, o.requests, 20);
    std::printf("GET /api/usage/analysis, 365 days: median %.2f ms, p99 %.2f ms\n", l.median_ms, l.p99_ms);

    for (const auto* format : {"csv", "jsonl"}) {
      const auto before = rss_mib();
      http::ClientRequest request;
      request.url = base + "/api/conversations/export?format=" + format;
      request.headers = {{"X-API-Key", company_key}};
      request.max_response_bytes = std::numeric_limits<std::size_t>::max();
      request.timeout = std::chrono::seconds(60);
      const auto t = Clock::now();
      http::Download download(request);
      std::int64_t lines = 0, bytes = 0;
      double peak = before;
      for (auto piece = download.read(); !piece.empty(); piece = download.read()) {
        lines += std::count(piece.begin(), piece.end(), '\n');
        bytes += static_cast<std::int64_t>(piece.size());
        if ((lines & 0xffff) < 64) peak = std::max(peak, rss_mib());
      }
      const auto secs = seconds_since(t);
      peak = std::max(peak, rss_mib());
      if (std::string(format) == "csv") --lines;  // the header
      std::printf("export %s: %lld rows, %.0f MiB in %.1f s = %.0f rows/s; RSS %.0f MiB before, %.0f MiB peak\n",
                  format, static_cast<long long>(lines), static_cast<double>(bytes) / (1024 * 1024), secs,
                  static_cast<double>(lines) / secs, before, peak);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stdout, "error: %s\n", e.what());
    return 1;
  }
}
