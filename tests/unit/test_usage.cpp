// Usage arithmetic: rounding happens once, on exact sums, half up.
#include <gtest/gtest.h>

#include "domain/usage.h"
#include "util/time.h"

namespace cxco::domain {
namespace {

UsageTotals totals(std::int64_t conversations, std::int64_t seconds, std::int64_t successful = 0,
                   std::int64_t known = 0) {
  UsageTotals t;
  t.conversations = conversations;
  t.duration_seconds = seconds;
  t.successful = successful;
  t.known_outcomes = known;
  return t;
}

TEST(UsageArithmetic, MinutesAreRoundedHalfUpToOneDecimal) {
  EXPECT_EQ(minutes(0), 0.0);
  EXPECT_EQ(minutes(2), 0.0);   // 0.033
  EXPECT_EQ(minutes(3), 0.1);   // 0.05 exactly: half up
  EXPECT_EQ(minutes(86), 1.4);  // 1.433
  EXPECT_EQ(minutes(87), 1.5);  // 1.45 exactly
  EXPECT_EQ(minutes(120), 2.0);
  EXPECT_EQ(minutes(72342), 1205.7);
  EXPECT_EQ(minutes(3'000'000'000'003), 50'000'000'000.1);
}

TEST(UsageArithmetic, AverageDurationAndSuccessRate) {
  EXPECT_EQ(average_duration_seconds(totals(3, 100)), 33.3);
  EXPECT_EQ(average_duration_seconds(totals(2, 3)), 1.5);
  EXPECT_EQ(average_duration_seconds(totals(0, 0)), std::nullopt);
  EXPECT_EQ(success_rate(totals(5, 0, 1, 3)), 0.3333);
  EXPECT_EQ(success_rate(totals(5, 0, 2, 3)), 0.6667);
  EXPECT_EQ(success_rate(totals(5, 0, 47, 50)), 0.94);
  // Conversations whose outcome is unknown are not failures: no known outcome, no rate.
  EXPECT_EQ(success_rate(totals(5, 0, 0, 0)), std::nullopt);
}

TEST(UsageArithmetic, TotalsAddUp) {
  auto sum = totals(1, 60, 1, 1);
  sum += totals(2, 30, 0, 1);
  EXPECT_EQ(sum.conversations, 3);
  EXPECT_EQ(sum.duration_seconds, 90);
  EXPECT_EQ(sum.successful, 1);
  EXPECT_EQ(sum.known_outcomes, 2);
}

TEST(UsageArithmetic, FirstOfMonth) {
  EXPECT_EQ(first_of_month(*util::parse_date("2026-03-12")), *util::parse_date("2026-03-01"));
  EXPECT_EQ(first_of_month(*util::parse_date("2026-03-01")), *util::parse_date("2026-03-01"));
  EXPECT_EQ(first_of_month(*util::parse_date("2024-02-29")), *util::parse_date("2024-02-01"));
  EXPECT_EQ(first_of_month(*util::parse_date("1999-12-31")), *util::parse_date("1999-12-01"));
}

}  // namespace
}  // namespace cxco::domain
