#include "domain/analysis.h"

#include <charconv>
#include <cmath>

namespace cxco::domain {

namespace {

bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A finite number written in full ("12", "-3.5", "1e3"); nothing else.
std::optional<double> read_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Splits "a:b:c" at the first `parts - 1` colons (the value may hold more).
std::vector<std::string_view> split(std::string_view text, std::size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) break;
    out.push_back(text.substr(0, colon));
    text.remove_prefix(colon + 1);
  }
  out.push_back(text);
  return out;
}

}  // namespace

bool valid_analysis_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (const char c : id)
    if (!lower_or_digit(c) && c != '_') return false;
  return true;
}

std::string_view to_string(FieldType t) {
  switch (t) {
    case FieldType::boolean: return "boolean";
    case FieldType::integer: return "integer";
    case FieldType::number: return "number";
    case FieldType::string: break;
  }
  return "string";
}

std::optional<FieldType> parse_field_type(std::string_view s) {
  for (const auto t : {FieldType::string, FieldType::boolean, FieldType::integer, FieldType::number})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::string_view to_string(CriterionResult r) {
  switch (r) {
    case CriterionResult::success: return "success";
    case CriterionResult::failure: return "failure";
    case CriterionResult::unknown: break;
  }
  return "unknown";
}

std::optional<CriterionResult> parse_criterion_result(std::string_view s) {
  for (const auto r : {CriterionResult::success, CriterionResult::failure, CriterionResult::unknown})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

std::optional<double> number_of(const DataValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

std::optional<std::string> text_of(const DataValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::optional<std::string>(std::string(buf, end)) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<DataOp> parse_data_op(std::string_view s) {
  static constexpr std::pair<std::string_view, DataOp> kOps[] = {
      {"eq", DataOp::eq}, {"neq", DataOp::neq}, {"gt", DataOp::gt},         {"gte", DataOp::gte},
      {"lt", DataOp::lt}, {"lte", DataOp::lte}, {"exists", DataOp::exists},
  };
  for (const auto& [name, op] : kOps)
    if (name == s) return op;
  return std::nullopt;
}

std::optional<CriterionFilter> parse_criterion_filter(std::string_view text) {
  const auto parts = split(text, 2);
  if (parts.size() != 2 || !valid_analysis_id(parts[0])) return std::nullopt;
  const auto result = parse_criterion_result(parts[1]);
  if (!result) return std::nullopt;
  return CriterionFilter{std::string(parts[0]), *result};
}

std::optional<DataFilter> parse_data_filter(std::string_view text) {
  const auto parts = split(text, 3);
  if (parts.size() < 2 || !valid_analysis_id(parts[0])) return std::nullopt;
  const auto op = parse_data_op(parts[1]);
  if (!op) return std::nullopt;
  DataFilter f{std::string(parts[0]), *op, {}, std::nullopt};
  if (*op == DataOp::exists) {
    if (parts.size() != 2) return std::nullopt;
    return f;
  }
  if (parts.size() != 3 || parts[2].empty() || parts[2].size() > 1000) return std::nullopt;
  f.text = std::string(parts[2]);
  f.number = read_number(parts[2]);
  // Orderings compare numbers only.
  if (*op != DataOp::eq && *op != DataOp::neq && !f.number) return std::nullopt;
  return f;
}

std::vector<std::string> search_words(std::string_view q) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    // A word longer than any a transcript holds matches nothing anyway.
    if (!word.empty() && word.size() <= 128 && words.size() < 32) words.push_back(std::move(word));
    word.clear();
  };
  for (const char c : q) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

std::vector<AnalysisTally> tallies(const Analysis& analysis, const AnalysisSettings& settings) {
  std::vector<AnalysisTally> out;
  for (const auto& [id, c] : analysis.criteria) out.push_back({"criterion", id, std::string(to_string(c.result))});
  for (const auto& [id, d] : analysis.data) {
    if (const auto* b = std::get_if<bool>(&d.value)) {
      out.push_back({"value", id, *b ? "true" : "false"});
    } else if (const auto number = number_of(d.value)) {
      out.push_back({"number", id, "", 1, *number});
    } else if (const auto* s = std::get_if<std::string>(&d.value)) {
      for (const auto& f : settings.data_fields)
        if (f.id == id && !f.enum_values.empty()) out.push_back({"value", id, *s});
    }
  }
  return out;
}

}  // namespace cxco::domain
