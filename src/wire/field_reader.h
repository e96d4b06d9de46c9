// The one reader of JSON input: request bodies and query strings (src/api/) and provider
// payloads (src/providers/) are read field by field through it. Each getter answers nullopt
// for an absent (or null) field and records an error, with its location, when the field is
// required or present with a bad value, so one answer can name every bad field at once
// (platform.md section 3: unknown fields ignored; wrong types, missing required fields, blank
// required strings, bad enums and out-of-range numbers are errors).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.h"

namespace cxco::wire {

// Nesting depth of every JSON document CXCo reads, from a request body to a stored column:
// one limit, so nothing accepted on the way in can fail to read back later.
inline constexpr std::size_t kMaxJsonDepth = 32;
// Parses with kMaxJsonDepth; ec is set for malformed or too deeply nested text.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);
// A request body that must be a JSON object: 400 invalid_json otherwise.
boost::json::object parse_body(std::string_view text);
// The object of a body parsed otherwise (ec: its parse failed): 400 invalid_json as parse_body.
boost::json::object body_object(boost::json::value value, const boost::system::error_code& ec);
// For documents CXCo wrote itself (stored columns): throws on malformed text.
boost::json::value parse_stored_json(std::string_view text);

enum class Presence {
  optional,  // may be absent
  required,  // must be present (and, for strings, not blank)
  nonblank,  // may be absent, but a string given must not be blank (partial updates)
};
inline constexpr Presence kOptional = Presence::optional;
inline constexpr Presence kRequired = Presence::required;
inline constexpr Presence kNonBlank = Presence::nonblank;

class FieldReader {
 public:
  // `object` may be null (an absent object reads as one without fields). `loc` is where it
  // sits ({"body"}, {"query"}, {"body", "data"}). With text_values, values arrive as text
  // (query strings) and numbers are parsed from them.
  FieldReader(const boost::json::object* object, std::vector<std::string> loc, std::vector<FieldError>& errors,
              bool text_values = false)
      : object_(object), loc_(std::move(loc)), errors_(&errors), text_values_(text_values) {}

  const boost::json::object* object() const { return object_; }
  bool has(std::string_view key) const;
  // The raw value, for fields copied through unchanged; nullptr when absent or null.
  const boost::json::value* value(std::string_view key) const;

  std::optional<std::string> string(std::string_view key, Presence p = kOptional, std::size_t max_len = 10000);
  std::optional<std::string> one_of(std::string_view key, Presence p, std::initializer_list<std::string_view> allowed);
  // Whole numbers; 12.0 is accepted as 12.
  std::optional<std::int64_t> integer(std::string_view key, Presence p = kOptional,
                                      std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                      std::int64_t max = std::numeric_limits<std::int64_t>::max());
  std::optional<double> number(std::string_view key, Presence p = kOptional,
                               double min = -std::numeric_limits<double>::max(),
                               double max = std::numeric_limits<double>::max());
  std::optional<bool> boolean(std::string_view key, Presence p = kOptional);
  // A nested object, read with the same error list; an absent one reads as empty.
  FieldReader object(std::string_view key, Presence p = kOptional);
  const boost::json::array* array(std::string_view key, Presence p = kOptional);
  // Element `index` of the array at `key`, which must be an object.
  FieldReader element(std::string_view key, std::size_t index, const boost::json::value& item);

  // Strings with a format (domain/validation.h).
  std::optional<std::string> email(std::string_view key, Presence p);
  std::optional<std::string> country_code(std::string_view key, Presence p);
  std::optional<std::string> language(std::string_view key, Presence p);
  std::optional<std::string> e164(std::string_view key, Presence p);
  std::optional<std::int64_t> date(std::string_view key, Presence p);          // days since epoch
  std::optional<std::string> time_zone(std::string_view key, Presence p);      // IANA name
  std::optional<std::int64_t> timestamp_ms(std::string_view key, Presence p);  // ISO 8601 with offset

  std::vector<std::string> loc(std::string_view key) const;
  void error(std::vector<std::string> loc, std::string msg, std::string type);
  void error(std::string_view key, std::string msg, std::string type);
  bool ok() const { return errors_->empty(); }
  // Throws the errors collected so far as one 422.
  void check() const;

 private:
  const boost::json::value* get(std::string_view key, Presence p);
  template <class Valid>
  std::optional<std::string> formatted(std::string_view key, Presence p, std::size_t max_len, Valid valid,
                                       const char* message);

  const boost::json::object* object_;
  std::vector<std::string> loc_;
  std::vector<FieldError>* errors_;
  bool text_values_;
};

}  // namespace cxco::wire
