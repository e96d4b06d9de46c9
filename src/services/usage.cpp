#include "services/usage.h"

#include <algorithm>

#include "domain/errors.h"
#include "store/agents_repo.h"
#include "store/usage_repo.h"

namespace cxco::services {

domain::CompanyUsage Usage::company(domain::CompanyId company, const domain::AgentScope& visible,
                                    domain::DayRange range) {
  return db_.read([&](store::Tx& tx) {
    domain::CompanyUsage usage{
        range, {}, store::agents_repo::count_with_status(tx, company, visible, domain::AgentStatus::active), {}};
    const auto by_agent = store::usage_repo::by_agent(tx, company, visible, range);
    // Names come from a second, small query: joining agents to every rollup row would cost a
    // lookup per day and agent.
    const auto names =
        by_agent.empty() ? std::map<std::int64_t, std::string>() : store::agents_repo::names(tx, company);
    for (const auto& [agent_id, totals] : by_agent) {
      usage.totals.voice += totals.voice;
      usage.totals.whatsapp += totals.whatsapp;
      if (totals.conversations() == 0) continue;
      const auto name = names.find(agent_id);
      usage.by_agent.push_back({agent_id, name == names.end() ? std::string() : name->second, totals});
    }
    // Biggest voice users first, the way a bill is read; ties in id order so pages are stable.
    std::stable_sort(usage.by_agent.begin(), usage.by_agent.end(), [](const auto& a, const auto& b) {
      return a.totals.voice.duration_seconds > b.totals.voice.duration_seconds;
    });
    return usage;
  });
}

domain::AgentUsage Usage::agent(domain::CompanyId company, std::int64_t agent_id, domain::DayRange range) {
  return db_.read([&](store::Tx& tx) {
    if (!store::agents_repo::exists(tx, company, agent_id)) throw ApiError::not_found("Agent not found");
    return domain::AgentUsage{agent_id, range, store::usage_repo::of_agent(tx, company, agent_id, range)};
  });
}

domain::DailyUsage Usage::daily(domain::CompanyId company, const domain::AgentScope& visible,
                                std::optional<std::int64_t> agent_id, domain::DayRange range) {
  const auto days =
      db_.read([&](store::Tx& tx) { return store::usage_repo::by_day(tx, company, visible, agent_id, range); });
  // Every day of the range, so a chart of the answer needs no gap filling.
  domain::DailyUsage usage;
  for (auto day = range.first; day <= range.last; ++day) {
    const auto it = days.find(util::date_from_days(day));
    usage.days.emplace_back(day, it == days.end() ? domain::ChannelTotals{} : it->second);
  }
  return usage;
}

domain::AnalysisUsage Usage::analysis(domain::CompanyId company, const domain::AgentScope& visible,
                                      std::optional<std::int64_t> agent_id, domain::DayRange range) {
  auto usage =
      db_.read([&](store::Tx& tx) { return store::usage_repo::analysis(tx, company, visible, agent_id, range); });
  usage.period = range;
  return usage;
}

}  // namespace cxco::services
