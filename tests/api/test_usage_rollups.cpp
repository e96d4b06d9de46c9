// Monthly usage rollups (migration 0013, store/usage_repo): usage answers read whole months from
// usage_monthly and the days at a range's edges from usage_daily. These tests hold them to a
// plain sum of the daily rows, for many random ranges across month boundaries, on the
// database the pass runs on (SQLite or PostgreSQL), with and without an agent restriction.
#include <array>
#include <map>
#include <random>

#include "harness.h"
#include "services/accounts.h"
#include "store/migrations.h"
#include "store/usage_repo.h"
#include "util/time.h"

namespace cxco::test {

namespace {

using Figures = std::array<std::int64_t, 8>;

Figures figures(const domain::UsageTotals& t) {
  return {t.conversations, t.duration_seconds, t.sip_refer_seconds,      t.messages,
          t.successful,    t.known_outcomes,   t.outbound_conversations, t.outbound_duration_seconds};
}

// Per agent: voice figures then WhatsApp figures.
using Answer = std::map<std::int64_t, std::pair<Figures, Figures>>;

Answer answer_of(const std::map<std::int64_t, domain::ChannelTotals>& by_agent) {
  Answer out;
  for (const auto& [agent, totals] : by_agent)
    if (totals.conversations() != 0 || figures(totals.voice) != Figures{} || figures(totals.whatsapp) != Figures{})
      out[agent] = {figures(totals.voice), figures(totals.whatsapp)};
  return out;
}

struct DailyRow {
  std::int64_t day, agent;
  bool whatsapp;
  Figures f;
};

class UsageRollups : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::open(database_.url(), 2);
    store::apply_migrations(*db_);
    company_ = services::Accounts(*db_, clock_).create_company("Rollups Co", std::nullopt).resource.id;
    db_->write([&](store::Tx& tx) {
      for (int a = 0; a < 5; ++a)
        agents_.push_back(tx.insert(
            "INSERT INTO agents (company_id, name, personality, opening_line, voice_id, language, status, config, "
            "external_agent_id, created_at, updated_at) VALUES (?, ?, 'Helpful.', 'Hi!', 1, 'en', 'active', '{}', ?, "
            "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z') RETURNING id",
            {company_.value, "Agent " + std::to_string(a), "rollup_agent_" + std::to_string(a)}));
    });
  }

  // Random usage from `first` over `days` days, several additions to some (day, agent,
  // channel) rows, the way ingestion adds one conversation at a time.
  void seed(std::int64_t first, std::int64_t days, int additions) {
    db_->write([&](store::Tx& tx) {
      for (int i = 0; i < additions; ++i) {
        const auto day = first + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(days));
        const auto agent = agents_[rng_() % agents_.size()];
        const bool whatsapp = rng_() % 4 == 0;
        domain::UsageTotals d;
        d.conversations = 1 + static_cast<std::int64_t>(rng_() % 3);
        d.duration_seconds = whatsapp ? 0 : static_cast<std::int64_t>(rng_() % 900);
        d.sip_refer_seconds = whatsapp ? 0 : static_cast<std::int64_t>(rng_() % 100);
        d.messages = static_cast<std::int64_t>(rng_() % 40);
        d.successful = static_cast<std::int64_t>(rng_() % 2);
        d.known_outcomes = d.successful + static_cast<std::int64_t>(rng_() % 2);
        d.outbound_conversations = whatsapp ? 0 : static_cast<std::int64_t>(rng_() % 2);
        d.outbound_duration_seconds = d.outbound_conversations * static_cast<std::int64_t>(rng_() % 300);
        store::usage_repo::add(tx, company_, util::date_from_days(day), agent, whatsapp ? "whatsapp" : "voice", d);
      }
    });
  }

  // Every daily row of the company, read back plainly.
  std::vector<DailyRow> daily_rows() {
    return db_->read([&](store::Tx& tx) {
      std::vector<DailyRow> rows;
      for (const auto& r :
           tx.query("SELECT day, agent_id, channel, conversations, duration_seconds, sip_refer_seconds, messages, "
                    "successful, known_outcomes, outbound_conversations, outbound_duration_seconds FROM usage_daily "
                    "WHERE company_id = ?",
                    {company_.value})
               .rows)
        rows.push_back({*util::parse_date(r.str("day")),
                        r.i64("agent_id"),
                        r.str("channel") == "whatsapp",
                        {r.i64("conversations"), r.i64("duration_seconds"), r.i64("sip_refer_seconds"),
                         r.i64("messages"), r.i64("successful"), r.i64("known_outcomes"),
                         r.i64("outbound_conversations"), r.i64("outbound_duration_seconds")}});
      return rows;
    });
  }

  static Answer expected(const std::vector<DailyRow>& rows, domain::DayRange range, const domain::AgentScope& scope) {
    Answer out;
    for (const auto& row : rows) {
      if (row.day < range.first || row.day > range.last || !scope.allows(row.agent)) continue;
      auto& line = out[row.agent];
      auto& f = row.whatsapp ? line.second : line.first;
      for (std::size_t i = 0; i < f.size(); ++i) f[i] += row.f[i];
    }
    return out;
  }

  // Random ranges (single days, whole months, ranges starting or ending on a month's edge, ranges
  // reaching past the data) compared with the plain sum, for every agent and under restrictions.
  void compare_many(std::int64_t data_first, std::int64_t data_last, int ranges) {
    const auto rows = daily_rows();
    ASSERT_FALSE(rows.empty());
    const std::vector<domain::AgentScope> scopes = {domain::AgentScope(), domain::AgentScope::only({agents_[1]}),
                                                    domain::AgentScope::only({agents_[0], agents_[3], agents_[4]})};
    const auto span = data_last - data_first + 41;
    auto pick = [&] {
      auto day = data_first - 20 + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(span));
      switch (rng_() % 4) {
        case 0: return domain::first_of_month(day);                                   // a month's first day
        case 1: return domain::first_of_month(domain::first_of_month(day) + 31) - 1;  // a month's last day
        default: return day;
      }
    };
    for (int i = 0; i < ranges; ++i) {
      auto a = pick(), b = rng_() % 8 == 0 ? a : pick();
      const domain::DayRange range{std::min(a, b), std::max(a, b)};
      const auto& scope = scopes[static_cast<std::size_t>(i) % scopes.size()];
      const auto where = util::date_from_days(range.first) + ".." + util::date_from_days(range.last);
      const auto by_agent =
          db_->read([&](store::Tx& tx) { return store::usage_repo::by_agent(tx, company_, scope, range); });
      ASSERT_EQ(answer_of(by_agent), expected(rows, range, scope)) << where << " restricted " << scope.restricted();

      const auto agent = agents_[rng_() % agents_.size()];
      const auto of_agent =
          db_->read([&](store::Tx& tx) { return store::usage_repo::of_agent(tx, company_, agent, range); });
      const auto want = expected(rows, range, domain::AgentScope::only({agent}));
      const auto got = answer_of({{agent, of_agent}});
      ASSERT_EQ(got, want) << where << " agent " << agent;

      // The monthly quota's voice seconds, from the first of the month and from any day.
      const auto since = rng_() % 2 ? domain::first_of_month(range.first) : range.first;
      std::int64_t voice_seconds = 0;
      for (const auto& row : rows)
        if (!row.whatsapp && row.day >= since) voice_seconds += row.f[1];
      ASSERT_EQ(db_->read([&](store::Tx& tx) { return store::usage_repo::voice_seconds_since(tx, company_, since); }),
                voice_seconds)
          << "since " << util::date_from_days(since);
    }
  }

  TestDatabase database_;
  util::SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  domain::CompanyId company_{};
  std::vector<std::int64_t> agents_;
  std::mt19937_64 rng_{20261130};
};

}  // namespace

TEST_F(UsageRollups, RangeSumsMatchThePlainSumOfTheDailyRows) {
  // 2025-11-17 to 2026-04-12: parts of November and April, whole months between, a year's turn
  // and February.
  const auto first = *util::parse_date("2025-11-17");
  const auto last = *util::parse_date("2026-04-12");
  seed(first, last - first + 1, 1500);
  compare_many(first, last, 400);
}

TEST_F(UsageRollups, MigrationFillsTheMonthsFromExistingDailyRows) {
  // A database that had daily rows before 0013: the months are built from them.
  const auto first = *util::parse_date("2025-12-20");
  const auto last = *util::parse_date("2026-03-05");
  seed(first, last - first + 1, 600);
  db_->write([&](store::Tx& tx) {
    tx.script("DROP TABLE usage_monthly");
    tx.exec("DELETE FROM schema_migrations WHERE version = 13");
  });
  store::apply_migrations(*db_);
  compare_many(first, last, 150);
  // Ingestion after the migration keeps adding to the months it built.
  seed(first, last - first + 1, 300);
  compare_many(first, last, 150);
}

}  // namespace cxco::test
