// Usage arithmetic (platform.md section 3 "Conversations and usage"): totals are summed exactly
// in seconds and counts; rounding happens once, when a figure is shown.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/company.h"

namespace cxco::domain {

// What one conversation adds to a rollup, and what rollups add up to.
struct UsageTotals {
  std::int64_t conversations = 0;
  std::int64_t duration_seconds = 0;
  std::int64_t sip_refer_seconds = 0;
  std::int64_t messages = 0;
  std::int64_t successful = 0;
  std::int64_t known_outcomes = 0;  // conversations whose success is known (true or false)
  // The part of conversations and duration_seconds that outbound calls make up.
  std::int64_t outbound_conversations = 0;
  std::int64_t outbound_duration_seconds = 0;

  UsageTotals& operator+=(const UsageTotals& other);
};

// seconds / 60 rounded half up to one decimal: 87 s -> 1.5, 86 s -> 1.4.
double minutes(std::int64_t seconds);
// Mean call length in seconds, one decimal; nullopt without conversations.
std::optional<double> average_duration_seconds(const UsageTotals& totals);
// successful / known outcomes, four decimals; nullopt when no outcome is known.
std::optional<double> success_rate(const UsageTotals& totals);

// Days since the epoch of the first day of the month that `day` is in.
std::int64_t first_of_month(std::int64_t day);

// An inclusive range of UTC days, as days since the epoch.
struct DayRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

struct ChannelTotals {
  UsageTotals voice, whatsapp;
  std::int64_t conversations() const { return voice.conversations + whatsapp.conversations; }
};

struct AgentUsageLine {
  std::int64_t agent_id = 0;
  std::string agent_name;
  ChannelTotals totals;
};

// GET /api/usage/summary and GET /api/companies/{id}/usage.
struct CompanyUsage {
  DayRange period;
  ChannelTotals totals;
  std::int64_t agents_active = 0;        // the company's agents that are active now
  std::vector<AgentUsageLine> by_agent;  // agents with conversations, biggest voice users first
};

// GET /api/agents/{id}/usage.
struct AgentUsage {
  std::int64_t agent_id = 0;
  DayRange period;
  ChannelTotals totals;
};

// GET /api/usage/daily: every day of the range, days without usage as zeros.
struct DailyUsage {
  std::vector<std::pair<std::int64_t, ChannelTotals>> days;  // (day, totals)
};

// Outcome counts of GET /api/usage/analysis.
struct CriterionCounts {
  std::int64_t success = 0, failure = 0, unknown = 0;
};
struct NumberStats {
  std::int64_t count = 0;
  double sum = 0;
  std::optional<double> min, max;
};
struct AnalysisUsage {
  DayRange period;
  std::map<std::string, CriterionCounts> criteria;
  std::map<std::string, std::map<std::string, std::int64_t>> values;  // enum or boolean field -> value -> count
  std::map<std::string, NumberStats> numbers;                         // number or integer field
};

}  // namespace cxco::domain
