// Request input: the body (a JSON object) or the query string, read through the one field
// reader (wire/field_reader.h) so that one 422 names every bad field.
#pragma once

#include <boost/json/object.hpp>

#include <vector>

#include "domain/analysis.h"
#include "domain/errors.h"
#include "domain/page.h"
#include "http/types.h"
#include "wire/field_reader.h"

namespace cxco::api {

namespace detail {
struct InputStorage {
  boost::json::object document;
  std::vector<FieldError> found_errors;
};
}  // namespace detail

// The storage comes first among the bases, so the reader's pointers into it are valid.
class Input : private detail::InputStorage, public wire::FieldReader {
 public:
  // The body as a JSON object: 400 invalid_json otherwise. An empty body is an empty object
  // when allow_empty (for endpoints whose whole body is optional).
  static Input body(const http::Request& request, bool allow_empty = false);
  static Input query(const http::Request& request);

  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  const boost::json::object& raw() const { return document; }

 private:
  Input(const char* location, boost::json::object object, bool text_values);
};

// `limit` (1..100, default 30) and the opaque `cursor`; errors are recorded in `query`, so
// call check() afterwards.
domain::PageRequest read_page(Input& query);

// An agent's `analysis` settings (platform.md section 8): criteria and data fields with valid,
// unique ids, at most 20 and 30, enums on string fields only. Errors are recorded in `in`.
domain::AnalysisSettings read_analysis_settings(wire::FieldReader in);

// `dynamic_variables` of a call or recipient: {name: string | number | boolean}, as JSON text
// ("{}" when absent). Errors are recorded in `in`.
std::string read_dynamic_variables(wire::FieldReader& in);

}  // namespace cxco::api
