// The database a benchmark seeds and measures: a SQLite file under its --dir, or the PostgreSQL
// database --database-url names (emptied before seeding: name one made for the benchmark with
// createdb). The seeded company's key is kept beside, so that --reuse measures again unseeded.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/db.h"
#include "store/migrations.h"

namespace cxco::bench {

struct BenchDatabase {
  std::string url;
  std::filesystem::path key_path;

  BenchDatabase(const std::string& dir, const std::string& database_url) {
    std::filesystem::create_directories(dir);
    const auto file = std::filesystem::path(dir) / "cxco.db";
    url = database_url.empty() ? "sqlite://" + file.string() : database_url;
    key_path = std::filesystem::path(dir) / (database_url.empty() ? "company.key" : "company.postgres.key");
  }
  bool postgres() const { return url.rfind("sqlite://", 0) != 0; }

  // An empty database with the schema applied.
  std::unique_ptr<store::Database> fresh() const {
    if (!postgres())
      for (const auto* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(url.substr(9) + suffix);
    auto db = store::Database::open(url, 1);
    if (postgres()) db->write([](store::Tx& tx) { tx.script("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); });
    store::apply_migrations(*db);
    return db;
  }
};

}  // namespace cxco::bench
