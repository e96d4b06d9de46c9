// What a database's schema is, read back from the database itself: tables, columns (type
// family, nullability) and indexes. The test that keeps the SQLite and PostgreSQL migrations
// describing the same schema compares two of these.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/db.h"

namespace cxco::store {

struct ColumnShape {
  std::string type_family;  // integer, text, real
  bool nullable = true;
  bool operator==(const ColumnShape&) const = default;
};

struct IndexShape {
  std::vector<std::string> columns;  // "<expression>" for an expression
  bool unique = false;
  bool partial = false;
  auto operator<=>(const IndexShape&) const = default;
};

struct TableShape {
  std::map<std::string, ColumnShape> columns;
  std::vector<IndexShape> indexes;  // sorted; the primary key's own index left out
};

// Every table but the migrations' own bookkeeping, by name.
std::map<std::string, TableShape> describe_schema(Database& db);

}  // namespace cxco::store
