#include "util/json.h"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace cxco::util {

namespace {

void write(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        write(out, item);
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      std::string_view text(buf, static_cast<std::size_t>(end - buf));
      out += text;
      // Keep it visibly a number with a fraction when it is integral ("2.0", not "2").
      if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
      break;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_json(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  write(out, value);
  return out;
}

}  // namespace cxco::util
