#include "http/error_response.h"

#include <boost/json.hpp>

#include "util/json.h"

namespace cxco::http {

Response error_response(const ApiError& error) {
  boost::json::object body;
  body["detail"] = error.detail;
  body["error_type"] = error.error_type;
  if (!error.errors.empty()) {
    boost::json::array errors;
    for (const auto& e : error.errors) {
      boost::json::array loc;
      for (const auto& part : e.loc) loc.emplace_back(part);
      errors.push_back(boost::json::object{{"loc", std::move(loc)}, {"msg", e.msg}, {"type", e.type}});
    }
    body["errors"] = std::move(errors);
  }
  Response r;
  r.status = error.status;
  r.body = util::to_json(body);
  return r;
}

}  // namespace cxco::http
