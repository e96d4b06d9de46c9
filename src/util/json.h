// JSON text as customers expect to read it. Boost.JSON 1.81 prints doubles in exponent form
// (0.7 as "7E-1"); this writes the shortest round-trip decimal instead ("0.7", "1205.7").
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace cxco::util {

std::string to_json(const boost::json::value& value);

}  // namespace cxco::util
