#include "store/schema.h"

#include <algorithm>
#include <cctype>

namespace cxco::store {

namespace {

// Full-text search is each dialect's own and left out of the description: SQLite's FTS5 table
// conversations_fts (and the shadow tables it keeps, all named conversations_fts_*), and
// PostgreSQL's tsvector column conversations.search with its GIN index.
constexpr std::string_view kSqliteTables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' "
    "AND name NOT LIKE 'conversations_fts%'";
constexpr std::string_view kSqliteColumns = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)";
constexpr std::string_view kSqliteIndexes = "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)";
constexpr std::string_view kSqliteIndexColumns = "SELECT name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno";
constexpr std::string_view kPostgresTables =
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() "
    "AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'";
constexpr std::string_view kPostgresColumns =
    "SELECT column_name AS name, data_type AS type, is_nullable FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = ? AND data_type <> 'tsvector'";
// One row per index and key column, in key order; a zero attribute number is an expression.
constexpr std::string_view kPostgresIndexes =
    "SELECT ic.relname AS name, i.indisunique AS is_unique, i.indisprimary AS is_primary, "
    "(i.indpred IS NOT NULL) AS is_partial, k.ord, COALESCE(a.attname, '<expression>') AS column_name "
    "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
    "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
    "JOIN pg_am am ON am.oid = ic.relam "
    "WHERE n.nspname = current_schema() AND t.relname = ? AND am.amname <> 'gin' ORDER BY ic.relname, k.ord";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// SQLite's declared types and PostgreSQL's data types, by the family of values they hold.
std::string family_of(const std::string& declared) {
  auto t = lower(declared);
  if (t.find("int") != std::string::npos) return "integer";
  if (t.find("char") != std::string::npos || t.find("text") != std::string::npos) return "text";
  if (t.find("real") != std::string::npos || t.find("double") != std::string::npos ||
      t.find("numeric") != std::string::npos || t.find("float") != std::string::npos)
    return "real";
  return t;
}

TableShape sqlite_table(Tx& tx, const std::string& table) {
  TableShape shape;
  for (const auto& c : tx.query(kSqliteColumns, {table}).rows)
    // A primary key column is never null, whatever SQLite's declaration says.
    shape.columns[c.str("name")] = {family_of(c.str("type")), !c.boolean("notnull") && c.i64("pk") == 0};
  for (const auto& i : tx.query(kSqliteIndexes, {table}).rows) {
    if (i.str("origin") == "pk") continue;
    IndexShape index{{}, i.boolean("unique"), i.boolean("partial")};
    for (const auto& c : tx.query(kSqliteIndexColumns, {i.str("name")}).rows)
      index.columns.push_back(c.opt_str("name").value_or("<expression>"));
    shape.indexes.push_back(std::move(index));
  }
  return shape;
}

TableShape postgres_table(Tx& tx, const std::string& table) {
  TableShape shape;
  for (const auto& c : tx.query(kPostgresColumns, {table}).rows)
    shape.columns[c.str("name")] = {family_of(c.str("type")), c.str("is_nullable") == "YES"};
  std::map<std::string, IndexShape> indexes;
  for (const auto& r : tx.query(kPostgresIndexes, {table}).rows) {
    if (r.boolean("is_primary")) continue;
    auto& index = indexes[r.str("name")];
    index.unique = r.boolean("is_unique");
    index.partial = r.boolean("is_partial");
    index.columns.push_back(r.str("column_name"));
  }
  for (auto& [name, index] : indexes) shape.indexes.push_back(std::move(index));
  return shape;
}

}  // namespace

std::map<std::string, TableShape> describe_schema(Database& db) {
  return db.read([&](Tx& tx) {
    std::map<std::string, TableShape> tables;
    const bool sqlite = tx.dialect() == Dialect::sqlite;
    for (const auto& t : tx.query(sqlite ? kSqliteTables : kPostgresTables).rows) {
      const auto name = t.str("name");
      auto shape = sqlite ? sqlite_table(tx, name) : postgres_table(tx, name);
      std::sort(shape.indexes.begin(), shape.indexes.end());
      tables.emplace(name, std::move(shape));
    }
    return tables;
  });
}

}  // namespace cxco::store
