// Reading request input into typed values, collecting every bad field before answering one
// 422 (platform.md section 3: unknown fields ignored; wrong types, missing required fields,
// empty required strings, bad enums and out-of-range numbers are errors).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.h"
#include "http/types.h"

namespace cxco::api {

class Input {
 public:
  // Parses the request body as a JSON object: 400 invalid_json otherwise. An empty body is
  // an empty object when allow_empty (for endpoints whose whole body is optional).
  static Input body(const http::Request& request, bool allow_empty = false);
  // Query parameters are read through the same interface.
  static Input query(const http::Request& request);

  // Getters answer nullopt for an absent (or JSON null) field, recording an error if it was
  // required or present with a bad value.
  std::optional<std::string> string(std::string_view key, bool required, std::size_t max_len = 10000);
  std::optional<std::string> one_of(std::string_view key, bool required, std::initializer_list<std::string_view> allowed);
  std::optional<std::int64_t> integer(std::string_view key, bool required, std::int64_t min, std::int64_t max);
  std::optional<double> number(std::string_view key, bool required, double min, double max);
  std::optional<bool> boolean(std::string_view key, bool required);
  std::optional<boost::json::object> object(std::string_view key, bool required);
  std::optional<boost::json::array> array(std::string_view key, bool required);
  // Strings with a format.
  std::optional<std::string> email(std::string_view key, bool required);
  std::optional<std::string> country_code(std::string_view key, bool required);
  std::optional<std::string> language(std::string_view key, bool required);
  std::optional<std::string> e164(std::string_view key, bool required);
  std::optional<std::int64_t> date(std::string_view key, bool required);  // days since epoch

  bool has(std::string_view key) const;
  void error(std::vector<std::string> loc, std::string msg, std::string type);
  void error(std::string_view key, std::string msg, std::string type);
  // Throws the collected errors as one 422.
  void check() const;
  bool ok() const { return errors_.empty(); }
  const boost::json::object& raw() const { return object_; }

 private:
  Input(std::string location, boost::json::object object) : location_(std::move(location)), object_(std::move(object)) {}
  const boost::json::value* get(std::string_view key, bool required);

  std::string location_;  // "body" or "query"
  boost::json::object object_;
  std::vector<FieldError> errors_;
};

// Cursor pagination parameters (platform.md "Pagination"): `limit` 1..100, default 30, and an
// opaque `cursor`; errors are recorded in `query`, so call check() afterwards.
struct PageRequest {
  std::int64_t limit = 30;
  std::optional<std::int64_t> before_id;  // from the cursor: the last id of the previous page
};
PageRequest read_page_request(Input& query);

bool is_email(std::string_view s);
bool is_e164(std::string_view s);
bool is_country_code(std::string_view s);
bool is_language_code(std::string_view s);

}  // namespace cxco::api
