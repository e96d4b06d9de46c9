// Conversations (reference "Conversations", GET /api/agents/{id}/conversations), User Key:
// cursor-paginated summaries, newest first, single conversations with their transcript, and a
// call's recording (platform.md section 8).
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

// Reads channel, limit and cursor, and answers one page of `filter`'s conversations.
http::Response page_of(Call& call, Input& q, domain::ConversationFilter filter) {
  filter.channel = q.one_of("channel", wire::kOptional, {"voice", "whatsapp"});
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.conversations.list(call.principal.company, filter, page));
}

http::Response list_conversations(Call& call) {
  auto q = Input::query(call.request);
  domain::ConversationFilter filter;
  filter.visible = call.principal.grant.agents;
  filter.agent_id = q.integer("agent_id", wire::kOptional, 1);
  return page_of(call, q, filter);
}

http::Response list_agent_conversations(Call& call) {
  const auto agent_id = id_param(call.request, "agent_id");
  auto q = Input::query(call.request);
  if (!call.services.agents.exists(call.principal.company, agent_id)) throw ApiError::not_found("Agent not found");
  domain::ConversationFilter filter;
  filter.agent_id = agent_id;
  return page_of(call, q, filter);
}

http::Response get_conversation(Call& call) {
  const auto conversation =
      call.services.conversations.get(call.principal.company, id_param(call.request, "conversation_id"));
  // Another agent's conversation is not there for a key limited to some agents.
  if (!call.principal.grant.agents.allows(conversation.agent_id)) throw ApiError::not_found("Conversation not found");
  return json_response(200, conversation);
}

// The provider's answer passed through as it streams: its status (206 for a Range it honoured),
// type, length and range headers, and its bytes.
http::Response get_conversation_audio(Call& call) {
  // Only a byte range is passed on; anything else is ignored, as RFC 9110 section 14.2 allows.
  std::optional<std::string> range;
  if (const auto asked = call.request.header("range"); asked && asked->starts_with("bytes=") && asked->size() <= 256)
    range = std::string(*asked);
  auto recording = call.services.conversations.recording(call.principal.company, call.principal.grant.agents,
                                                         id_param(call.request, "conversation_id"), range);
  http::Response r;
  r.status = recording.status;
  r.content_type = std::move(recording.content_type);
  r.content_length = recording.content_length;
  if (recording.content_range) r.headers.emplace_back("Content-Range", std::move(*recording.content_range));
  if (recording.accept_ranges) r.headers.emplace_back("Accept-Ranges", std::move(*recording.accept_ranges));
  r.producer = std::move(recording.body);
  return r;
}

}  // namespace

void add_conversation_routes(Routes& routes) {
  routes.add("GET", "/api/conversations/", {Access::user, list_conversations});
  routes.add("GET", "/api/conversations/{conversation_id}", {Access::user, get_conversation});
  routes.add("GET", "/api/conversations/{conversation_id}/audio", {Access::user, get_conversation_audio});
  routes.add("GET", "/api/agents/{agent_id}/conversations", {Access::user, list_agent_conversations});
}

}  // namespace cxco::api
