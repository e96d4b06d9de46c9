#include "store/migrations.h"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace cxco::store {

std::vector<std::string> apply_migrations(Database& db) {
  const std::string dialect = db.dialect() == Dialect::sqlite ? "sqlite" : "postgres";
  std::vector<const EmbeddedMigration*> mine;
  for (const auto& m : embedded_migrations())
    if (dialect == m.dialect) mine.push_back(&m);
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->version < b->version; });

  db.write([](Tx& tx) {
    tx.script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
  });

  std::vector<std::string> applied;
  for (const auto* m : mine) {
    const bool done = db.write([&](Tx& tx) {
      // Serialises concurrent migrators on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
      if (tx.dialect() == Dialect::postgres) tx.query("SELECT pg_advisory_xact_lock(7240601)");
      if (tx.one("SELECT version FROM schema_migrations WHERE version = ?", {std::int64_t{m->version}})) return false;
      tx.script(m->sql);
      const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
              {std::int64_t{m->version}, std::string(m->name), std::string(stamp)});
      return true;
    });
    if (done) applied.emplace_back(m->name);
  }
  return applied;
}

}  // namespace cxco::store
