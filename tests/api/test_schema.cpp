// The SQLite and PostgreSQL migrations are written out per dialect; this keeps them describing
// the same schema: the same tables, columns of the same type family and nullability, and the
// same indexes (columns, uniqueness, partial or not).
#include <sstream>

#include "harness.h"
#include "store/migrations.h"
#include "store/schema.h"

namespace cxco::test {

namespace {

std::string describe(const store::IndexShape& index) {
  std::ostringstream out;
  out << (index.unique ? "UNIQUE " : "") << "(";
  for (std::size_t i = 0; i < index.columns.size(); ++i) out << (i ? ", " : "") << index.columns[i];
  out << ")" << (index.partial ? " WHERE ..." : "");
  return out.str();
}

std::vector<std::string> describe(const std::vector<store::IndexShape>& indexes) {
  std::vector<std::string> out;
  for (const auto& i : indexes) out.push_back(describe(i));
  return out;
}

std::map<std::string, store::TableShape> migrated(const std::string& url) {
  auto db = store::Database::open(url, 1);
  store::apply_migrations(*db);
  return store::describe_schema(*db);
}

}  // namespace

TEST(Schema, BothDatabasesMigrateToTheSameSchema) {
  if (!postgres_backend()) GTEST_SKIP() << "compares with PostgreSQL: runs in the PostgreSQL pass";
  TestDatabase postgres;
  const auto pg = migrated(postgres.url());
  const auto sqlite = migrated("sqlite://" + (postgres.dir() / "schema.db").string());

  std::vector<std::string> pg_tables, sqlite_tables;
  for (const auto& [name, table] : pg) pg_tables.push_back(name);
  for (const auto& [name, table] : sqlite) sqlite_tables.push_back(name);
  ASSERT_EQ(sqlite_tables, pg_tables);
  ASSERT_GE(pg_tables.size(), 15u);  // the comparison saw the real schema, not two empty ones

  for (const auto& [name, expected] : pg) {
    const auto& actual = sqlite.at(name);
    std::vector<std::string> pg_columns, sqlite_columns;
    for (const auto& [column, shape] : expected.columns) pg_columns.push_back(column);
    for (const auto& [column, shape] : actual.columns) sqlite_columns.push_back(column);
    ASSERT_EQ(sqlite_columns, pg_columns) << "columns of " << name;
    for (const auto& [column, shape] : expected.columns) {
      EXPECT_EQ(actual.columns.at(column).type_family, shape.type_family) << name << "." << column;
      EXPECT_EQ(actual.columns.at(column).nullable, shape.nullable) << name << "." << column << " nullability";
    }
    EXPECT_EQ(describe(actual.indexes), describe(expected.indexes)) << "indexes of " << name;
  }
}

}  // namespace cxco::test
