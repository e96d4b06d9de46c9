// Analysis ids, list filters as the query string carries them, search words and rollup tallies
// (platform.md section 8).
#include <gtest/gtest.h>

#include "domain/analysis.h"

namespace cxco::domain {

TEST(AnalysisIds, FollowThePattern) {
  for (const auto* good : {"a", "resolved", "renewal_agreed", "x9", "a_1_b"})
    EXPECT_TRUE(valid_analysis_id(good)) << good;
  EXPECT_TRUE(valid_analysis_id(std::string(64, 'a')));
  EXPECT_FALSE(valid_analysis_id(std::string(65, 'a')));
  for (const auto* bad : {"", "1a", "_a", "Resolved", "a-b", "a b", "a.b", "é"})
    EXPECT_FALSE(valid_analysis_id(bad)) << bad;
}

TEST(AnalysisFilters, CriteriaAreIdColonResult) {
  const auto f = parse_criterion_filter("resolved:failure");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "resolved");
  EXPECT_EQ(f->result, CriterionResult::failure);
  for (const auto* bad : {"x", "resolved:", ":success", "resolved:maybe", "Bad:success", "resolved:success:x"})
    EXPECT_FALSE(parse_criterion_filter(bad)) << bad;
}

TEST(AnalysisFilters, DataTakesAnOpAndAValueWhereItNeedsOne) {
  auto eq = parse_data_filter("email:eq:jo@example.com:work");
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->op, DataOp::eq);
  EXPECT_EQ(eq->text, "jo@example.com:work");  // the value may hold colons
  EXPECT_FALSE(eq->number);
  auto gt = parse_data_filter("seats:gt:-2.5");
  ASSERT_TRUE(gt);
  EXPECT_EQ(*gt->number, -2.5);
  EXPECT_TRUE(parse_data_filter("seats:exists"));
  EXPECT_EQ(parse_data_filter("flag:neq:true")->text, "true");
  for (const auto* bad : {"f", "f:between:3", "f:gt:abc", "f:lte:", "f:eq", "f:exists:1", "F:eq:1", ":eq:1", "f:gt:nan",
                          "f:gt:inf", "f:gt:1e999"})
    EXPECT_FALSE(parse_data_filter(bad)) << bad;
}

TEST(SearchWords, KeepOnlyWordsLowercased) {
  EXPECT_EQ(search_words("Refund \"invoice\" OR pass*"), (std::vector<std::string>{"refund", "invoice", "or", "pass"}));
  EXPECT_EQ(search_words("'; DROP TABLE conversations;--"),
            (std::vector<std::string>{"drop", "table", "conversations"}));
  EXPECT_EQ(search_words("NEAR(a b) body:x ^y"), (std::vector<std::string>{"near", "a", "b", "body", "x", "y"}));
  EXPECT_EQ(search_words("café naïve"), (std::vector<std::string>{"café", "naïve"}));
  EXPECT_TRUE(search_words("\"*()-+:^").empty());
  EXPECT_TRUE(search_words(std::string(200, 'a')).empty());  // longer than any word
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(search_words(many).size(), 32u);
}

TEST(AnalysisTallies, CountCriteriaBooleansEnumsAndNumbersButNotFreeText) {
  AnalysisSettings settings;
  settings.data_fields = {{"plan", FieldType::string, "d", {"basic", "pro"}}, {"email", FieldType::string, "d", {}}};
  Analysis a;
  a.criteria["resolved"] = {CriterionResult::success, "r"};
  a.data["plan"] = {std::string("pro"), "r"};
  a.data["email"] = {std::string("jo@example.com"), "r"};
  a.data["callback"] = {true, "r"};
  a.data["seats"] = {std::int64_t{12}, "r"};
  a.data["missing"] = {std::monostate{}, "r"};
  std::vector<std::string> seen;
  for (const auto& t : tallies(a, settings)) seen.push_back(t.kind + ":" + t.item + ":" + t.value);
  EXPECT_EQ(seen, (std::vector<std::string>{"criterion:resolved:success", "value:callback:true", "value:plan:pro",
                                            "number:seats:"}));
}

}  // namespace cxco::domain
