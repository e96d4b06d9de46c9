#include "events/dispatcher.h"

#include <algorithm>
#include <map>

#include "crypto/signatures.h"
#include "http/client.h"
#include "http/egress.h"
#include "services/webhooks.h"
#include "store/outbox.h"
#include "store/webhooks_repo.h"
#include "util/log.h"
#include "util/metrics.h"
#include "wire/serializers.h"

namespace cxco::events {

Dispatcher::Dispatcher(store::Database& db, const util::Clock& clock, const crypto::MultiFernet& fernet,
                       DispatcherOptions options)
    : db_(db),
      clock_(clock),
      fernet_(fernet),
      options_(std::move(options)),
      worker_("webhook dispatcher", db, clock, options_.concurrency, options_.poll,
              {services::QueueSpec{services::kWebhookDeliveryQueue,
                                   [this](const store::work_queue::Job& job) { deliver(job); },
                                   // Long enough for one attempt to time out and be recorded;
                                   // then another node may take over.
                                   options_.timeout + std::chrono::seconds(5), false, options_.per_webhook}},
              [this] { fan_out(); }) {}

void Dispatcher::fan_out() {
  if (!db_.read([](store::Tx& tx) { return store::outbox::any_undispatched(tx); })) return;
  db_.write([&](store::Tx& tx) {
    const auto now = util::iso8601(clock_.now());
    const auto now_ms = clock_.now_ms();
    std::map<domain::CompanyId, std::vector<domain::Webhook>> webhooks_of;
    for (const auto& e : store::outbox::lock_undispatched(tx, 200)) {
      auto it = webhooks_of.find(e.company_id);
      if (it == webhooks_of.end())
        it = webhooks_of.emplace(e.company_id, store::webhooks_repo::subscribers(tx, e.company_id)).first;
      std::string payload;
      for (const auto& w : it->second) {
        // A webhook hears about events from its registration on, not about older ones.
        if (w.created_at > e.created_at) continue;
        if (std::find(w.events.begin(), w.events.end(), e.type) == w.events.end()) continue;
        if (payload.empty())
          payload = wire::event_envelope(e.event_id, e.type, e.created_at, e.company_id, e.data_json);
        if (const auto delivery =
                store::webhooks_repo::insert_delivery(tx, e.company_id, w.id, e.event_id, e.type, payload, now))
          store::work_queue::enqueue(tx, services::kWebhookDeliveryQueue, *delivery, std::to_string(w.id), now_ms, now);
      }
      store::outbox::mark_dispatched(tx, e.id, now);
    }
  });
}

void Dispatcher::deliver(const store::work_queue::Job& job) {
  const auto delivery = db_.read([&](store::Tx& tx) { return store::webhooks_repo::find_delivery(tx, job.ref_id); });
  if (!delivery) {
    // Its webhook was deleted meanwhile.
    db_.write([&](store::Tx& tx) { store::work_queue::finish(tx, job); });
    return;
  }
  const auto attempt = delivery->attempts + 1;
  http::ClientResponse res;
  std::string outcome;
  if (delivery->webhook_status != "active") {
    res.error = "webhook is disabled";
    outcome = "skipped";
  } else {
    http::ClientRequest req{.max_response_bytes = 16 * 1024};  // a receiver has nothing to say but 2xx
    req.method = "POST";
    req.url = delivery->url;
    req.body = delivery->payload;
    req.timeout = options_.timeout;
    req.headers = {{"Content-Type", "application/json"},
                   {"User-Agent", "CXCo-Webhooks/1"},
                   {"X-CXCo-Event", delivery->event_type},
                   {"X-CXCo-Delivery", delivery->event_id}};
    if (delivery->secret_token)
      if (const auto secret = fernet_.decrypt(*delivery->secret_token))
        req.headers.emplace_back("X-CXCo-Signature", crypto::sign_cxco_webhook(*secret, clock_.now(), req.body));
    req.allow_address = http::tenant_connections(options_.allow_private);
    res = http::perform(req);
    outcome = res.ok() ? "succeeded" : "failed";
  }
  metrics::increment("cxco_webhook_deliveries_total", {{"outcome", outcome}});

  const bool done = outcome == "succeeded";
  const auto retry_in = done || outcome == "skipped" ? std::nullopt : options_.retry.delay_after(attempt);
  const auto now_ms = clock_.now_ms();
  domain::DeliveryAttempt record;
  record.attempt = attempt;
  record.outcome = outcome;
  if (res.status) record.status_code = res.status;
  if (!res.error.empty()) record.error = res.error;
  record.latency_ms = res.elapsed_ms;
  if (retry_in) record.next_retry_at = util::iso8601((now_ms + *retry_in) / 1000);
  record.created_at = util::iso8601(clock_.now());
  db_.write([&](store::Tx& tx) {
    // Only the holder of the lease records the attempt; a node whose lease ran out must not.
    const bool held = retry_in ? store::work_queue::retry(tx, job, now_ms + *retry_in, res.error)
                               : store::work_queue::finish(tx, job);
    if (!held) return;
    store::webhooks_repo::record_attempt(tx, *delivery, record, done ? "delivered" : retry_in ? "pending" : "failed");
  });
}

}  // namespace cxco::events
