// Writes JSON text straight into a string. Every resource's serializer uses it, so an answer
// is written once, field by field, without building a document tree first; commas and
// nesting are the writer's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cxco::util {

// Appends a double the way customers expect to read it: the shortest decimal that reads back
// the same ("0.7", "1205.7"; "2.0" for an integral value), never exponent form for ordinary
// figures; null for NaN and infinities. Boost.JSON 1.81 would print 0.7 as "7E-1".
void append_json_number(std::string& out, double value);
// Appends `text` as a JSON string literal (quotes and escapes).
void append_json_string(std::string& out, std::string_view text);

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(256); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& value(std::nullptr_t);
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : value(nullptr);
  }
  // A document that is already JSON text (a stored JSON column), written as it is.
  JsonWriter& raw(std::string_view json);

  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();

  std::string out_;
  std::vector<bool> has_items_;  // per open container: whether it has an item yet
  bool after_key_ = false;
};

}  // namespace cxco::util
