// The threading rule of WhatsApp chats (platform.md section 4), shared by inbound messages,
// replies and the worker that closes idle chats: one `whatsapp` conversation per (number,
// customer) until 24 hours of silence. Each runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <string>

#include "domain/whatsapp.h"
#include "store/db.h"

namespace cxco::services::whatsapp_threads {

inline constexpr const char* kReplyQueue = "whatsapp_reply";
inline constexpr const char* kVerificationQueue = "whatsapp_verification";

domain::WhatsAppThread open(store::Tx& tx, const domain::WhatsAppRoute& number, const std::string& customer,
                            const std::string& customer_name, std::int64_t now_ms, const std::string& now);
// The conversation ends at its last message, with conversation.completed.
void close(store::Tx& tx, const domain::WhatsAppThread& thread, const std::string& now);
// A message joins the transcript, message_count and usage (on the UTC day the conversation
// started, as for calls), and restarts the 24 hours.
void add_message(store::Tx& tx, const domain::WhatsAppThread& thread, const char* role, const std::string& text,
                 std::int64_t at_ms, bool opened);

}  // namespace cxco::services::whatsapp_threads
