// GET /metrics: Prometheus text. Counters and histograms are recorded where things happen;
// pool use and queue depths are read at scrape time.
#include "util/metrics.h"
#include "api/api.h"

namespace cxco::api {

namespace {

http::Response scrape(Call& call) {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics::render(call.services.operations.gauges());
  return r;
}

}  // namespace

void add_metrics_routes(Routes& routes) { routes.add("GET", "/metrics", {Access::open, scrape}); }

}  // namespace cxco::api
