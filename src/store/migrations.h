// Numbered schema migrations per dialect (src/store/migrations/<dialect>/NNNN_name.sql),
// embedded in the binary at build time and recorded in schema_migrations once applied.
#pragma once

#include <string>
#include <vector>

#include "store/db.h"

namespace cxco::store {

struct EmbeddedMigration {
  const char* dialect;  // "sqlite" or "postgres"
  int version;
  const char* name;
  const char* sql;
};

const std::vector<EmbeddedMigration>& embedded_migrations();

// Applies every pending migration, each in its own transaction; safe to run from several
// nodes at once. Returns the names of the migrations it applied.
std::vector<std::string> apply_migrations(Database& db);

}  // namespace cxco::store
