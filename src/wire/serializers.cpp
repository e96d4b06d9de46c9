#include "wire/serializers.h"

#include <cmath>
#include <type_traits>
#include <variant>

#include "util/time.h"

namespace cxco::wire {

namespace {

// A stored JSON document (settings, tags, metadata) or null.
void raw_or_null(JsonWriter& w, std::string_view key, const std::optional<std::string>& json) {
  w.key(key);
  if (json)
    w.raw(*json);
  else
    w.value(nullptr);
}

void write_voice_totals(JsonWriter& w, const domain::UsageTotals& t) {
  w.begin_object()
      .field("total_conversations", t.conversations)
      .field("total_minutes", domain::minutes(t.duration_seconds))
      .field("total_sip_refer_minutes", domain::minutes(t.sip_refer_seconds))
      .field("average_duration_seconds", domain::average_duration_seconds(t))
      .field("success_rate", domain::success_rate(t))
      .field("outbound_conversations", t.outbound_conversations)
      .field("outbound_minutes", domain::minutes(t.outbound_duration_seconds))
      .end_object();
}

void write_channels(JsonWriter& w, const domain::ChannelTotals& totals) {
  w.key("voice");
  write_voice_totals(w, totals.voice);
  w.key("whatsapp")
      .begin_object()
      .field("total_conversations", totals.whatsapp.conversations)
      .field("total_messages", totals.whatsapp.messages)
      .end_object();
}

void write_period(JsonWriter& w, domain::DayRange range) {
  w.key("period")
      .begin_object()
      .field("start_date", util::date_from_days(range.first))
      .field("end_date", util::date_from_days(range.last))
      .end_object();
}

void write_summary_fields(JsonWriter& w, const domain::ConversationSummary& c) {
  w.field("id", c.id)
      .field("agent_id", c.agent_id)
      .field("company_id", c.company_id.value)
      .field("channel", c.channel)
      .field("caller_number", c.caller_number)
      .field("direction", c.direction)
      .field("started_at", c.started_at)
      .field("ended_at", c.ended_at)
      .field("duration_seconds", c.duration_seconds)
      .field("message_count", c.message_count)
      .field("status", c.status)
      .field("call_successful", c.call_successful)
      .field("sip_refer_destination", c.sip_refer_destination)
      .field("transcript_summary", c.transcript_summary)
      .field("source", c.source)
      .field("external_conversation_id", c.external_conversation_id)
      .field("created_at", c.created_at);
}

void write_number_fields(JsonWriter& w, const domain::PhoneNumber& n) {
  w.field("id", n.id)
      .field("number", n.number)
      .field("provider_slug", n.provider_slug)
      .field("country_code", n.country_code)
      .field("status", n.status)
      .key("company_id");
  if (n.company_id)
    w.value(n.company_id->value);
  else
    w.value(nullptr);
  w.field("agent_id", n.agent_id)
      .field("whatsapp_status", domain::to_string(n.whatsapp_status))
      .field("whatsapp_external_id", n.whatsapp_external_id)
      .field("created_at", n.created_at)
      .field("updated_at", n.updated_at);
}

void write_key_fields(JsonWriter& w, const domain::NamedKey& k) {
  w.field("id", k.id).field("name", k.name).field("prefix", k.prefix).key("scopes").begin_array();
  for (const auto scope : k.scopes.list()) w.value(domain::to_string(scope));
  w.end_array().key("agent_ids");
  if (k.agents.restricted()) {
    w.begin_array();
    for (const auto id : k.agents.ids()) w.value(id);
    w.end_array();
  } else {
    w.value(nullptr);
  }
  w.field("expires_at", k.expires_at).field("created_at", k.created_at).field("last_used_at", k.last_used_at);
}

}  // namespace

void write_fields(JsonWriter& w, const domain::Company& c) {
  w.field("id", c.id.value)
      .field("name", c.name)
      .field("status", c.status)
      .field("meta_business_id", c.meta_business_id);
  raw_or_null(w, "settings", c.settings_json);
  w.field("created_at", c.created_at).field("updated_at", c.updated_at);
  w.key("quotas")
      .begin_object()
      .field("max_active_agents", c.quotas.max_active_agents)
      .field("max_concurrent_calls", c.quotas.max_concurrent_calls)
      .field("monthly_voice_minutes", c.quotas.monthly_voice_minutes)
      .field("monthly_outbound_calls", c.quotas.monthly_outbound_calls)
      .end_object();
}

void write(JsonWriter& w, const domain::Company& c) {
  w.begin_object();
  write_fields(w, c);
  w.end_object();
}

void write(JsonWriter& w, const domain::CompanyDetail& c) {
  w.begin_object();
  write_fields(w, c.company);
  w.key("quota_usage")
      .begin_object()
      .field("active_agents", c.usage.active_agents)
      .field("concurrent_calls", c.usage.concurrent_calls)
      .field("voice_minutes_this_month", domain::minutes(c.usage.voice_seconds_this_month))
      .field("outbound_calls_this_month", c.usage.outbound_calls_this_month)
      .end_object()
      .end_object();
}

void write(JsonWriter& w, const domain::NamedKey& k) {
  w.begin_object();
  write_key_fields(w, k);
  w.end_object();
}

void write(JsonWriter& w, const domain::CreatedKey& c) {
  w.begin_object();
  write_key_fields(w, c.key);
  w.field("key", c.secret).end_object();
}

void write(JsonWriter& w, const domain::AuditEntry& e) {
  const auto& r = e.request;
  w.begin_object()
      .field("id", e.id)
      .field("created_at", e.created_at)
      .field("key_id", r.key_id)
      .field("key_type", r.key_type)
      .field("user_id", r.user_id)
      .field("method", r.method)
      .field("route", r.route)
      .field("resource_type", e.resource_type)
      .field("resource_id", e.resource_id)
      .field("status", r.status)
      .field("request_id", r.request_id)
      .field("ip", r.ip)
      .end_object();
}

void write_fields(JsonWriter& w, const domain::User& u) {
  w.field("id", u.id)
      .field("company_id", u.company_id.value)
      .field("email", u.email)
      .field("name", u.name)
      .field("role", u.role)
      .field("status", u.status)
      .field("created_at", u.created_at)
      .field("updated_at", u.updated_at);
}

void write(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  write_fields(w, u);
  w.end_object();
}

void write(JsonWriter& w, const domain::Voice& v) {
  w.begin_object()
      .field("id", v.id)
      .field("provider_id", v.provider_id)
      .field("external_voice_id", v.external_voice_id)
      .field("name", v.name)
      .field("gender", v.gender)
      .field("accent", v.accent)
      .field("language", v.language)
      .field("preview_url", v.preview_url);
  raw_or_null(w, "tags", v.tags_json);
  w.field("status", v.status).end_object();
}

void write(JsonWriter& w, const domain::PhoneNumber& n) {
  w.begin_object();
  write_number_fields(w, n);
  w.end_object();
}

void write(JsonWriter& w, const WhatsAppStatusOf& s) {
  w.begin_object()
      .field("id", s.number.id)
      .field("number", s.number.number)
      .field("whatsapp_status", domain::to_string(s.number.whatsapp_status))
      .end_object();
}

void write(JsonWriter& w, const domain::Agent& a) {
  const bool live = domain::is_live(a.status);
  w.begin_object()
      .field("id", a.id)
      .field("company_id", a.company_id.value)
      .field("name", a.name)
      .field("personality", a.personality)
      .field("opening_line", a.opening_line)
      .key("voice")
      .begin_object()
      .field("id", a.voice_id)
      .field("name", a.voice_name)
      .end_object()
      .field("language", a.language)
      .field("status", domain::to_string(a.status))
      .field("voice_enabled", a.voice_enabled)
      .field("whatsapp_enabled", a.whatsapp_enabled)
      .field("external_agent_id", live ? a.external_agent_id : std::nullopt)
      .key("phone_number");
  // A number reserved by a publish still in progress is not shown until the agent is live.
  if (live && a.phone_number_id)
    w.begin_object()
        .field("id", *a.phone_number_id)
        .field("number", a.number)
        .field("voice_enabled", true)
        .field("whatsapp_enabled", a.whatsapp_status == domain::WhatsAppStatus::active)
        .field("whatsapp_status", domain::to_string(a.whatsapp_status))
        .end_object();
  else
    w.value(nullptr);
  w.key("config")
      .begin_object()
      .field("temperature", a.config.temperature)
      .field("max_call_duration_seconds", a.config.max_call_duration_seconds)
      .end_object()
      .key("analysis");
  write(w, a.analysis);
  w.field("created_at", a.created_at).field("updated_at", a.updated_at).end_object();
}

void write(JsonWriter& w, const domain::AnalysisSettings& s) {
  w.begin_object().key("criteria").begin_array();
  for (const auto& c : s.criteria)
    w.begin_object().field("id", c.id).field("name", c.name).field("prompt", c.prompt).end_object();
  w.end_array().key("data_fields").begin_array();
  for (const auto& f : s.data_fields) {
    w.begin_object().field("id", f.id).field("type", domain::to_string(f.type)).field("description", f.description);
    if (!f.enum_values.empty()) {
      w.key("enum");
      write(w, f.enum_values);
    }
    w.end_object();
  }
  w.end_array().end_object();
}

void write(JsonWriter& w, const domain::DataValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          w.value(nullptr);
        else
          w.value(x);
      },
      v);
}

void write(JsonWriter& w, const domain::Analysis& a) {
  w.begin_object().key("criteria").begin_object();
  for (const auto& [id, c] : a.criteria)
    w.key(id).begin_object().field("result", domain::to_string(c.result)).field("rationale", c.rationale).end_object();
  w.end_object().key("data").begin_object();
  for (const auto& [id, d] : a.data) {
    w.key(id).begin_object().key("value");
    write(w, d.value);
    w.field("rationale", d.rationale).end_object();
  }
  w.end_object().end_object();
}

void write(JsonWriter& w, const domain::AnalysisUsage& u) {
  w.begin_object();
  write_period(w, u.period);
  w.key("criteria").begin_object();
  for (const auto& [id, c] : u.criteria)
    w.key(id)
        .begin_object()
        .field("success", c.success)
        .field("failure", c.failure)
        .field("unknown", c.unknown)
        .end_object();
  w.end_object().key("data").begin_object();
  for (const auto& [id, counts] : u.values) {
    w.key(id).begin_object();
    for (const auto& [value, n] : counts) w.field(value, n);
    w.end_object();
  }
  for (const auto& [id, n] : u.numbers) {
    w.key(id).begin_object().field("count", n.count).field("min", n.min);
    w.key("avg");
    if (n.count)
      w.value(n.sum / static_cast<double>(n.count));
    else
      w.value(nullptr);
    w.field("max", n.max).end_object();
  }
  w.end_object().end_object();
}

void write(JsonWriter& w, const domain::TranscriptTurn& t) {
  w.begin_object().field("role", t.role).field("message", t.message).field("timestamp", t.timestamp).end_object();
}

void write(JsonWriter& w, const domain::ConversationSummary& c) {
  w.begin_object();
  write_summary_fields(w, c);
  w.end_object();
}

void write(JsonWriter& w, const domain::ConversationDetail& c) {
  w.begin_object();
  write_summary_fields(w, c);
  w.key("transcript");
  write(w, c.transcript);
  w.key("metadata_").raw(c.metadata_json).key("analysis");
  if (c.analysis)
    write(w, *c.analysis);
  else
    w.value(nullptr);
  w.end_object();
}

void write(JsonWriter& w, const domain::Webhook& h) {
  w.begin_object().field("id", h.id).field("company_id", h.company_id.value).field("url", h.url).key("events");
  write(w, h.events);
  w.field("status", h.status).field("created_at", h.created_at).field("updated_at", h.updated_at).end_object();
}

void write(JsonWriter& w, const domain::CreatedWebhook& c) {
  const auto& h = c.webhook;
  w.begin_object().field("id", h.id).field("company_id", h.company_id.value).field("url", h.url).key("events");
  write(w, h.events);
  w.field("status", h.status).field("created_at", h.created_at).field("updated_at", h.updated_at);
  if (c.generated_secret) w.field("secret", *c.generated_secret);
  w.end_object();
}

void write(JsonWriter& w, const domain::DeliveryAttempt& a) {
  w.begin_object()
      .field("id", a.id)
      .field("delivery_id", a.delivery_id)
      .field("event_id", a.event_id)
      .field("event_type", a.event_type)
      .field("attempt", a.attempt)
      .field("outcome", a.outcome)
      .field("status_code", a.status_code)
      .field("error", a.error)
      .field("latency_ms", std::round(a.latency_ms * 10) / 10)
      .field("next_retry_at", a.next_retry_at)
      .field("created_at", a.created_at)
      .end_object();
}

void write(JsonWriter& w, const domain::CompanyUsage& u) {
  w.begin_object();
  write_period(w, u.period);
  write_channels(w, u.totals);
  w.field("agents_active", u.agents_active).key("by_agent").begin_array();
  // A voice breakdown, like the `voice` block: its conversations are calls.
  for (const auto& a : u.by_agent)
    w.begin_object()
        .field("agent_id", a.agent_id)
        .field("agent_name", a.agent_name)
        .field("voice_minutes", domain::minutes(a.totals.voice.duration_seconds))
        .field("total_conversations", a.totals.voice.conversations)
        .end_object();
  w.end_array().end_object();
}

void write(JsonWriter& w, const domain::AgentUsage& u) {
  w.begin_object().field("agent_id", u.agent_id);
  write_period(w, u.period);
  write_channels(w, u.totals);
  w.end_object();
}

void write(JsonWriter& w, const domain::DailyUsage& u) {
  w.begin_array();
  for (const auto& [day, totals] : u.days) {
    w.begin_object().field("date", util::date_from_days(day));
    write_channels(w, totals);
    w.end_object();
  }
  w.end_array();
}

void write(JsonWriter& w, const domain::ProviderInfo& p) {
  w.begin_object()
      .field("id", p.id)
      .field("slug", p.slug)
      .field("name", p.name)
      .field("type", p.type)
      .field("status", p.status);
  if (p.config_json) w.key("config").raw(*p.config_json);
  w.end_object();
}

void write(JsonWriter& w, const domain::StoredCredentials& c) {
  w.begin_object()
      .field("id", c.id)
      .field("company_id", c.company_id.value)
      .field("provider_id", c.provider_id)
      .field("status", c.status)
      .field("created_at", c.created_at)
      .end_object();
}

void write(JsonWriter& w, const domain::IngestResult& r) {
  w.begin_object();
  switch (r.outcome) {
    case domain::IngestResult::Outcome::stored: w.field("status", "stored"); break;
    case domain::IngestResult::Outcome::duplicate: w.field("status", "duplicate"); break;
    case domain::IngestResult::Outcome::ignored: w.field("status", "ignored").field("reason", r.reason); break;
  }
  if (r.conversation_id) w.field("conversation_id", *r.conversation_id);
  w.end_object();
}

void write(JsonWriter& w, const domain::InboundReport& r) {
  w.begin_object()
      .field("status", "ok")
      .field("stored", r.stored)
      .field("duplicates", r.duplicates)
      .field("ignored", r.ignored)
      .field("statuses", r.statuses)
      .end_object();
}

void write(JsonWriter& w, const domain::ReconcileReport& r) {
  w.begin_object()
      .field("listed", r.listed)
      .field("stored", r.stored)
      .field("already_stored", r.already_stored)
      .field("unfinished", r.unfinished)
      .field("ignored", r.ignored)
      .field("failed_workspaces", r.failed_workspaces)
      .end_object();
}

void write(JsonWriter& w, const domain::RotationReport& r) {
  w.begin_object()
      .field("rotated", r.rotated)
      .field("current", r.current)
      .field("unreadable", r.unreadable)
      .end_object();
}

void write(JsonWriter& w, const domain::Call& c) {
  w.begin_object()
      .field("id", c.id)
      .field("company_id", c.company_id.value)
      .field("agent_id", c.agent_id)
      .field("campaign_id", c.campaign_id)
      .field("recipient_id", c.recipient_id)
      .field("direction", "outbound")
      .field("from_number", c.from_number)
      .field("to_number", c.to_number)
      .field("status", domain::public_name(c.status))
      .field("end_reason", c.end_reason)
      .field("attempt", c.attempt)
      .field("external_conversation_id", c.external_conversation_id)
      .field("conversation_id", c.conversation_id)
      .key("dynamic_variables")
      .raw(c.dynamic_variables_json);
  raw_or_null(w, "metadata", c.metadata_json);
  w.field("created_at", c.created_at)
      .field("updated_at", c.updated_at)
      .field("started_at", c.started_at)
      .field("ended_at", c.ended_at)
      .end_object();
}

void write(JsonWriter& w, const domain::CallingWindow& window) {
  w.begin_object().key("days").begin_array();
  // Monday first, as people write weeks.
  for (unsigned d = 1; d <= 7; ++d)
    if (window.days >> (d % 7) & 1u) w.value(domain::weekday_name(d % 7));
  w.end_array()
      .field("start", domain::format_clock(window.start_minute))
      .field("end", domain::format_clock(window.end_minute))
      .end_object();
}

void write(JsonWriter& w, const domain::Campaign& c) {
  w.begin_object()
      .field("id", c.id)
      .field("company_id", c.company_id.value)
      .field("agent_id", c.agent_id)
      .field("name", c.name)
      .field("status", domain::to_string(c.status))
      .field("timezone", c.timezone)
      .field("start_at", c.start_at)
      .key("calling_windows");
  write(w, c.calling_windows);
  w.field("max_concurrency", c.max_concurrency)
      .key("retry")
      .begin_object()
      .field("max_attempts", c.retry.max_attempts)
      .field("backoff_seconds", c.retry.backoff_seconds)
      .key("on")
      .begin_array();
  for (const auto outcome : c.retry.on) w.value(domain::to_string(outcome));
  const auto& n = c.counts;
  w.end_array()
      .end_object()
      .key("counts")
      .begin_object()
      .field("total", n.total)
      .field("pending", n.pending)
      .field("in_progress", n.in_progress)
      .field("completed", n.completed)
      .field("failed", n.failed)
      .field("skipped", n.skipped)
      .field("canceled", n.canceled)
      .end_object()
      .key("usage")
      .begin_object()
      .field("calls", c.usage.calls)
      .field("conversations", c.usage.conversations)
      .field("minutes", domain::minutes(c.usage.duration_seconds))
      .end_object()
      .field("created_at", c.created_at)
      .field("updated_at", c.updated_at)
      .field("completed_at", c.completed_at)
      .end_object();
}

void write(JsonWriter& w, const domain::Recipient& r) {
  w.begin_object()
      .field("id", r.id)
      .field("phone_number", r.phone_number)
      .field("timezone", r.timezone)
      .field("external_id", r.external_id)
      .key("dynamic_variables")
      .raw(r.dynamic_variables_json)
      .field("status", domain::to_string(r.status))
      .field("attempts", r.attempts)
      .field("last_outcome", r.last_outcome)
      .key("next_attempt_at");
  if (r.next_attempt_ms)
    w.value(util::iso8601(*r.next_attempt_ms / 1000));
  else
    w.value(nullptr);
  w.key("call_ids").begin_array();
  for (const auto id : r.call_ids) w.value(id);
  w.end_array().end_object();
}

void write(JsonWriter& w, const domain::DoNotCallEntry& e) {
  w.begin_object()
      .field("phone_number", e.phone_number)
      .field("reason", e.reason)
      .field("created_at", e.created_at)
      .end_object();
}

void write(JsonWriter& w, const RecipientsAdded& a) { w.begin_object().field("added", a.added).end_object(); }

void write(JsonWriter& w, const std::string& text) { w.value(text); }

std::string agent_status_changed(std::int64_t agent_id, domain::AgentStatus from, domain::AgentStatus to) {
  JsonWriter w;
  w.begin_object()
      .field("agent_id", agent_id)
      .field("previous_status", domain::to_string(from))
      .field("status", domain::to_string(to))
      .end_object();
  return w.take();
}

std::string call_status_changed(const domain::Call& call, domain::CallStatus from) {
  JsonWriter w;
  w.begin_object()
      .field("call_id", call.id)
      .field("previous_status", domain::public_name(from))
      .field("status", domain::public_name(call.status))
      .field("end_reason", call.end_reason)
      .end_object();
  return w.take();
}

std::string campaign_status_changed(std::int64_t campaign_id, domain::CampaignStatus from, domain::CampaignStatus to) {
  JsonWriter w;
  w.begin_object()
      .field("campaign_id", campaign_id)
      .field("previous_status", domain::to_string(from))
      .field("status", domain::to_string(to))
      .end_object();
  return w.take();
}

std::string whatsapp_verified(const domain::PhoneNumber& number, const std::optional<std::string>& failure_reason) {
  JsonWriter w;
  w.begin_object();
  write_number_fields(w, number);
  w.field("failure_reason", failure_reason).end_object();
  return w.take();
}

std::string event_envelope(const std::string& event_id, const std::string& type, const std::string& created_at,
                           domain::CompanyId company, const std::string& data_json) {
  JsonWriter w;
  w.begin_object()
      .field("id", event_id)
      .field("type", type)
      .field("created_at", created_at)
      .field("company_id", company.value)
      .key("data")
      .raw(data_json)
      .end_object();
  return w.take();
}

}  // namespace cxco::wire
