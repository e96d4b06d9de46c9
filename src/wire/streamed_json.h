// A JSON request body parsed from pieces as they arrive, keeping only what can be read: strings
// longer than a threshold are dropped (read back as null) as they stream by, so a body that is
// mostly one huge string (a post-call webhook's base64 audio, up to 50 MiB) costs about as much
// memory as the rest of it. The rest is capped too, so what is kept stays bounded whatever the
// body's size.
#pragma once

#include <boost/json/basic_parser.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_stack.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace cxco::wire {

class StreamedJson {
 public:
  // Strings longer than max_string bytes become null; past max_kept bytes of body besides
  // them, the body is refused (413).
  StreamedJson(std::size_t max_string, std::size_t max_kept);

  // Never throws: a body that fails to parse is only refused by finish(), so that a caller who
  // also checks a signature over the same pieces can report that first.
  void write(std::string_view piece);
  // The document: 400 invalid_json when it is not JSON or not an object, 413 payload_too_large
  // past max_kept.
  boost::json::object finish();

 private:
  // What boost::json::basic_parser calls: builds the document on a value_stack, as
  // boost::json::parser does, but holds a string back until it is known to be short enough.
  struct Builder {
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = 64 * 1024;  // no key is longer; a longer one is not JSON to us
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    explicit Builder(std::size_t max_string) : max_string(max_string) {}
    bool on_document_begin(boost::system::error_code&);
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t n, boost::system::error_code&);
    bool on_object_begin(boost::system::error_code&) { return true; }
    bool on_object_end(std::size_t n, boost::system::error_code&);
    bool on_string_part(std::string_view s, std::size_t, boost::system::error_code&);
    bool on_string(std::string_view s, std::size_t, boost::system::error_code&);
    bool on_key_part(std::string_view s, std::size_t, boost::system::error_code&);
    bool on_key(std::string_view s, std::size_t, boost::system::error_code&);
    bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t i, std::string_view, boost::system::error_code&);
    bool on_uint64(std::uint64_t u, std::string_view, boost::system::error_code&);
    bool on_double(double d, std::string_view, boost::system::error_code&);
    bool on_bool(bool b, boost::system::error_code&);
    bool on_null(boost::system::error_code&);
    bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_comment(std::string_view, boost::system::error_code&) { return true; }

    const std::size_t max_string;
    boost::json::value_stack stack;
    std::string pending;      // the string or key being read, while it is short enough to keep
    bool dropping = false;    // the string being read is past max_string
    std::size_t dropped = 0;  // bytes of dropped strings so far
  };

  boost::json::basic_parser<Builder> parser_;
  const std::size_t max_kept_;
  std::size_t total_ = 0;  // bytes written
  boost::system::error_code error_;
  bool too_large_ = false;
};

}  // namespace cxco::wire
