#include "services/whatsapp.h"

#include "crypto/signatures.h"
#include "domain/agent.h"
#include "domain/errors.h"
#include "providers/whatsapp_webhooks.h"
#include "services/whatsapp_threads.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/numbers_repo.h"
#include "store/whatsapp_repo.h"
#include "store/work_queue.h"
#include "util/log.h"
#include "wire/field_reader.h"

namespace cxco::services {

namespace {

constexpr std::int64_t kVerificationTimeoutMs = 30 * 60 * 1000;  // a number not verified by then has failed

enum class Stored { stored, duplicate, ignored };

Stored store_message(store::Tx& tx, const providers::InboundMessage& in, std::int64_t now_ms, const std::string& now) {
  const auto number = store::numbers_repo::route_whatsapp(tx, in.external_number_id, in.display_number, true);
  if (!number || !number->company_id || !number->agent_id || number->whatsapp_status != "active") {
    util::log_warn("WhatsApp message for a number that is not WhatsApp-active here: ignored",
                   {{"phone_number_id", in.external_number_id}, {"display_phone_number", in.display_number}});
    return Stored::ignored;
  }
  // The number's row lock makes this check and the insert below one step for redeliveries.
  if (store::whatsapp_repo::message_exists(tx, in.message_id)) return Stored::duplicate;
  const auto company = *number->company_id;

  auto thread =
      store::whatsapp_repo::lock_open_thread(tx, company, number->phone_number_id, in.customer, *number->agent_id);
  if (thread && thread->silent_since(now_ms)) {
    whatsapp_threads::close(tx, *thread, now);
    thread.reset();
  }
  const bool opened = !thread;
  if (opened) thread = whatsapp_threads::open(tx, *number, in.customer, in.customer_name, now_ms, now);

  const auto message_id =
      store::whatsapp_repo::insert_inbound(tx, company, thread->conversation_id, in.message_id, in.text, now);
  whatsapp_threads::add_message(tx, *thread, "user", in.text, now_ms, opened);

  // A paused agent keeps the chat but does not answer it.
  const auto agent = store::agents_repo::find(tx, company, *number->agent_id);
  if (in.answerable && agent && agent->status == domain::AgentStatus::active) {
    const auto reply = store::whatsapp_repo::insert_reply(tx, company, thread->conversation_id, message_id, now);
    store::work_queue::enqueue(tx, whatsapp_threads::kReplyQueue, reply, std::to_string(thread->conversation_id),
                               now_ms, now);
  }
  return Stored::stored;
}

// A number is there for a caller if its company holds it and, for a caller that sees only some
// agents, one of them holds it.
bool visible_to(const std::optional<domain::PhoneNumber>& number, const domain::AgentScope& visible) {
  return number && (!visible.restricted() || (number->agent_id && visible.allows(*number->agent_id)));
}

}  // namespace

domain::PhoneNumber WhatsApp::enable(domain::CompanyId company, const domain::AgentScope& visible,
                                     std::int64_t phone_number_id) {
  // Checked first, outside the transaction that changes the number.
  const bool has_account = !live_ || credentials_.has(company, "whatsapp");
  return db_.write([&](store::Tx& tx) {
    const auto number = store::numbers_repo::lock_owned(tx, company, phone_number_id);
    if (!visible_to(number, visible)) throw ApiError::not_found("Phone number not found");
    const auto agent = number->agent_id ? store::agents_repo::find(tx, company, *number->agent_id) : std::nullopt;
    if (number->status != "assigned" || !agent || !domain::is_live(agent->status))
      throw ApiError::invalid_state("WhatsApp can be enabled only on the number of a published agent");
    if (number->whatsapp_status == domain::WhatsAppStatus::pending ||
        number->whatsapp_status == domain::WhatsAppStatus::active)
      throw ApiError::invalid_state("WhatsApp is already " + std::string(domain::to_string(number->whatsapp_status)) +
                                    " on this number");
    if (!has_account)
      throw ApiError::invalid_state(
          "Store the company's WhatsApp Business credentials (POST /api/providers/whatsapp/credentials) first");

    const auto now = util::iso8601(clock_.now());
    // Simulated verification takes CXCO_WHATSAPP_SIM_VERIFY_SECONDS; live starts at once.
    const auto first_check =
        clock_.now_ms() + (live_ ? 0 : static_cast<std::int64_t>(simulated_verify_seconds_ * 1000));
    store::numbers_repo::set_whatsapp_pending(tx, company, phone_number_id, now);
    const auto verification = store::whatsapp_repo::insert_verification(tx, company, phone_number_id, agent->id,
                                                                        first_check + kVerificationTimeoutMs, now);
    store::work_queue::enqueue(tx, whatsapp_threads::kVerificationQueue, verification, "", first_check, now);
    store::audit_repo::record(tx, company, "phone_number", phone_number_id, now);
    return *store::numbers_repo::find_owned(tx, company, phone_number_id);
  });
}

domain::PhoneNumber WhatsApp::number(domain::CompanyId company, const domain::AgentScope& visible,
                                     std::int64_t phone_number_id) {
  auto found = db_.read([&](store::Tx& tx) { return store::numbers_repo::find_owned(tx, company, phone_number_id); });
  if (!visible_to(found, visible)) throw ApiError::not_found("Phone number not found");
  return *found;
}

domain::InboundReport WhatsApp::receive(std::string_view signature, std::string_view raw_body) {
  if (app_secret_.empty()) {
    util::log_warn("WhatsApp webhook refused: CXCO_WHATSAPP_APP_SECRET is not set");
    throw ApiError::unauthenticated("The WhatsApp webhook is not configured on this server");
  }
  if (crypto::verify_whatsapp_signature(signature, app_secret_, raw_body) != crypto::SignatureCheck::ok) {
    util::log_warn("WhatsApp webhook refused: bad X-Hub-Signature-256");
    throw ApiError::unauthenticated("Missing or invalid X-Hub-Signature-256");
  }
  const auto notification = providers::parse_notification(wire::parse_body(raw_body));
  domain::InboundReport report;
  report.ignored = notification.malformed;
  for (const auto& message : notification.messages) {
    const auto stored = db_.write(
        [&](store::Tx& tx) { return store_message(tx, message, clock_.now_ms(), util::iso8601(clock_.now())); });
    switch (stored) {
      case Stored::stored: ++report.stored; break;
      case Stored::duplicate: ++report.duplicates; break;
      case Stored::ignored: ++report.ignored; break;
    }
  }
  for (const auto& status : notification.statuses) {
    const bool recorded = db_.write([&](store::Tx& tx) {
      const auto number =
          store::numbers_repo::route_whatsapp(tx, status.external_number_id, status.display_number, false);
      if (!number || !number->company_id) return false;
      const auto current = store::whatsapp_repo::outbound_status(tx, *number->company_id, status.message_id);
      if (!current) return false;
      // Callbacks arrive out of order: only a later, further status moves the message on.
      if (std::pair(status.at, domain::message_status_rank(status.status)) >
          std::pair(current->status_at, domain::message_status_rank(current->status)))
        store::whatsapp_repo::set_status(tx, current->message_id, status.status, status.at, status.errors_json);
      return true;
    });
    if (recorded) ++report.statuses;
  }
  return report;
}

}  // namespace cxco::services
