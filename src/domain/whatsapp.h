// WhatsApp chats (platform.md sections 3 and 4): one `whatsapp` conversation per (number,
// customer) until 24 hours of silence, replies written in the agent's personality, and the
// verification that turns WhatsApp on for a number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/company.h"

namespace cxco::domain {

inline constexpr std::int64_t kWhatsAppSilenceMs = 24 * 3600 * 1000;  // a chat ends after this long without messages

// The threading state of one WhatsApp conversation.
struct WhatsAppThread {
  std::int64_t conversation_id = 0;
  CompanyId company_id;
  std::int64_t agent_id = 0;
  std::int64_t started_ms = 0;
  std::int64_t last_message_ms = 0;

  bool silent_since(std::int64_t now_ms) const { return now_ms - last_message_ms >= kWhatsAppSilenceMs; }
};

// A number that WhatsApp traffic is routed to: found by the Cloud API's phone-number id or
// by its display number.
struct WhatsAppRoute {
  std::int64_t phone_number_id = 0;
  std::optional<CompanyId> company_id;
  std::optional<std::int64_t> agent_id;
  std::string whatsapp_status;
  std::string whatsapp_external_id;
};

// What a worker needs to answer one customer message.
struct ReplyJob {
  std::int64_t id = 0;
  CompanyId company_id;
  std::int64_t conversation_id = 0, message_id = 0, phone_number_id = 0;
  std::optional<std::string> reply;  // written earlier by the LLM, when a send failed after it
  std::string customer, personality, external_number_id;
  double temperature = 0.7;
  std::optional<std::string> skip_reason;  // set when the agent must not answer
};

// A pending verification as its worker sees it.
struct PendingVerification {
  std::int64_t id = 0;
  CompanyId company_id;
  std::int64_t phone_number_id = 0, agent_id = 0, give_up_at_ms = 0;
  std::string number;
  std::optional<std::string> external_id;
  bool registered = false;
};

// Order of an outbound message's statuses; callbacks arrive out of order, and a later one
// never takes a message back. 0 for statuses we do not track.
inline int message_status_rank(std::string_view status) {
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  if (status == "read") return 3;
  if (status == "failed") return 4;
  return 0;
}

struct InboundReport {
  std::int64_t stored = 0;      // customer messages stored (and queued for a reply when the agent answers)
  std::int64_t duplicates = 0;  // redelivered messages already stored
  std::int64_t ignored = 0;     // messages for numbers that are not WhatsApp-active here, or malformed ones
  std::int64_t statuses = 0;    // status callbacks recorded on our outbound messages
};

}  // namespace cxco::domain
