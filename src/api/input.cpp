#include "api/input.h"

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
