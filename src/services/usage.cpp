#include "services/usage.h"

#include <algorithm>
#include <map>
#include <vector>

#include "util/time.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

constexpr const char* kSums =
    "SUM(u.conversations) AS conversations, SUM(u.duration_seconds) AS duration_seconds, "
    "SUM(u.sip_refer_seconds) AS sip_refer_seconds, SUM(u.messages) AS messages, SUM(u.successful) AS successful, "
    "SUM(u.known_outcomes) AS known_outcomes FROM usage_daily u";

domain::UsageTotals totals_of(const store::Row& r) {
  return {r.i64("conversations"), r.i64("duration_seconds"), r.i64("sip_refer_seconds"),
          r.i64("messages"),      r.i64("successful"),       r.i64("known_outcomes")};
}

struct ByChannel {
  domain::UsageTotals voice, whatsapp;

  void add(const store::Row& r) { (r.str("channel") == "whatsapp" ? whatsapp : voice) += totals_of(r); }
  std::int64_t conversations() const { return voice.conversations + whatsapp.conversations; }
};

json::value number_or_null(std::optional<double> v) { return v ? json::value(*v) : json::value(nullptr); }

json::object period_json(DayRange range) {
  return {{"start_date", util::date_from_days(range.first)}, {"end_date", util::date_from_days(range.last)}};
}

json::object voice_json(const domain::UsageTotals& t) {
  return {{"total_conversations", t.conversations},
          {"total_minutes", domain::minutes(t.duration_seconds)},
          {"total_sip_refer_minutes", domain::minutes(t.sip_refer_seconds)},
          {"average_duration_seconds", number_or_null(domain::average_duration_seconds(t))},
          {"success_rate", number_or_null(domain::success_rate(t))}};
}

json::object whatsapp_json(const domain::UsageTotals& t) {
  return {{"total_conversations", t.conversations}, {"total_messages", t.messages}};
}

void add_channels(json::object& out, const ByChannel& totals) {
  out["voice"] = voice_json(totals.voice);
  out["whatsapp"] = whatsapp_json(totals.whatsapp);
}

store::Params range_params(std::int64_t company_id, DayRange range) {
  return {company_id, util::date_from_days(range.first), util::date_from_days(range.last)};
}

}  // namespace

void add_usage(store::Tx& tx, std::int64_t company_id, const std::string& day, std::int64_t agent_id,
               const std::string& channel, const domain::UsageTotals& d) {
  // One statement on both dialects: SQLite 3.24+ and PostgreSQL 9.5+ share this upsert syntax.
  tx.exec(
      "INSERT INTO usage_daily (company_id, day, agent_id, channel, conversations, duration_seconds, sip_refer_seconds, "
      "messages, successful, known_outcomes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (company_id, day, agent_id, channel) DO UPDATE SET "
      "conversations = usage_daily.conversations + excluded.conversations, "
      "duration_seconds = usage_daily.duration_seconds + excluded.duration_seconds, "
      "sip_refer_seconds = usage_daily.sip_refer_seconds + excluded.sip_refer_seconds, "
      "messages = usage_daily.messages + excluded.messages, "
      "successful = usage_daily.successful + excluded.successful, "
      "known_outcomes = usage_daily.known_outcomes + excluded.known_outcomes",
      {company_id, day, agent_id, channel, d.conversations, d.duration_seconds, d.sip_refer_seconds, d.messages,
       d.successful, d.known_outcomes});
}

json::object company_usage(store::Tx& tx, std::int64_t company_id, DayRange range) {
  struct AgentTotals {
    std::int64_t id;
    std::string name;
    ByChannel totals;
  };
  std::map<std::int64_t, AgentTotals> agents;
  ByChannel all;
  // Names come from a second, small query: joining agents to every rollup row would cost a
  // lookup per day and agent.
  const auto rows = tx.query(std::string("SELECT u.agent_id, u.channel, ") + kSums +
                                 " WHERE u.company_id = ? AND u.day >= ? AND u.day <= ? GROUP BY u.agent_id, u.channel",
                             range_params(company_id, range));
  for (const auto& r : rows.rows) {
    const auto id = r.i64("agent_id");
    agents.try_emplace(id, AgentTotals{id, {}, {}}).first->second.totals.add(r);
    all.add(r);
  }
  if (!agents.empty())
    for (const auto& r : tx.query("SELECT id, name FROM agents WHERE company_id = ?", {company_id}).rows)
      if (const auto it = agents.find(r.i64("id")); it != agents.end()) it->second.name = r.str("name");

  std::vector<const AgentTotals*> ranked;
  for (const auto& [id, agent] : agents)
    if (agent.totals.conversations() > 0) ranked.push_back(&agent);
  // Biggest voice users first, the way a bill is read; ties in id order so pages are stable.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto* a, const auto* b) {
    return a->totals.voice.duration_seconds > b->totals.voice.duration_seconds;
  });
  json::array by_agent;
  for (const auto* agent : ranked)
    by_agent.push_back(json::object{{"agent_id", agent->id},
                                    {"agent_name", agent->name},
                                    {"voice_minutes", domain::minutes(agent->totals.voice.duration_seconds)},
                                    {"total_conversations", agent->totals.conversations()}});

  json::object out{{"period", period_json(range)}};
  add_channels(out, all);
  out["agents_active"] = static_cast<std::int64_t>(ranked.size());
  out["by_agent"] = std::move(by_agent);
  return out;
}

std::optional<json::object> agent_usage(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id, DayRange range) {
  if (!tx.one("SELECT id FROM agents WHERE company_id = ? AND id = ?", {company_id, agent_id})) return std::nullopt;
  auto params = range_params(company_id, range);
  params.emplace_back(agent_id);
  ByChannel totals;
  for (const auto& r : tx.query(std::string("SELECT u.channel, ") + kSums +
                                    " WHERE u.company_id = ? AND u.day >= ? AND u.day <= ? AND u.agent_id = ? "
                                    "GROUP BY u.channel",
                                params)
                           .rows)
    totals.add(r);
  json::object out{{"agent_id", agent_id}, {"period", period_json(range)}};
  add_channels(out, totals);
  return out;
}

json::array daily_usage(store::Tx& tx, std::int64_t company_id, std::optional<std::int64_t> agent_id, DayRange range) {
  std::string sql = std::string("SELECT u.day, u.channel, ") + kSums +
                    " WHERE u.company_id = ? AND u.day >= ? AND u.day <= ?";
  auto params = range_params(company_id, range);
  if (agent_id) sql += " AND u.agent_id = ?", params.emplace_back(*agent_id);
  sql += " GROUP BY u.day, u.channel";
  std::map<std::string, ByChannel> days;
  for (const auto& r : tx.query(sql, params).rows) days[r.str("day")].add(r);

  // Every day of the range, so a chart of the answer needs no gap filling.
  json::array out;
  const ByChannel none;
  for (auto day = range.first; day <= range.last; ++day) {
    const auto date = util::date_from_days(day);
    const auto it = days.find(date);
    json::object entry{{"date", date}};
    add_channels(entry, it == days.end() ? none : it->second);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace cxco::services
