// Conversation analysis (platform.md section 8): the criteria and data fields an agent is
// configured with, the results a conversation carries, the filters the lists take and the
// outcome rollups of GET /api/usage/analysis.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cxco::domain {

inline constexpr std::size_t kMaxCriteria = 20;
inline constexpr std::size_t kMaxDataFields = 30;
// [a-z][a-z0-9_]{0,63}: the id of a criterion or data field.
bool valid_analysis_id(std::string_view id);

struct Criterion {
  std::string id, name, prompt;
};

enum class FieldType { string, boolean, integer, number };
std::string_view to_string(FieldType t);
std::optional<FieldType> parse_field_type(std::string_view s);

struct DataField {
  std::string id;
  FieldType type = FieldType::string;
  std::string description;
  std::vector<std::string> enum_values;  // string fields only; empty: any string
};

struct AnalysisSettings {
  std::vector<Criterion> criteria;
  std::vector<DataField> data_fields;
  bool empty() const { return criteria.empty() && data_fields.empty(); }
};

enum class CriterionResult { success, failure, unknown };
std::string_view to_string(CriterionResult r);
std::optional<CriterionResult> parse_criterion_result(std::string_view s);

struct CriterionOutcome {
  CriterionResult result = CriterionResult::unknown;
  std::string rationale;
};

// A data field's value as the analysis extracted it: null, a string, a boolean or a number
// (integers kept exact).
using DataValue = std::variant<std::monostate, std::string, bool, std::int64_t, double>;
std::optional<double> number_of(const DataValue& v);
// The value as a filter compares it for eq/neq: the string itself, "true"/"false", or the number.
std::optional<std::string> text_of(const DataValue& v);

struct DataOutcome {
  DataValue value;
  std::string rationale;
};

// What an analysis found, by criterion and data field id (ordered by id).
struct Analysis {
  std::map<std::string, CriterionOutcome> criteria;
  std::map<std::string, DataOutcome> data;
};

// ?criteria=<id>:<result>
struct CriterionFilter {
  std::string id;
  CriterionResult result = CriterionResult::unknown;
};

enum class DataOp { eq, neq, gt, gte, lt, lte, exists };
std::optional<DataOp> parse_data_op(std::string_view s);

// ?data=<id>:<op>:<value> (no value for exists). A number compares numbers; any other value
// compares as text ("true"/"false" for booleans).
struct DataFilter {
  std::string id;
  DataOp op = DataOp::exists;
  std::string text;
  std::optional<double> number;  // set when the value reads as a number
};

// Parses a filter as the query string carries it; nullopt when malformed.
std::optional<CriterionFilter> parse_criterion_filter(std::string_view text);
std::optional<DataFilter> parse_data_filter(std::string_view text);

// The words of a full-text query, stripped of every operator and quote: letters, digits and
// any non-ASCII byte make words; everything else separates them. At most 32 words.
std::vector<std::string> search_words(std::string_view q);

// One row of the analysis rollups: a criterion's result, a boolean or enum field's value, or
// a number field's figure (`number`).
struct AnalysisTally {
  std::string kind;  // criterion | value | number
  std::string item, value;
  std::int64_t n = 1;
  double number = 0;
};
// What `analysis` adds to the rollups: every criterion; boolean values, string values of fields
// `settings` declares with an enum, and numbers. Free text is not counted.
std::vector<AnalysisTally> tallies(const Analysis& analysis, const AnalysisSettings& settings);

}  // namespace cxco::domain
