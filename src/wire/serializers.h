// The wire form of every resource: one writer per resource, used for API answers and for
// event payloads, so a resource reads the same wherever a customer meets it. Field order
// follows the API reference.
#pragma once

#include <string>
#include <vector>

#include "domain/agent.h"
#include "domain/analysis.h"
#include "domain/audit.h"
#include "domain/call.h"
#include "domain/campaign.h"
#include "domain/catalog.h"
#include "domain/company.h"
#include "domain/conversation.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "domain/provider.h"
#include "domain/quotas.h"
#include "domain/usage.h"
#include "domain/webhook.h"
#include "domain/whatsapp.h"
#include "util/json_writer.h"
#include "wire/cursor.h"

namespace cxco::wire {

using util::JsonWriter;

void write(JsonWriter& w, const domain::Company& company);
void write(JsonWriter& w, const domain::CompanyDetail& company);
void write(JsonWriter& w, const domain::User& user);
void write(JsonWriter& w, const domain::NamedKey& key);
void write(JsonWriter& w, const domain::CreatedKey& created);
void write(JsonWriter& w, const domain::AuditEntry& entry);
void write(JsonWriter& w, const domain::Voice& voice);
void write(JsonWriter& w, const domain::PhoneNumber& number);
void write(JsonWriter& w, const domain::Agent& agent);
// {"criteria": [{id, name, prompt}], "data_fields": [{id, type, description, enum?}]}: in agent
// answers and as the agent's stored column.
void write(JsonWriter& w, const domain::AnalysisSettings& settings);
// {"criteria": {id: {result, rationale}}, "data": {id: {value, rationale}}}: in the
// conversation detail and as its stored column.
void write(JsonWriter& w, const domain::Analysis& analysis);
void write(JsonWriter& w, const domain::DataValue& value);
void write(JsonWriter& w, const domain::AnalysisUsage& usage);
void write(JsonWriter& w, const domain::ConversationSummary& conversation);
void write(JsonWriter& w, const domain::ConversationDetail& conversation);
void write(JsonWriter& w, const domain::TranscriptTurn& turn);
void write(JsonWriter& w, const domain::Webhook& webhook);
void write(JsonWriter& w, const domain::CreatedWebhook& created);
void write(JsonWriter& w, const domain::DeliveryAttempt& attempt);
void write(JsonWriter& w, const domain::CompanyUsage& usage);
void write(JsonWriter& w, const domain::AgentUsage& usage);
void write(JsonWriter& w, const domain::DailyUsage& usage);
void write(JsonWriter& w, const domain::ProviderInfo& provider);
void write(JsonWriter& w, const domain::StoredCredentials& credentials);
void write(JsonWriter& w, const domain::IngestResult& result);
void write(JsonWriter& w, const domain::InboundReport& report);
void write(JsonWriter& w, const domain::ReconcileReport& report);
void write(JsonWriter& w, const domain::RotationReport& report);
void write(JsonWriter& w, const domain::Call& call);
void write(JsonWriter& w, const domain::CallingWindow& window);
void write(JsonWriter& w, const domain::Campaign& campaign);
void write(JsonWriter& w, const domain::Recipient& recipient);
void write(JsonWriter& w, const domain::DoNotCallEntry& entry);
void write(JsonWriter& w, const std::string& text);

// POST /api/campaigns/{id}/recipients.
struct RecipientsAdded {
  std::int64_t added = 0;
};
void write(JsonWriter& w, const RecipientsAdded& added);

// GET /api/phone-numbers/{id}/whatsapp-status.
struct WhatsAppStatusOf {
  const domain::PhoneNumber& number;
};
void write(JsonWriter& w, const WhatsAppStatusOf& status);

// The fields of a company or user without the braces, for answers that add to them.
void write_fields(JsonWriter& w, const domain::Company& company);
void write_fields(JsonWriter& w, const domain::User& user);

// The resource with its API key, shown this once.
template <class T>
void write(JsonWriter& w, const domain::WithKey<T>& created) {
  w.begin_object();
  write_fields(w, created.resource);
  w.field("api_key", created.api_key).end_object();
}

template <class T>
void write(JsonWriter& w, const std::vector<T>& items) {
  w.begin_array();
  for (const auto& item : items) write(w, item);
  w.end_array();
}

// {"items", "has_more", "next_cursor"} (platform.md section 3 "Pagination").
template <class T>
void write(JsonWriter& w, const domain::Page<T>& page) {
  w.begin_object().key("items");
  write(w, page.items);
  w.field("has_more", page.has_more);
  const auto next = page.next_before_id();
  w.key("next_cursor");
  if (next)
    w.value(encode_cursor(*next));
  else
    w.value(nullptr);
  w.end_object();
}

template <class T>
std::string to_json(const T& value) {
  JsonWriter w;
  write(w, value);
  return w.take();
}

// Event payloads (platform.md section 5): `data` of each event type.
std::string agent_status_changed(std::int64_t agent_id, domain::AgentStatus from, domain::AgentStatus to);
std::string call_status_changed(const domain::Call& call, domain::CallStatus from);
std::string campaign_status_changed(std::int64_t campaign_id, domain::CampaignStatus from, domain::CampaignStatus to);
std::string whatsapp_verified(const domain::PhoneNumber& number, const std::optional<std::string>& failure_reason);
// The envelope every webhook receives.
std::string event_envelope(const std::string& event_id, const std::string& type, const std::string& created_at,
                           domain::CompanyId company, const std::string& data_json);

}  // namespace cxco::wire
