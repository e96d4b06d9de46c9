// Webhook registrations and their delivery log (reference "Webhooks", platform.md 3 and 5).
// Secrets are stored as Fernet tokens and never shown again after creation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/fernet.h"
#include "domain/page.h"
#include "domain/webhook.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

// The queue of webhook deliveries in the work queue (store/work_queue.h).
inline constexpr const char* kWebhookDeliveryQueue = "webhook_delivery";

class Webhooks {
 public:
  Webhooks(store::Database& db, const util::Clock& clock, const crypto::MultiFernet& fernet, bool allow_private)
      : db_(db), clock_(clock), fernet_(fernet), allow_private_(allow_private) {}

  // Why a URL may not be registered (platform.md section 3 "Webhooks"), or nullopt.
  std::optional<std::string> refuse_url(const std::string& url) const;

  std::vector<domain::Webhook> list(domain::CompanyId company);
  // url and events required; without a secret one is generated and shown once.
  domain::CreatedWebhook create(domain::CompanyId company, const domain::WebhookFields& fields);
  domain::Webhook update(domain::CompanyId company, std::int64_t webhook_id, const domain::WebhookFields& fields);
  void remove(domain::CompanyId company, std::int64_t webhook_id);
  domain::Page<domain::DeliveryAttempt> attempts(domain::CompanyId company, std::int64_t webhook_id,
                                                 const domain::PageRequest& page);
  // Queues a signed `webhook.test` event for this webhook only, through the normal delivery path.
  domain::TestEvent send_test(domain::CompanyId company, std::int64_t webhook_id);

 private:
  store::Database& db_;
  const util::Clock& clock_;
  const crypto::MultiFernet& fernet_;
  bool allow_private_;
};

}  // namespace cxco::services
