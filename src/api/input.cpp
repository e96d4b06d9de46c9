#include "api/input.h"

#include <set>

#include "util/json.h"
#include "wire/cursor.h"

namespace cxco::api {

Input::Input(const char* location, boost::json::object o, bool text_values)
    : detail::InputStorage{std::move(o), {}}, wire::FieldReader(&document, {location}, found_errors, text_values) {}

Input Input::body(const http::Request& request, bool allow_empty) {
  const auto first = request.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    if (allow_empty) return Input("body", {}, false);
    throw ApiError::invalid_json("Request body must be a JSON object");
  }
  return Input("body", wire::parse_body(request.body), false);
}

Input Input::query(const http::Request& request) {
  boost::json::object o;
  for (const auto& [k, v] : request.query) o[k] = v;
  return Input("query", std::move(o), true);
}

std::string read_dynamic_variables(wire::FieldReader& in) {
  auto variables = in.object("dynamic_variables");
  if (!variables.object()) return "{}";
  for (const auto& [name, value] : *variables.object())
    if (!(value.is_string() || value.is_number() || value.is_bool()))
      variables.error(name, "A dynamic variable is a string, a number or a boolean", "value_error");
  return util::to_json(*variables.object());
}

namespace {

// The id of item `index` of `list`: [a-z][a-z0-9_]{0,63}, once per list.
std::string read_item_id(wire::FieldReader& item, std::set<std::string>& seen) {
  auto id = item.string("id", wire::kRequired, 64);
  if (!id) return {};
  if (!domain::valid_analysis_id(*id)) {
    item.error("id", "An id is a lowercase letter, then up to 63 lowercase letters, digits or underscores",
               "value_error");
    return {};
  }
  if (!seen.insert(*id).second) item.error("id", "Duplicate id '" + *id + "'", "value_error");
  return *id;
}

}  // namespace

domain::AnalysisSettings read_analysis_settings(wire::FieldReader in) {
  domain::AnalysisSettings out;
  if (const auto* criteria = in.array("criteria")) {
    if (criteria->size() > domain::kMaxCriteria) in.error("criteria", "At most 20 criteria", "too_long");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < criteria->size(); ++i) {
      auto item = in.element("criteria", i, (*criteria)[i]);
      if (!item.object()) continue;
      domain::Criterion c;
      c.id = read_item_id(item, seen);
      c.name = item.string("name", wire::kRequired, 255).value_or("");
      // The provider's conversation_goal_prompt holds 2000 characters.
      c.prompt = item.string("prompt", wire::kRequired, 2000).value_or("");
      out.criteria.push_back(std::move(c));
    }
  }
  if (const auto* fields = in.array("data_fields")) {
    if (fields->size() > domain::kMaxDataFields) in.error("data_fields", "At most 30 data fields", "too_long");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fields->size(); ++i) {
      auto item = in.element("data_fields", i, (*fields)[i]);
      if (!item.object()) continue;
      domain::DataField f;
      f.id = read_item_id(item, seen);
      const auto type = item.one_of("type", wire::kRequired, {"string", "boolean", "integer", "number"});
      f.type = type ? *domain::parse_field_type(*type) : domain::FieldType::string;
      f.description = item.string("description", wire::kRequired, 2000).value_or("");
      if (const auto* values = item.array("enum")) {
        if (type && f.type != domain::FieldType::string)
          item.error("enum", "Only a string field takes an enum", "value_error");
        if (values->empty() || values->size() > 100) item.error("enum", "An enum lists 1 to 100 values", "value_error");
        std::set<std::string> distinct;
        for (std::size_t j = 0; j < values->size(); ++j) {
          const auto& v = (*values)[j];
          auto at = item.loc("enum");
          at.push_back(std::to_string(j));
          if (!v.is_string() || v.get_string().empty() || v.get_string().size() > 255) {
            item.error(at, "An enum value is a string of 1 to 255 characters", "value_error");
            continue;
          }
          if (!distinct.insert(std::string(v.get_string())).second) {
            item.error(at, "Duplicate enum value", "value_error");
            continue;
          }
          f.enum_values.emplace_back(v.get_string());
        }
      }
      out.data_fields.push_back(std::move(f));
    }
  }
  return out;
}

domain::PageRequest read_page(Input& query) {
  domain::PageRequest page;
  page.limit = query.integer("limit", wire::kOptional, 1, 100).value_or(30);
  if (const auto cursor = query.string("cursor", wire::kOptional, 256)) {
    page.before_id = wire::decode_cursor(*cursor);
    if (!page.before_id) query.error("cursor", "Invalid cursor", "value_error");
  }
  return page;
}

}  // namespace cxco::api
