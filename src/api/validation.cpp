#include "api/validation.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "domain/cursor.h"
#include "util/time.h"

namespace cxco::api {

namespace json = boost::json;

namespace {

// Deep nesting is refused by the parser itself, so hostile bodies cannot exhaust the stack.
constexpr std::size_t kMaxDepth = 64;

// Query and path values arrive as text; numbers among them are parsed on demand.
json::object from_fields(const http::Fields& fields) {
  json::object o;
  for (const auto& [k, v] : fields) o[k] = v;
  return o;
}

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

}  // namespace

Input Input::body(const http::Request& request, bool allow_empty) {
  const auto first = request.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    if (allow_empty) return Input("body", {});
    throw ApiError::invalid_json("Request body must be a JSON object");
  }
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec, {}, opts);
  if (ec) throw ApiError::invalid_json("Request body is not valid JSON");
  if (!v.is_object()) throw ApiError::invalid_json("Request body must be a JSON object");
  return Input("body", std::move(v.as_object()));
}

Input Input::query(const http::Request& request) { return Input("query", from_fields(request.query)); }

const json::value* Input::get(std::string_view key, bool required) {
  const auto* v = object_.if_contains(key);
  if (!v || v->is_null()) {
    if (required) error(key, "Field required", "missing");
    return nullptr;
  }
  return v;
}

void Input::error(std::vector<std::string> loc, std::string msg, std::string type) {
  errors_.push_back(FieldError{std::move(loc), std::move(msg), std::move(type)});
}

void Input::error(std::string_view key, std::string msg, std::string type) {
  error({location_, std::string(key)}, std::move(msg), std::move(type));
}

bool Input::has(std::string_view key) const {
  const auto* v = object_.if_contains(key);
  return v && !v->is_null();
}

void Input::check() const {
  if (!errors_.empty()) throw ApiError::validation(errors_);
}

std::optional<std::string> Input::string(std::string_view key, bool required, std::size_t max_len) {
  const auto* v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(key, "Input should be a valid string, not " + type_name(*v), "string_type");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (required && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    error(key, "String should not be empty", "string_too_short");
    return std::nullopt;
  }
  if (s.size() > max_len) {
    error(key, "String should have at most " + std::to_string(max_len) + " characters", "string_too_long");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Input::one_of(std::string_view key, bool required,
                                         std::initializer_list<std::string_view> allowed) {
  auto s = string(key, required, 200);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string list;
  for (const auto a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
  error(key, "Input should be one of " + list, "enum");
  return std::nullopt;
}

std::optional<std::int64_t> Input::integer(std::string_view key, bool required, std::int64_t min, std::int64_t max) {
  const auto* v = get(key, required);
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64()) {
    if (v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) n = static_cast<std::int64_t>(v->as_uint64());
  } else if (v->is_double()) {
    const double d = v->as_double();
    if (std::floor(d) == d && std::abs(d) < 9e15) n = static_cast<std::int64_t>(d);
  } else if (v->is_string() && location_ != "body") {
    const auto& s = v->as_string();
    std::int64_t parsed = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) n = parsed;
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

std::optional<double> Input::number(std::string_view key, bool required, double min, double max) {
  const auto* v = get(key, required);
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

std::optional<bool> Input::boolean(std::string_view key, bool required) {
  const auto* v = get(key, required);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->as_bool();
  error(key, "Input should be a valid boolean", "bool_type");
  return std::nullopt;
}

std::optional<json::object> Input::object(std::string_view key, bool required) {
  const auto* v = get(key, required);
  if (!v) return std::nullopt;
  if (v->is_object()) return v->as_object();
  error(key, "Input should be an object", "dict_type");
  return std::nullopt;
}

std::optional<json::array> Input::array(std::string_view key, bool required) {
  const auto* v = get(key, required);
  if (!v) return std::nullopt;
  if (v->is_array()) return v->as_array();
  error(key, "Input should be a valid list", "list_type");
  return std::nullopt;
}

std::optional<std::string> Input::email(std::string_view key, bool required) {
  auto s = string(key, required, 254);
  if (s && !is_email(*s)) {
    error(key, "Value is not a valid email address", "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Input::country_code(std::string_view key, bool required) {
  auto s = string(key, required, 2);
  if (s && !is_country_code(*s)) {
    error(key, "Value is not an ISO 3166-1 alpha-2 country code in capitals", "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Input::language(std::string_view key, bool required) {
  auto s = string(key, required, 2);
  if (s && !is_language_code(*s)) {
    error(key, "Value is not an ISO 639-1 language code", "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Input::e164(std::string_view key, bool required) {
  auto s = string(key, required, 16);
  if (s && !is_e164(*s)) {
    error(key, "Value is not an E.164 phone number", "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> Input::date(std::string_view key, bool required) {
  auto s = string(key, required, 10);
  if (!s) return std::nullopt;
  auto d = util::parse_date(*s);
  if (!d) error(key, "Input should be a valid date in the format YYYY-MM-DD", "date_from_datetime_parsing");
  return d;
}

PageRequest read_page_request(Input& query) {
  PageRequest page;
  page.limit = query.integer("limit", false, 1, 100).value_or(30);
  if (const auto cursor = query.string("cursor", false, 256)) {
    page.before_id = domain::decode_cursor(*cursor);
    if (!page.before_id) query.error("cursor", "Invalid cursor", "value_error");
  }
  return page;
}

bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  if (domain.find("..") != std::string_view::npos || domain.front() == '-' || domain.back() == '-') return false;
  for (const unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' || c == '<' || c == '>' ||
        c == '[' || c == ']' || c == '\\' || c == '"')
      return false;
  return true;
}

bool is_e164(std::string_view s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_country_code(std::string_view s) {
  // ISO 3166-1 alpha-2 officially assigned codes.
  static const std::set<std::string_view> kCodes = {
      "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
      "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
      "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
      "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
      "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
      "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
      "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
      "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
      "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
      "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
      "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
      "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
      "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
      "ZM", "ZW"};
  return kCodes.count(s) > 0;
}

bool is_language_code(std::string_view s) {
  // ISO 639-1 two-letter codes.
  static const std::set<std::string_view> kCodes = {
      "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo",
      "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo",
      "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi",
      "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
      "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
      "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng",
      "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn",
      "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
      "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur",
      "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"};
  return kCodes.count(s) > 0;
}

}  // namespace cxco::api
