// Scopes and agent restrictions of named keys, their stored forms, quota admission at its edges,
// and the timestamps keys expire at.
#include <gtest/gtest.h>

#include "domain/errors.h"
#include "domain/keys.h"
#include "domain/quotas.h"
#include "util/time.h"

namespace cxco::domain {
namespace {

TEST(Scopes, NamesRoundTripAndTheStoredFormKeepsPlatformOrder) {
  for (int i = 0; i < kScopeCount; ++i) {
    const auto scope = static_cast<Scope>(i);
    EXPECT_EQ(parse_scope(to_string(scope)), scope) << to_string(scope);
  }
  EXPECT_EQ(parse_scope("agents:admin"), std::nullopt);
  EXPECT_EQ(parse_scope("Agents:read"), std::nullopt);
  EXPECT_EQ(to_string(Scope::conversations_read), "conversations:read");
  EXPECT_EQ(to_string(Scope::audit_read), "audit:read");

  const auto set = ScopeSet::from_text("usage:read agents:read unknown:scope");
  EXPECT_EQ(set.text(), "agents:read usage:read");
  EXPECT_TRUE(set.has(Scope::usage_read));
  EXPECT_FALSE(set.has(Scope::agents_write));
  EXPECT_TRUE(ScopeSet::from_text("").empty());
  EXPECT_EQ(ScopeSet::from_text(ScopeSet::all().text()), ScopeSet::all());
  EXPECT_EQ(ScopeSet::all().list().size(), static_cast<std::size_t>(kScopeCount));
  EXPECT_TRUE(ScopeSet::all().includes(set));
  EXPECT_FALSE(set.includes(ScopeSet::all()));
  EXPECT_TRUE(set.includes(ScopeSet::from_text("agents:read")));
}

TEST(AgentScopes, EveryAgentOrOnlyTheNamedOnes) {
  const AgentScope every;
  EXPECT_FALSE(every.restricted());
  EXPECT_TRUE(every.allows(42));
  EXPECT_EQ(every.text(), std::nullopt);
  EXPECT_FALSE(AgentScope::from_text(std::nullopt).restricted());

  const auto some = AgentScope::only({9, 3, 9, 5});
  EXPECT_TRUE(some.restricted());
  EXPECT_EQ(some.ids(), (std::vector<std::int64_t>{3, 5, 9}));
  EXPECT_EQ(some.text(), "3,5,9");
  EXPECT_TRUE(some.allows(5));
  EXPECT_FALSE(some.allows(4));
  EXPECT_EQ(AgentScope::from_text(std::string("3,5,9")).ids(), some.ids());

  EXPECT_TRUE(every.includes(some));
  EXPECT_FALSE(some.includes(every));
  EXPECT_TRUE(some.includes(AgentScope::only({3, 9})));
  EXPECT_FALSE(some.includes(AgentScope::only({3, 4})));
}

TEST(QuotaAdmission, AnAgentCountMayReachItsLimitButNotPassIt) {
  Quotas q;
  EXPECT_NO_THROW(admit_active_agent(q, {1000, 1'000'000}, 0));
  q.max_active_agents = 3;
  EXPECT_NO_THROW(admit_active_agent(q, {2, 0}, 0));  // the third
  try {
    admit_active_agent(q, {3, 0}, 0);
    ADD_FAILURE() << "a fourth agent was admitted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.error_type, "quota_exceeded");
    EXPECT_NE(e.detail.find("max_active_agents"), std::string::npos);
    EXPECT_EQ(e.retry_after_seconds, std::nullopt);
  }
  q.max_active_agents = 0;
  EXPECT_THROW(admit_active_agent(q, {0, 0}, 0), ApiError);
}

TEST(QuotaAdmission, ReachingTheMonthlyVoiceMinutesStopsNewWorkUntilTheMonthEnds) {
  Quotas q;
  q.monthly_voice_minutes = 10;
  const auto now = *util::parse_timestamp_ms("2026-02-27T12:00:00Z") / 1000;
  EXPECT_NO_THROW(admit_active_agent(q, {0, 599}, now));
  try {
    admit_active_agent(q, {0, 600}, now);
    ADD_FAILURE() << "work started with the month's minutes used up";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.error_type, "quota_exceeded");
    EXPECT_NE(e.detail.find("monthly_voice_minutes"), std::string::npos);
    EXPECT_EQ(e.retry_after_seconds, std::optional<std::int64_t>(36 * 3600));  // 2026-03-01T00:00:00Z
  }
}

TEST(QuotaAdmission, TheNextMonthStartsAtMidnightUtcOnTheFirst) {
  auto until_next = [](const char* t) { return seconds_to_next_month(*util::parse_timestamp_ms(t) / 1000); };
  EXPECT_EQ(until_next("2026-03-31T23:59:59Z"), 1);
  EXPECT_EQ(until_next("2026-04-01T00:00:00Z"), 30 * 86400);
  EXPECT_EQ(until_next("2024-02-01T00:00:00Z"), 29 * 86400);  // leap year
  EXPECT_EQ(until_next("2026-12-15T00:00:00Z"), 17 * 86400);  // into January
}

}  // namespace
}  // namespace cxco::domain
