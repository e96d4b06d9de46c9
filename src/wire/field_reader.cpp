#include "wire/field_reader.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "domain/validation.h"
#include "util/time.h"

namespace cxco::wire {

namespace json = boost::json;

json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  return json::parse(text, ec, {}, options);
}

json::object parse_body(std::string_view text) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);
  return body_object(std::move(v), ec);
}

json::object body_object(json::value value, const boost::system::error_code& ec) {
  if (ec) throw ApiError::invalid_json("Request body is not valid JSON");
  if (!value.is_object()) throw ApiError::invalid_json("Request body must be a JSON object");
  return std::move(value.get_object());
}

json::value parse_stored_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);
  if (ec) throw std::runtime_error("stored JSON cannot be read: " + ec.message());
  return v;
}

namespace {

std::string type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::bool_: return "boolean";
    case json::kind::null: return "null";
    default: return "number";
  }
}

// Code points (UTF-8 is validated by the parser): lengths are counted as people count them.
std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Nothing but white space, ASCII or Unicode (no-break, ideographic and the other spaces).
bool blank(std::string_view s) {
  static constexpr std::string_view kUnicodeSpaces[] = {
      "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
      "\u2008", "\u2009", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"};
  for (std::size_t i = 0; i < s.size();) {
    if (std::string_view(" \t\r\n\v\f").find(s[i]) != std::string_view::npos) {
      ++i;
      continue;
    }
    const auto space = std::find_if(std::begin(kUnicodeSpaces), std::end(kUnicodeSpaces),
                                    [&](std::string_view u) { return s.substr(i, u.size()) == u; });
    if (space == std::end(kUnicodeSpaces)) return false;
    i += space->size();
  }
  return true;
}

}  // namespace

bool FieldReader::has(std::string_view key) const { return value(key) != nullptr; }

const json::value* FieldReader::value(std::string_view key) const {
  const auto* v = object_ ? object_->if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

const json::value* FieldReader::get(std::string_view key, Presence p) {
  const auto* v = value(key);
  if (!v && p == kRequired) error(key, "Field required", "missing");
  return v;
}

std::vector<std::string> FieldReader::loc(std::string_view key) const {
  auto out = loc_;
  out.emplace_back(key);
  return out;
}

void FieldReader::error(std::vector<std::string> at, std::string msg, std::string type) {
  errors_->push_back(FieldError{std::move(at), std::move(msg), std::move(type)});
}

void FieldReader::error(std::string_view key, std::string msg, std::string type) {
  error(loc(key), std::move(msg), std::move(type));
}

void FieldReader::check() const {
  if (!errors_->empty()) throw ApiError::validation(*errors_);
}

std::optional<std::string> FieldReader::string(std::string_view key, Presence p, std::size_t max_len) {
  const auto* v = get(key, p);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(key, "Input should be a valid string, not " + type_name(*v), "string_type");
    return std::nullopt;
  }
  std::string s(v->get_string());
  // PostgreSQL text cannot hold NUL, and ids that differ only after one would collide there.
  if (s.find('\0') != std::string::npos) {
    error(key, "String should not contain NUL characters", "value_error");
    return std::nullopt;
  }
  if (p != kOptional && blank(s)) {
    error(key, "String should not be empty", "string_too_short");
    return std::nullopt;
  }
  if (characters(s) > max_len) {
    error(key, "String should have at most " + std::to_string(max_len) + " characters", "string_too_long");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::one_of(std::string_view key, Presence p,
                                               std::initializer_list<std::string_view> allowed) {
  auto s = string(key, p, 200);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string list;
  for (const auto a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
  error(key, "Input should be one of " + list, "enum");
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key, Presence p, std::int64_t min, std::int64_t max) {
  const auto* v = get(key, p);
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    if (v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) n = static_cast<std::int64_t>(v->get_uint64());
  } else if (v->is_double()) {
    const double d = v->get_double();
    if (std::floor(d) == d && std::abs(d) < 9e15) n = static_cast<std::int64_t>(d);
  } else if (v->is_string() && text_values_) {
    const auto& s = v->get_string();
    std::int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) n = parsed;
  }
  if (!n) {
    error(key, "Input should be a valid integer", "int_type");
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    error(key, "Input should be between " + std::to_string(min) + " and " + std::to_string(max), "value_error");
    return std::nullopt;
  }
  return n;
}

std::optional<double> FieldReader::number(std::string_view key, Presence p, double min, double max) {
  const auto* v = get(key, p);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    error(key, "Input should be a valid number", "float_type");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (!(d >= min && d <= max)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "Input should be between %g and %g", min, max);
    error(key, buf, "value_error");
    return std::nullopt;
  }
  return d;
}

std::optional<bool> FieldReader::boolean(std::string_view key, Presence p) {
  const auto* v = get(key, p);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  error(key, "Input should be a valid boolean", "bool_type");
  return std::nullopt;
}

FieldReader FieldReader::object(std::string_view key, Presence p) {
  const auto* v = get(key, p);
  if (v && !v->is_object()) error(key, "Input should be an object", "dict_type");
  return FieldReader(v && v->is_object() ? &v->get_object() : nullptr, loc(key), *errors_, text_values_);
}

const json::array* FieldReader::array(std::string_view key, Presence p) {
  const auto* v = get(key, p);
  if (v && !v->is_array()) error(key, "Input should be a valid list", "list_type");
  return v && v->is_array() ? &v->get_array() : nullptr;
}

FieldReader FieldReader::element(std::string_view key, std::size_t index, const json::value& item) {
  auto at = loc(key);
  at.push_back(std::to_string(index));
  if (!item.is_object()) error(at, "Input should be an object", "dict_type");
  return FieldReader(item.is_object() ? &item.get_object() : nullptr, std::move(at), *errors_, text_values_);
}

template <class Valid>
std::optional<std::string> FieldReader::formatted(std::string_view key, Presence p, std::size_t max_len, Valid valid,
                                                  const char* message) {
  auto s = string(key, p, max_len);
  if (s && !valid(*s)) {
    error(key, message, "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::email(std::string_view key, Presence p) {
  return formatted(key, p, 254, domain::is_email, "Value is not a valid email address");
}

std::optional<std::string> FieldReader::country_code(std::string_view key, Presence p) {
  return formatted(key, p, 2, domain::is_country_code, "Value is not an ISO 3166-1 alpha-2 country code in capitals");
}

std::optional<std::string> FieldReader::language(std::string_view key, Presence p) {
  return formatted(key, p, 2, domain::is_language_code, "Value is not an ISO 639-1 language code");
}

std::optional<std::string> FieldReader::e164(std::string_view key, Presence p) {
  return formatted(key, p, 16, domain::is_e164, "Value is not an E.164 phone number");
}

std::optional<std::string> FieldReader::time_zone(std::string_view key, Presence p) {
  return formatted(key, p, 64, domain::is_time_zone, "Value is not an IANA time zone name (e.g. Africa/Johannesburg)");
}

std::optional<std::int64_t> FieldReader::timestamp_ms(std::string_view key, Presence p) {
  auto s = string(key, p, 40);
  if (!s) return std::nullopt;
  auto ms = util::parse_timestamp_ms(*s);
  if (!ms)
    error(key, "Input should be an ISO 8601 date-time with an offset or Z, e.g. 2026-03-12T09:00:00+02:00",
          "datetime_parsing");
  return ms;
}

std::optional<std::int64_t> FieldReader::date(std::string_view key, Presence p) {
  auto s = string(key, p, 10);
  if (!s) return std::nullopt;
  auto d = util::parse_date(*s);
  if (!d) error(key, "Input should be a valid date in the format YYYY-MM-DD", "date_from_datetime_parsing");
  return d;
}

}  // namespace cxco::wire
