#include "wire/csv.h"

namespace cxco::wire {

namespace {

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t continuation = 0;
    unsigned code_point = 0, smallest = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) {
      continuation = 1, smallest = 0x80, code_point = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      continuation = 2, smallest = 0x800, code_point = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      continuation = 3, smallest = 0x10000, code_point = lead & 0x07u;
    } else {
      return false;
    }
    if (i + continuation >= s.size()) return false;
    for (std::size_t k = 1; k <= continuation; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (next & 0x3Fu);
    }
    if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    i += continuation + 1;
  }
  return true;
}

}  // namespace

CsvTable parse_csv(std::string_view text, std::vector<FieldError>& errors) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  CsvTable table;
  std::size_t i = 0;
  std::size_t row_number = 0, line = 1;
  auto fail = [&](std::string msg) {
    errors.push_back({{"body", std::to_string(row_number)}, std::move(msg), "value_error"});
  };
  while (i < text.size()) {
    row_number = line;
    const auto row_start = i;
    std::vector<std::string> fields(1);
    bool open_quote = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (open_quote) {
        if (c != '"') {
          fields.back() += c;
          line += c == '\n';
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          open_quote = false;
        }
      } else if (c == '"' && fields.back().empty()) {
        open_quote = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else if (c == '\n') {
        break;
      } else if (c != '\r' || (i + 1 < text.size() && text[i + 1] != '\n')) {
        fields.back() += c;
      }
    }
    const auto row_text = text.substr(row_start, i - row_start);
    ++i, ++line;  // past the line break
    if (open_quote) {
      fail("A quoted field is not closed");
      break;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    const bool header = table.header.fields.empty();
    if (!valid_utf8(row_text)) {
      fail("The row is not valid UTF-8 text");
      if (header) break;
      continue;
    }
    if (header) {
      table.header = {row_number, std::move(fields)};
      continue;
    }
    if (fields.size() != table.header.fields.size()) {
      fail("The row has " + std::to_string(fields.size()) + " fields; the header has " +
           std::to_string(table.header.fields.size()));
      continue;
    }
    table.rows.push_back({row_number, std::move(fields)});
  }
  return table;
}

}  // namespace cxco::wire
