#include "services/webhooks.h"

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "http/egress.h"
#include "store/audit_repo.h"
#include "store/webhooks_repo.h"
#include "store/work_queue.h"
#include "util/json_writer.h"
#include "wire/serializers.h"

namespace cxco::services {

namespace {

domain::Webhook owned(store::Tx& tx, domain::CompanyId company, std::int64_t webhook_id) {
  auto hook = store::webhooks_repo::find(tx, company, webhook_id);
  if (!hook) throw ApiError::not_found("Webhook not found");
  return std::move(*hook);
}

}  // namespace

std::optional<std::string> Webhooks::refuse_url(const std::string& url) const {
  return http::check_tenant_url(url, allow_private_);
}

std::vector<domain::Webhook> Webhooks::list(domain::CompanyId company) {
  return db_.read([&](store::Tx& tx) { return store::webhooks_repo::list(tx, company); });
}

domain::CreatedWebhook Webhooks::create(domain::CompanyId company, const domain::WebhookFields& f) {
  domain::CreatedWebhook created;
  auto secret = f.secret;
  if (!secret)
    created.generated_secret = secret = "whsec_" + crypto::base64_encode(crypto::random_bytes(24), true, false);
  const auto token = fernet_.encrypt(*secret);
  created.webhook = db_.write([&](store::Tx& tx) {
    const auto now = util::iso8601(clock_.now());
    const auto id =
        store::webhooks_repo::insert(tx, company, *f.url, *f.events, f.status.value_or("active"), token, now);
    store::audit_repo::record(tx, company, "webhook", id, now);
    return owned(tx, company, id);
  });
  return created;
}

domain::Webhook Webhooks::update(domain::CompanyId company, std::int64_t webhook_id, const domain::WebhookFields& f) {
  return db_.write([&](store::Tx& tx) {
    owned(tx, company, webhook_id);
    const auto now = util::iso8601(clock_.now());
    store::webhooks_repo::update(tx, company, webhook_id, f, now);
    store::audit_repo::record(tx, company, "webhook", webhook_id, now);
    return owned(tx, company, webhook_id);
  });
}

void Webhooks::remove(domain::CompanyId company, std::int64_t webhook_id) {
  db_.write([&](store::Tx& tx) {
    owned(tx, company, webhook_id);
    store::webhooks_repo::remove(tx, company, webhook_id);
    store::audit_repo::record(tx, company, "webhook", webhook_id, util::iso8601(clock_.now()));
  });
}

domain::Page<domain::DeliveryAttempt> Webhooks::attempts(domain::CompanyId company, std::int64_t webhook_id,
                                                         const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) {
    owned(tx, company, webhook_id);
    return store::webhooks_repo::attempts(tx, company, webhook_id, page);
  }),
                         page.limit);
}

domain::TestEvent Webhooks::send_test(domain::CompanyId company, std::int64_t webhook_id) {
  return db_.write([&](store::Tx& tx) {
    owned(tx, company, webhook_id);
    const auto now = util::iso8601(clock_.now());
    const std::string event_id = "evt_" + crypto::random_base62(24);
    util::JsonWriter data;
    data.begin_object()
        .field("webhook_id", webhook_id)
        .field("message", "This is a test event from CXCo.")
        .end_object();
    const auto payload = wire::event_envelope(event_id, "webhook.test", now, company, data.str());
    const auto delivery =
        store::webhooks_repo::insert_delivery(tx, company, webhook_id, event_id, "webhook.test", payload, now);
    store::work_queue::enqueue(tx, kWebhookDeliveryQueue, *delivery, std::to_string(webhook_id), clock_.now_ms(), now);
    store::audit_repo::record(tx, company, "webhook", webhook_id, now);
    return domain::TestEvent{event_id};
  });
}

}  // namespace cxco::services
