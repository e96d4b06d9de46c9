#include "wire/csv.h"

#include <set>
#include <type_traits>

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

void append_csv_field(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

ExportColumns export_columns(const std::vector<domain::AnalysisSettings>& settings) {
  ExportColumns out;
  std::set<std::string> criteria, data;
  for (const auto& s : settings) {
    for (const auto& c : s.criteria)
      if (criteria.insert(c.id).second) out.criteria.push_back(c.id);
    for (const auto& f : s.data_fields)
      if (data.insert(f.id).second) out.data.push_back(f.id);
  }
  return out;
}

std::string export_csv_header(const ExportColumns& columns) {
  std::string out =
      "id,agent_id,channel,direction,caller_number,started_at,ended_at,duration_seconds,status,call_successful,"
      "transcript_summary";
  for (const auto& id : columns.criteria) out.append(",criteria.").append(id);
  for (const auto& id : columns.data) out.append(",data.").append(id);
  return out + "\r\n";
}

std::string export_csv_row(const domain::ConversationDetail& c, const ExportColumns& columns) {
  std::string out;
  auto field = [&](std::string_view value) {
    out += ',';
    append_csv_field(out, value);
  };
  auto optional = [&](const auto& value) {
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::optional<std::string>>)
      field(value.value_or(""));
    else
      field(value ? std::to_string(*value) : "");
  };
  out += std::to_string(c.id);
  field(std::to_string(c.agent_id));
  field(c.channel);
  field(c.direction);
  optional(c.caller_number);
  field(c.started_at);
  optional(c.ended_at);
  optional(c.duration_seconds);
  field(c.status);
  field(c.call_successful ? (*c.call_successful ? "true" : "false") : "");
  optional(c.transcript_summary);
  for (const auto& id : columns.criteria) {
    std::string_view result;
    if (c.analysis)
      if (const auto it = c.analysis->criteria.find(id); it != c.analysis->criteria.end())
        result = domain::to_string(it->second.result);
    field(result);
  }
  for (const auto& id : columns.data) {
    std::optional<std::string> text;
    if (c.analysis)
      if (const auto it = c.analysis->data.find(id); it != c.analysis->data.end())
        text = domain::text_of(it->second.value);
    field(text.value_or(""));
  }
  return out + "\r\n";
}

}  // namespace cxco::wire
