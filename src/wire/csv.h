// CSV bodies (RFC 4180): a header row, then records; fields quoted with "..." may hold commas,
// line breaks and "" for a quote. Rows end in LF or CRLF; a UTF-8 byte-order mark is skipped.
// Problems are recorded per row (1-based, the header is row 1), so one 422 names them all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/analysis.h"
#include "domain/conversation.h"
#include "domain/errors.h"

namespace cxco::wire {

struct CsvRow {
  std::size_t number = 0;  // the line it starts on, as a spreadsheet numbers it
  std::vector<std::string> fields;
};

struct CsvTable {
  CsvRow header;  // the first row that is not blank; no fields when there is none
  std::vector<CsvRow> rows;
};

// Rows that are not UTF-8, have another number of fields than the header, or leave a quote
// open are recorded in `errors` at {"body", "<row number>"} and left out (a bad header leaves
// nothing to read); blank lines are skipped.
CsvTable parse_csv(std::string_view text, std::vector<FieldError>& errors);

// Appends `value` as one CSV field: quoted (with "" for a quote) when it holds a comma, a quote
// or a line break.
void append_csv_field(std::string& out, std::string_view value);

// The analysis columns of a conversation export (platform.md section 8): criteria.<id>, then
// data.<id>, each id once, in the order the agents' settings list them.
struct ExportColumns {
  std::vector<std::string> criteria, data;
};
ExportColumns export_columns(const std::vector<domain::AnalysisSettings>& settings);
// The header row and one conversation's row, each ending in CRLF.
std::string export_csv_header(const ExportColumns& columns);
std::string export_csv_row(const domain::ConversationDetail& conversation, const ExportColumns& columns);

}  // namespace cxco::wire
