#include "store/usage_repo.h"

#include "store/agent_filter.h"
#include "util/time.h"

namespace cxco::store::usage_repo {

namespace {

// The figures a usage rollup row carries, in the order UsageTotals lists them.
constexpr std::string_view kUsageFigures[] = {
    "conversations", "duration_seconds", "sip_refer_seconds",      "messages",
    "successful",    "known_outcomes",   "outbound_conversations", "outbound_duration_seconds"};

// The upsert that adds a row's figures to `table`'s row for its period (`period` is the day or
// the month column), one text for usage_daily and usage_monthly. One statement on both dialects:
// SQLite 3.24+ and PostgreSQL 9.5+ share this upsert syntax.
std::string usage_upsert(std::string_view table, std::string_view period) {
  const std::string t(table), p(period);
  std::string columns, values, sums;
  for (const auto figure : kUsageFigures) {
    const std::string f(figure);
    columns += ", " + f;
    values += ", ?";
    sums += (sums.empty() ? "" : ", ") + f + " = " + t + "." + f + " + excluded." + f;
  }
  return "INSERT INTO " + t + " (company_id, " + p + ", agent_id, channel" + columns + ") VALUES (?, ?, ?, ?" + values +
         ") ON CONFLICT (company_id, " + p + ", agent_id, channel) DO UPDATE SET " + sums;
}

constexpr std::string_view kSumColumns =
    "SUM(u.conversations) AS conversations, SUM(u.duration_seconds) AS duration_seconds, "
    "SUM(u.sip_refer_seconds) AS sip_refer_seconds, SUM(u.messages) AS messages, SUM(u.successful) AS successful, "
    "SUM(u.known_outcomes) AS known_outcomes, SUM(u.outbound_conversations) AS outbound_conversations, "
    "SUM(u.outbound_duration_seconds) AS outbound_duration_seconds";
constexpr std::string_view kSums = " FROM usage_daily u WHERE u.company_id = ? AND u.day >= ? AND u.day <= ?";
// A range's totals per agent and channel: the partial month at each edge from usage_daily, the
// whole months between from usage_monthly (either part may be empty). Each part scans its
// table's primary key (company, day or month, ...) and carries every figure, so nothing is
// looked up per row; the outer sum adds at most three rows per agent and channel.
constexpr std::string_view kDailyPart = " FROM usage_daily WHERE company_id = ? AND day >= ? AND day <= ?";
constexpr std::string_view kMonthlyPart = " FROM usage_monthly WHERE company_id = ? AND month >= ? AND month <= ?";
constexpr std::string_view kAgentIsUnqualified = " AND agent_id = ?";
constexpr std::string_view kRangeSelect =
    "SELECT agent_id, channel, conversations, duration_seconds, sip_refer_seconds, messages, successful, "
    "known_outcomes, outbound_conversations, outbound_duration_seconds";
constexpr std::string_view kUnionAll = " UNION ALL ";
constexpr std::string_view kRangeOuter = "SELECT u.agent_id, u.channel, ";
constexpr std::string_view kRangeFrom = " FROM (";
constexpr std::string_view kRangeGroup = ") u GROUP BY u.agent_id, u.channel";
constexpr std::string_view kVoiceSecondsOfMonths =
    "SELECT COALESCE(SUM(duration_seconds), 0) AS s FROM usage_monthly WHERE company_id = ? AND month >= ? AND "
    "channel = 'voice'";
constexpr std::string_view kAgentIs = " AND u.agent_id = ?";
constexpr std::string_view kByDay = "SELECT u.day, u.channel, ";
constexpr std::string_view kByDayGroup = " GROUP BY u.day, u.channel";
constexpr std::string_view kVoiceSecondsSince =
    "SELECT COALESCE(SUM(duration_seconds), 0) AS s FROM usage_daily WHERE company_id = ? AND day >= ? AND "
    "channel = 'voice'";

// The upsert that adds tallies to `table`'s row for their period (`period` is the day or the
// month column), one text for analysis_daily and analysis_monthly: counts and sums add up, the
// extremes widen.
std::string analysis_upsert(std::string_view table, std::string_view period) {
  const std::string t(table), p(period);
  return "INSERT INTO " + t + " (company_id, " + p +
         ", agent_id, kind, item, value, n, total, min_value, max_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (company_id, " +
         p + ", agent_id, kind, item, value) DO UPDATE SET n = " + t + ".n + excluded.n, total = " + t +
         ".total + excluded.total, min_value = CASE WHEN " + t + ".min_value IS NULL OR excluded.min_value < " + t +
         ".min_value THEN excluded.min_value ELSE " + t + ".min_value END, max_value = CASE WHEN " + t +
         ".max_value IS NULL OR excluded.max_value > " + t + ".max_value THEN excluded.max_value ELSE " + t +
         ".max_value END";
}

constexpr std::string_view kAnalysisColumns =
    "SELECT u.kind, u.item, u.value, SUM(u.n) AS n, SUM(u.total) AS total, MIN(u.min_value) AS min_value, "
    "MAX(u.max_value) AS max_value";
constexpr std::string_view kAnalysisDays =
    " FROM analysis_daily u WHERE u.company_id = ? AND u.day >= ? AND u.day <= ?";
constexpr std::string_view kAnalysisMonths =
    " FROM analysis_monthly u WHERE u.company_id = ? AND u.month >= ? AND u.month <= ?";
constexpr std::string_view kAnalysisGroup = " GROUP BY u.kind, u.item, u.value";

Params range_params(domain::CompanyId company, domain::DayRange range) {
  return {company.value, util::date_from_days(range.first), util::date_from_days(range.last)};
}

void add_row(domain::ChannelTotals& totals, const Row& r) {
  (r.str("channel") == "whatsapp" ? totals.whatsapp : totals.voice) +=
      domain::UsageTotals{r.i64("conversations"),
                          r.i64("duration_seconds"),
                          r.i64("sip_refer_seconds"),
                          r.i64("messages"),
                          r.i64("successful"),
                          r.i64("known_outcomes"),
                          r.i64("outbound_conversations"),
                          r.i64("outbound_duration_seconds")};
}

// Totals per agent and channel over the range, of the agents `visible` sees (all when null) and
// of `agent_id` alone when given. The range is cut into the whole months it covers, read from
// usage_monthly, and the days before and after them, read from usage_daily; a part with
// nothing to read gets an empty range (lower bound above the upper), so the statement is the
// same for every range.
Result range_totals(Tx& tx, domain::CompanyId company, const domain::AgentScope* visible,
                    std::optional<std::int64_t> agent_id, domain::DayRange range) {
  auto months_first = domain::first_of_month(range.first);
  if (months_first < range.first) months_first = domain::first_of_month(months_first + 31);
  const auto months_end = domain::first_of_month(range.last + 1);  // the day after the last whole month
  std::int64_t head_last = range.last, tail_first = range.last + 1;
  std::string month_low = util::date_from_days(range.last + 1), month_high = util::date_from_days(range.first);
  if (months_first < months_end) {
    head_last = months_first - 1;
    tail_first = months_end;
    month_low = util::date_from_days(months_first);
    month_high = util::date_from_days(domain::first_of_month(months_end - 1));
  }
  struct Part {
    std::string_view from;
    std::string low, high;
  };
  const Part parts[] = {{kDailyPart, util::date_from_days(range.first), util::date_from_days(head_last)},
                        {kMonthlyPart, month_low, month_high},
                        {kDailyPart, util::date_from_days(tail_first), util::date_from_days(range.last)}};
  std::string sql = std::string(kRangeOuter) + std::string(kSumColumns) + std::string(kRangeFrom);
  Params params;
  for (const auto& part : parts) {
    if (&part != parts) sql += kUnionAll;
    sql += kRangeSelect;
    sql += part.from;
    params.insert(params.end(), {company.value, part.low, part.high});
    if (visible) restrict_to_agents(sql, params, "agent_id", *visible);
    if (agent_id) sql += kAgentIsUnqualified, params.emplace_back(*agent_id);
  }
  return tx.query(sql + std::string(kRangeGroup), params);
}

}  // namespace

void add(Tx& tx, domain::CompanyId company, const std::string& day, std::int64_t agent_id, const std::string& channel,
         const domain::UsageTotals& d) {
  static const std::string daily = usage_upsert("usage_daily", "day");
  static const std::string monthly = usage_upsert("usage_monthly", "month");
  for (const auto& [sql, period] : {std::pair{&daily, day}, std::pair{&monthly, day.substr(0, 8) + "01"}})
    tx.exec(*sql, {company.value, period, agent_id, channel, d.conversations, d.duration_seconds, d.sip_refer_seconds,
                   d.messages, d.successful, d.known_outcomes, d.outbound_conversations, d.outbound_duration_seconds});
}

std::map<std::int64_t, domain::ChannelTotals> by_agent(Tx& tx, domain::CompanyId company,
                                                       const domain::AgentScope& visible, domain::DayRange range) {
  std::map<std::int64_t, domain::ChannelTotals> out;
  for (const auto& r : range_totals(tx, company, &visible, std::nullopt, range).rows)
    add_row(out[r.i64("agent_id")], r);
  return out;
}

domain::ChannelTotals of_agent(Tx& tx, domain::CompanyId company, std::int64_t agent_id, domain::DayRange range) {
  domain::ChannelTotals totals;
  for (const auto& r : range_totals(tx, company, nullptr, agent_id, range).rows) add_row(totals, r);
  return totals;
}

std::map<std::string, domain::ChannelTotals> by_day(Tx& tx, domain::CompanyId company,
                                                    const domain::AgentScope& visible,
                                                    std::optional<std::int64_t> agent_id, domain::DayRange range) {
  std::string sql = std::string(kByDay) + std::string(kSumColumns) + std::string(kSums);
  auto params = range_params(company, range);
  restrict_to_agents(sql, params, "u.agent_id", visible);
  if (agent_id) sql += kAgentIs, params.emplace_back(*agent_id);
  std::map<std::string, domain::ChannelTotals> out;
  for (const auto& r : tx.query(sql + std::string(kByDayGroup), params).rows) add_row(out[r.str("day")], r);
  return out;
}

std::int64_t voice_seconds_since(Tx& tx, domain::CompanyId company, std::int64_t first_day) {
  // From the first of a month (the quota's case) whole months answer; from any other day the days do.
  if (first_day == domain::first_of_month(first_day))
    return tx.one(kVoiceSecondsOfMonths, {company.value, util::date_from_days(first_day)})->i64("s");
  return tx.one(kVoiceSecondsSince, {company.value, util::date_from_days(first_day)})->i64("s");
}

void add_analysis(Tx& tx, domain::CompanyId company, const std::string& day, std::int64_t agent_id,
                  const std::vector<domain::AnalysisTally>& tallies, int sign) {
  static const std::string daily = analysis_upsert("analysis_daily", "day");
  static const std::string monthly = analysis_upsert("analysis_monthly", "month");
  const auto month = day.substr(0, 7);
  for (const auto& t : tallies) {
    // A replaced analysis takes back its counts and sums; its extremes stay.
    const bool bounded = t.kind == "number" && sign > 0;
    for (const auto& [sql, period] : {std::pair{&daily, day}, std::pair{&monthly, month}})
      tx.exec(*sql, {company.value, period, agent_id, t.kind, t.item, t.value, sign * t.n, sign * t.number,
                     bounded ? Param(t.number) : Param(nullptr), bounded ? Param(t.number) : Param(nullptr)});
  }
}

namespace {

// Adds the grouped rows of one query (a span of days or of months) to `out`.
void add_rows(domain::AnalysisUsage& out, const Result& rows) {
  for (const auto& r : rows.rows) {
    const auto kind = r.str("kind");
    const auto n = r.i64("n");
    if (n <= 0) continue;  // every analysis of it was replaced
    if (kind == "criterion") {
      auto& c = out.criteria[r.str("item")];
      const auto value = r.str("value");
      (value == "success" ? c.success : value == "failure" ? c.failure : c.unknown) += n;
    } else if (kind == "value") {
      out.values[r.str("item")][r.str("value")] += n;
    } else {
      auto& s = out.numbers[r.str("item")];
      s.count += n;
      s.sum += r.f64("total");
      const auto low = r.opt_f64("min_value"), high = r.opt_f64("max_value");
      if (low && (!s.min || *low < *s.min)) s.min = low;
      if (high && (!s.max || *high > *s.max)) s.max = high;
    }
  }
}

std::int64_t next_month(std::int64_t day) { return domain::first_of_month(domain::first_of_month(day) + 31); }

}  // namespace

domain::AnalysisUsage analysis(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                               std::optional<std::int64_t> agent_id, domain::DayRange range) {
  domain::AnalysisUsage out;
  auto query = [&](std::string_view from, const std::string& first, const std::string& last) {
    std::string sql = std::string(kAnalysisColumns) + std::string(from);
    Params params{company.value, first, last};
    restrict_to_agents(sql, params, "u.agent_id", visible);
    if (agent_id) sql += kAgentIs, params.emplace_back(*agent_id);
    sql += kAnalysisGroup;
    add_rows(out, tx.query(sql, params));
  };
  auto days = [&](std::int64_t first, std::int64_t last) {
    if (first <= last) query(kAnalysisDays, util::date_from_days(first), util::date_from_days(last));
  };
  // Days up to the first whole month, the whole months, then the days after the last.
  auto first_whole = range.first == domain::first_of_month(range.first) ? range.first : next_month(range.first);
  auto after_whole = first_whole;
  while (after_whole <= range.last && next_month(after_whole) - 1 <= range.last) after_whole = next_month(after_whole);
  if (after_whole == first_whole) {
    days(range.first, range.last);
    return out;
  }
  days(range.first, first_whole - 1);
  query(kAnalysisMonths, util::date_from_days(first_whole).substr(0, 7),
        util::date_from_days(after_whole - 1).substr(0, 7));
  days(after_whole, range.last);
  return out;
}

}  // namespace cxco::store::usage_repo
