// Outbound webhooks (platform.md section 5): registrations, the events they hear, and the
// delivery log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/company.h"

namespace cxco::domain {

inline constexpr const char* kEventTypes[] = {"conversation.completed", "conversation.transferred",
                                              "agent.status_changed",   "phone_number.whatsapp_verified",
                                              "call.status_changed",    "campaign.status_changed"};
bool is_event_type(std::string_view type);

struct Webhook {
  std::int64_t id = 0;
  CompanyId company_id;
  std::string url;
  std::vector<std::string> events;
  std::string status;  // active | disabled
  std::string created_at, updated_at;
};

struct WebhookFields {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<std::string> status;
  std::optional<std::string> secret;  // create only
};

// A webhook as created: the generated secret, when the caller gave none, is shown this once.
struct CreatedWebhook {
  Webhook webhook;
  std::optional<std::string> generated_secret;
};

// One attempt to deliver an event, as GET /api/webhooks/{id}/deliveries lists it.
struct DeliveryAttempt {
  std::int64_t id = 0;
  std::int64_t delivery_id = 0;
  std::string event_id, event_type;
  std::int64_t attempt = 0;
  std::string outcome;  // succeeded | failed | skipped
  std::optional<std::int64_t> status_code;
  std::optional<std::string> error;
  double latency_ms = 0;
  std::optional<std::string> next_retry_at;
  std::string created_at;
};

struct TestEvent {
  std::string event_id;
};

}  // namespace cxco::domain
