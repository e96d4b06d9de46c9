// Upkeep every node runs beside the API: it writes the last use of scoped keys that the
// requests noted in memory (services::Keys) every pass, and prunes the audit log past its
// retention from the work queue, where one job, due again every hour, lets one node at a time
// do it and survives restarts.
#pragma once

#include <chrono>
#include <cstdint>

#include "services/keys.h"
#include "services/queue_worker.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

inline constexpr const char* kAuditPruneQueue = "audit_prune";

struct HousekeepingOptions {
  int audit_retention_days = 365;  // CXCO_AUDIT_RETENTION_DAYS; 0 keeps the log forever
  // Between passes: how stale a key's last_used_at may be (plus the time to write it).
  std::chrono::milliseconds poll{std::chrono::seconds(2)};
};

class Housekeeping {
 public:
  Housekeeping(store::Database& db, const util::Clock& clock, Keys& keys, HousekeepingOptions options);
  void start();
  // Stops, then writes the key uses noted since the last pass.
  void stop();

 private:
  void prune_audit_log(const store::work_queue::Job& job);

  store::Database& db_;
  const util::Clock& clock_;
  Keys& keys_;
  HousekeepingOptions options_;
  QueueWorker worker_;  // last: stopped before the members its jobs use are destroyed
};

}  // namespace cxco::services
