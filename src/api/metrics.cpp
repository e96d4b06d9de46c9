// GET /metrics: Prometheus text. Counters and histograms are recorded where things happen;
// pool use and queue depths are read here, at scrape time.
#include "api/api.h"
#include "util/metrics.h"

namespace cxco::api {

namespace {

http::Response scrape(Call& call) {
  auto& db = call.app.db;
  const auto in_use = db.in_use();
  std::vector<metrics::Gauge> gauges = {
      {"cxco_db_pool_connections", "Database connections by state", "state=\"in_use\"", static_cast<double>(in_use)},
      {"cxco_db_pool_connections", "Database connections by state", "state=\"idle\"",
       static_cast<double>(db.pool_size() - in_use)},
  };
  db.read([&](store::Tx& tx) {
    gauges.push_back({"cxco_outbox_pending_events", "Events written but not yet fanned out to webhooks", "",
                      tx.one("SELECT count(*) AS n FROM events WHERE dispatched_at IS NULL")->f64("n")});
    gauges.push_back({"cxco_webhook_deliveries_pending", "Webhook deliveries waiting for their next attempt", "",
                      tx.one("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'")->f64("n")});
  });
  http::Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics::render(gauges);
  return r;
}

}  // namespace

void add_metrics_routes(Routes& routes) { routes.add("GET", "/metrics", {Access::open, scrape}); }

}  // namespace cxco::api
