#include "services/operations.h"

#include "store/outbox.h"
#include "store/webhooks_repo.h"
#include "store/work_queue.h"

namespace cxco::services {

std::vector<metrics::Gauge> Operations::gauges() {
  const auto in_use = db_.in_use();
  std::vector<metrics::Gauge> gauges = {
      {"cxco_db_pool_connections", "Database connections by state", "state=\"in_use\"", static_cast<double>(in_use)},
      {"cxco_db_pool_connections", "Database connections by state", "state=\"idle\"",
       static_cast<double>(db_.pool_size() - in_use)},
  };
  db_.read([&](store::Tx& tx) {
    gauges.push_back({"cxco_outbox_pending_events", "Events written but not yet fanned out to webhooks", "",
                      static_cast<double>(store::outbox::undispatched_count(tx))});
    gauges.push_back({"cxco_webhook_deliveries_pending", "Webhook deliveries waiting for their next attempt", "",
                      static_cast<double>(store::webhooks_repo::pending_deliveries(tx))});
    for (const auto& [queue, depth] : store::work_queue::depth(tx))
      gauges.push_back({"cxco_work_queue_jobs", "Background jobs queued (due or waiting for a retry), by queue",
                        "queue=\"" + queue + "\"", static_cast<double>(depth)});
  });
  return gauges;
}

}  // namespace cxco::services
