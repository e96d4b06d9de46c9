// The WhatsApp Cloud API's notifications (providers.md 2.3 and 2.4) as typed values: the
// customers' messages and the status callbacks on the messages CXCo sent.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cxco::providers {

struct InboundMessage {
  std::string external_number_id;  // value.metadata.phone_number_id: which of our numbers
  std::string display_number;      // value.metadata.display_phone_number as E.164 ("" when absent)
  std::string message_id;          // wamid...
  std::string customer;            // the sender's wa_id, digits only
  std::string customer_name;
  std::string text;        // as the transcript shows it
  bool answerable = true;  // reactions and notices are kept but not answered
};

struct StatusUpdate {
  std::string external_number_id, display_number;  // as in InboundMessage
  std::string message_id;
  std::string status;  // sent, delivered, read, failed
  std::int64_t at = 0;
  std::optional<std::string> errors_json;
};

struct Notification {
  std::vector<InboundMessage> messages;
  std::vector<StatusUpdate> statuses;
  std::int64_t malformed = 0;  // messages without an id or a sender
};

// A notification whose signature has been checked. Tolerant: absent or mistyped fields read as
// empty, and what is not a message or a status is ignored.
Notification parse_notification(const boost::json::object& payload);

}  // namespace cxco::providers
