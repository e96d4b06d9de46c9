// Webhook registrations, one delivery per (webhook, event), and the log of delivery attempts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.h"
#include "domain/provider.h"
#include "domain/webhook.h"
#include "store/db.h"

namespace cxco::store::webhooks_repo {

std::vector<domain::Webhook> list(Tx& tx, domain::CompanyId company);
std::optional<domain::Webhook> find(Tx& tx, domain::CompanyId company, std::int64_t webhook_id);
std::int64_t insert(Tx& tx, domain::CompanyId company, const std::string& url, const std::vector<std::string>& events,
                    const std::string& status, const std::string& secret_token, const std::string& now);
void update(Tx& tx, domain::CompanyId company, std::int64_t webhook_id, const domain::WebhookFields& fields,
            const std::string& now);
// The webhook with its deliveries and their attempts.
void remove(Tx& tx, domain::CompanyId company, std::int64_t webhook_id);
// The company's active webhooks, which hear its events.
std::vector<domain::Webhook> subscribers(Tx& tx, domain::CompanyId company);
// Newest first, up to page.limit + 1.
std::vector<domain::DeliveryAttempt> attempts(Tx& tx, domain::CompanyId company, std::int64_t webhook_id,
                                              const domain::PageRequest& page);

// A delivery's body is fixed when the event is fanned out, so every attempt sends the same
// bytes. nullopt when this webhook already has a delivery of the event.
std::optional<std::int64_t> insert_delivery(Tx& tx, domain::CompanyId company, std::int64_t webhook_id,
                                            const std::string& event_id, const std::string& event_type,
                                            const std::string& payload, const std::string& now);

// What an attempt needs: the delivery and where it goes.
struct Delivery {
  std::int64_t id = 0;
  domain::CompanyId company_id;
  std::int64_t webhook_id = 0;
  std::string event_id, event_type, payload;
  std::int64_t attempts = 0;
  std::string url, webhook_status;
  std::optional<std::string> secret_token;
};
// The tenant is the delivery's own (the work queue names deliveries of every company).
std::optional<Delivery> find_delivery(Tx& tx, std::int64_t delivery_id);
// Adds an attempt to the log and moves the delivery on (pending, delivered or failed).
void record_attempt(Tx& tx, const Delivery& delivery, const domain::DeliveryAttempt& attempt,
                    const std::string& delivery_status);
std::int64_t pending_deliveries(Tx& tx);

// Every stored webhook secret, for `cxco admin rotate-encryption`.
std::vector<domain::EncryptedSecret> secret_tokens(Tx& tx);
void replace_secret_token(Tx& tx, std::int64_t webhook_id, const std::string& token);

}  // namespace cxco::store::webhooks_repo
