// The voice provider's payloads CXCo parses (platform.md section 4, providers.md 1.3-1.5):
// post-call webhooks and the conversations its API lists and answers, as typed values.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "domain/conversation.h"

namespace cxco::providers {

struct PostCall {
  std::string type;  // post_call_transcription, call_initiation_failure, post_call_audio, ...
  // Set for the types CXCo stores (post_call_transcription, call_initiation_failure).
  std::optional<domain::CallRecord> call;
};

// A post-call webhook body whose signature has been checked. Unknown fields are ignored and
// absent ones take defaults, as the provider adds fields over time; a field of the wrong type
// is a 422 (ApiError) naming it, because a signed payload of another shape would otherwise be
// metered wrongly. Types CXCo does not store come back without `call`.
PostCall parse_post_call(const boost::json::object& payload, std::int64_t now_unix);

// GET /v1/convai/conversations/{id}: the same object as a post_call_transcription's `data`.
domain::CallRecord parse_conversation(const boost::json::object& conversation, std::int64_t now_unix);

// An item of GET /v1/convai/conversations.
struct ListedConversation {
  std::string conversation_id;
  bool finished = false;  // done or failed: running ones still have their webhook to come
};
std::optional<ListedConversation> parse_listed_conversation(const boost::json::object& item);

}  // namespace cxco::providers
