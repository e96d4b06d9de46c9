// Conversations (reference "Conversations", GET /api/agents/{id}/conversations), User Key:
// cursor-paginated summaries, newest first, and single conversations with their transcript.
#include "api/api.h"
#include "api/validation.h"
#include "services/agents.h"
#include "services/conversations.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

// Reads channel, limit and cursor, and answers one page of `filter`'s conversations.
http::Response page_of(Call& call, Input& q, services::ConversationFilter filter) {
  filter.channel = q.one_of("channel", false, {"voice", "whatsapp"});
  const auto page = read_page_request(q);
  q.check();
  auto rows = call.app.db.read([&](store::Tx& tx) {
    return services::list_conversations(tx, call.principal.company_id, filter, page.before_id, page.limit + 1);
  });
  return page_response(std::move(rows), page.limit);
}

http::Response list_conversations(Call& call) {
  auto q = Input::query(call.request);
  services::ConversationFilter filter;
  filter.agent_id = q.integer("agent_id", false, 1, INT64_MAX);
  return page_of(call, q, filter);
}

http::Response list_agent_conversations(Call& call) {
  const auto agent_id = id_param(call.request, "agent_id");
  auto q = Input::query(call.request);
  const bool found = call.app.db.read(
      [&](store::Tx& tx) { return services::find_agent(tx, call.principal.company_id, agent_id).has_value(); });
  if (!found) throw ApiError::not_found("Agent not found");
  services::ConversationFilter filter;
  filter.agent_id = agent_id;
  return page_of(call, q, filter);
}

http::Response get_conversation(Call& call) {
  const auto id = id_param(call.request, "conversation_id");
  auto conversation =
      call.app.db.read([&](store::Tx& tx) { return services::find_conversation(tx, call.principal.company_id, id); });
  if (!conversation) throw ApiError::not_found("Conversation not found");
  return json_response(200, *conversation);
}

}  // namespace

void add_conversation_routes(Routes& routes) {
  routes.add("GET", "/api/conversations/", {Access::user, list_conversations});
  routes.add("GET", "/api/conversations/{conversation_id}", {Access::user, get_conversation});
  routes.add("GET", "/api/agents/{agent_id}/conversations", {Access::user, list_agent_conversations});
}

}  // namespace cxco::api
