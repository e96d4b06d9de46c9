// What operators watch (platform.md section 6): readiness and the gauges /metrics reads at
// scrape time.
#pragma once

#include <vector>

#include "store/db.h"
#include "util/metrics.h"

namespace cxco::services {

class Operations {
 public:
  explicit Operations(store::Database& db) : db_(db) {}
  bool database_ready() { return db_.ping(); }
  // Database pool use, the outbox and the work queue.
  std::vector<metrics::Gauge> gauges();

 private:
  store::Database& db_;
};

}  // namespace cxco::services
