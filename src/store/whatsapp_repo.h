// WhatsApp chats: threads (one conversation per number and customer until 24 hours of
// silence), every message in and out, the replies to write and send, and number verifications.
// Rows are found by id from the work queue or by provider ids from notifications; the tenant
// is each row's own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/whatsapp.h"
#include "store/db.h"

namespace cxco::store::whatsapp_repo {

// Threads
std::optional<domain::WhatsAppThread> lock_open_thread(Tx& tx, domain::CompanyId company, std::int64_t phone_number_id,
                                                       const std::string& customer, std::int64_t agent_id);
std::optional<domain::WhatsAppThread> lock_thread(Tx& tx, domain::CompanyId company, std::int64_t conversation_id);
void insert_thread(Tx& tx, const domain::WhatsAppThread& thread, std::int64_t phone_number_id,
                   const std::string& customer);
// False when it was closed already.
bool close_thread(Tx& tx, std::int64_t conversation_id);
void touch_thread(Tx& tx, std::int64_t conversation_id, std::int64_t last_message_ms);
bool any_idle_thread(Tx& tx, std::int64_t cutoff_ms);
std::vector<domain::WhatsAppThread> lock_idle_threads(Tx& tx, std::int64_t cutoff_ms, int limit);

// Messages
bool message_exists(Tx& tx, const std::string& external_message_id);
std::int64_t insert_inbound(Tx& tx, domain::CompanyId company, std::int64_t conversation_id,
                            const std::string& external_message_id, const std::string& body, const std::string& now);
void insert_outbound(Tx& tx, domain::CompanyId company, std::int64_t conversation_id,
                     const std::string& external_message_id, std::int64_t reply_to_id, const std::string& body,
                     const std::string& now);
struct DeliveryStatus {
  std::int64_t message_id = 0;
  std::string status;
  std::int64_t status_at = 0;
};
std::optional<DeliveryStatus> outbound_status(Tx& tx, domain::CompanyId company,
                                              const std::string& external_message_id);
void set_status(Tx& tx, std::int64_t message_id, const std::string& status, std::int64_t at,
                const std::optional<std::string>& errors_json);
// The conversation up to `message_id`, each answer right after the message it answers:
// (direction, body) pairs.
std::vector<std::pair<std::string, std::string>> history(Tx& tx, domain::CompanyId company,
                                                         std::int64_t conversation_id, std::int64_t message_id);

// Replies
std::int64_t insert_reply(Tx& tx, domain::CompanyId company, std::int64_t conversation_id, std::int64_t message_id,
                          const std::string& now);
// A pending reply with what answering it needs.
std::optional<domain::ReplyJob> find_pending_reply(Tx& tx, std::int64_t reply_id);
void save_reply_text(Tx& tx, std::int64_t reply_id, const std::string& text, const std::string& now);
// Records an attempt's end on a pending reply: `status` (pending to retry, sent, failed,
// skipped), `attempts` added, and the error if any.
void record_reply(Tx& tx, std::int64_t reply_id, const std::string& status, std::int64_t attempts_added,
                  const std::optional<std::string>& error, const std::string& now);

// Verifications
std::int64_t insert_verification(Tx& tx, domain::CompanyId company, std::int64_t phone_number_id, std::int64_t agent_id,
                                 std::int64_t give_up_at_ms, const std::string& now);
std::optional<domain::PendingVerification> find_pending_verification(Tx& tx, std::int64_t verification_id);
// The number was found in the company's account: its Cloud API phone-number id.
void record_found(Tx& tx, std::int64_t verification_id, const std::string& external_id, const std::string& now);
// A check that did not settle it: what was learnt so far.
void record_check(Tx& tx, std::int64_t verification_id, const std::optional<std::string>& external_id, bool registered,
                  const std::string& error, const std::string& now);
// status: active, failed or cancelled.
void finish_verification(Tx& tx, std::int64_t verification_id, const std::string& status,
                         const std::optional<std::string>& external_id, const std::optional<std::string>& error,
                         const std::string& now);

}  // namespace cxco::store::whatsapp_repo
