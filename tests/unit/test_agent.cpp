// domain::transition: the agent lifecycle of platform.md section 3 "Agents".
#include <gtest/gtest.h>

#include "domain/agent.h"

namespace cxco::domain {

TEST(AgentLifecycle, AllowsExactlyTheDocumentedSteps) {
  using S = AgentStatus;
  using A = AgentAction;
  struct Step {
    S from;
    A action;
    std::optional<S> to;
  };
  const std::vector<Step> table = {
      {S::draft, A::publish, S::active},      {S::active, A::publish, std::nullopt},
      {S::paused, A::publish, std::nullopt},  {S::archived, A::publish, std::nullopt},
      {S::active, A::pause, S::paused},       {S::draft, A::pause, std::nullopt},
      {S::paused, A::pause, std::nullopt},    {S::paused, A::resume, S::active},
      {S::active, A::resume, std::nullopt},   {S::draft, A::resume, std::nullopt},
      {S::draft, A::archive, S::archived},    {S::active, A::archive, S::archived},
      {S::paused, A::archive, S::archived},   {S::archived, A::archive, std::nullopt},
      {S::draft, A::update, S::draft},        {S::active, A::update, S::active},
      {S::archived, A::update, std::nullopt},
  };
  for (const auto& step : table)
    EXPECT_EQ(transition(step.from, step.action), step.to)
        << to_string(step.from) << " " << static_cast<int>(step.action);
}

TEST(AgentLifecycle, RefusalsSayWhy) {
  EXPECT_EQ(refusal(AgentStatus::active, AgentAction::publish),
            "Only a draft agent can be published (status is active)");
  EXPECT_EQ(refusal(AgentStatus::draft, AgentAction::pause), "Cannot pause an agent that is draft");
  EXPECT_EQ(refusal(AgentStatus::archived, AgentAction::update), "An archived agent cannot be changed");
}

TEST(AgentLifecycle, StatusNamesRoundTrip) {
  for (const auto s : {AgentStatus::draft, AgentStatus::active, AgentStatus::paused, AgentStatus::archived})
    EXPECT_EQ(parse_agent_status(to_string(s)), s);
  EXPECT_FALSE(parse_agent_status("deleted").has_value());
  EXPECT_TRUE(is_live(AgentStatus::active));
  EXPECT_TRUE(is_live(AgentStatus::paused));
  EXPECT_FALSE(is_live(AgentStatus::draft));
}

}  // namespace cxco::domain
