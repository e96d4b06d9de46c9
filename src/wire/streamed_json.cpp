#include "wire/streamed_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>

#include "domain/errors.h"
#include "wire/field_reader.h"

namespace cxco::wire {

namespace json = boost::json;
using boost::system::error_code;

namespace {

json::parse_options options() {
  json::parse_options o;
  o.max_depth = kMaxJsonDepth;
  return o;
}

}  // namespace

StreamedJson::StreamedJson(std::size_t max_string, std::size_t max_kept)
    : parser_(options(), max_string), max_kept_(max_kept) {}

void StreamedJson::write(std::string_view piece) {
  if (error_ || too_large_) return;
  total_ += piece.size();
  const auto used = parser_.write_some(true, piece.data(), piece.size(), error_);
  if (!error_ && used < piece.size()) error_ = json::error::extra_data;  // a second document
  if (total_ - parser_.handler().dropped > max_kept_) too_large_ = true;
}

json::object StreamedJson::finish() {
  if (!error_ && !too_large_) parser_.write_some(false, nullptr, 0, error_);
  if (too_large_)
    throw ApiError(413, "payload_too_large",
                   "Request body exceeds " + std::to_string(max_kept_ / (1024 * 1024)) +
                       " MiB besides the long strings it may carry");
  if (error_) return body_object(nullptr, error_);
  return body_object(parser_.handler().stack.release(), error_);
}

bool StreamedJson::Builder::on_document_begin(error_code&) {
  stack.reset();
  return true;
}

bool StreamedJson::Builder::on_array_end(std::size_t n, error_code&) {
  stack.push_array(n);
  return true;
}

bool StreamedJson::Builder::on_object_end(std::size_t n, error_code&) {
  stack.push_object(n);
  return true;
}

bool StreamedJson::Builder::on_string_part(std::string_view s, std::size_t, error_code&) {
  if (dropping) {
    dropped += s.size();
  } else if (pending.size() + s.size() > max_string) {
    // Too long to keep: what was held goes, and the rest is only counted.
    dropping = true;
    dropped += pending.size() + s.size();
    pending.clear();
  } else {
    pending.append(s);
  }
  return true;
}

bool StreamedJson::Builder::on_string(std::string_view s, std::size_t n, error_code& ec) {
  on_string_part(s, n, ec);
  if (std::exchange(dropping, false))
    stack.push_null();
  else
    stack.push_string(pending);
  pending.clear();
  return true;
}

bool StreamedJson::Builder::on_key_part(std::string_view s, std::size_t, error_code&) {
  pending.append(s);  // max_key_size bounds it
  return true;
}

bool StreamedJson::Builder::on_key(std::string_view s, std::size_t, error_code&) {
  pending.append(s);
  stack.push_key(pending);
  pending.clear();
  return true;
}

bool StreamedJson::Builder::on_int64(std::int64_t i, std::string_view, error_code&) {
  stack.push_int64(i);
  return true;
}

bool StreamedJson::Builder::on_uint64(std::uint64_t u, std::string_view, error_code&) {
  stack.push_uint64(u);
  return true;
}

bool StreamedJson::Builder::on_double(double d, std::string_view, error_code&) {
  stack.push_double(d);
  return true;
}

bool StreamedJson::Builder::on_bool(bool b, error_code&) {
  stack.push_bool(b);
  return true;
}

bool StreamedJson::Builder::on_null(error_code&) {
  stack.push_null();
  return true;
}

}  // namespace cxco::wire
