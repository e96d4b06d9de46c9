#include "util/json.h"

#include "util/json_writer.h"

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
        append_json_string(out, key);
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
    case boost::json::kind::string: append_json_string(out, v.get_string()); break;
    case boost::json::kind::double_: append_json_number(out, v.get_double()); break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::null: out += "null"; break;
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
