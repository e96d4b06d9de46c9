// Conversations (reference "Conversations", GET /api/agents/{id}/conversations), User Key:
// cursor-paginated summaries, newest first, single conversations with their transcript, and a
// call's recording (platform.md section 8).
#include "api/api.h"
#include "api/input.h"
#include "util/time.h"

namespace cxco::api {

namespace {

// The filters of platform.md section 8, but agent_id (the route decides it). criteria= and data=
// repeat, so they are read from the query string itself; a malformed one is recorded in `q`.
void read_filters(const http::Request& request, Input& q, domain::ConversationFilter& filter) {
  filter.channel = q.one_of("channel", wire::kOptional, {"voice", "whatsapp"});
  filter.status = q.one_of("status", wire::kOptional, {"in_progress", "completed", "failed"});
  filter.direction = q.one_of("direction", wire::kOptional, {"inbound", "outbound"});
  filter.campaign_id = q.integer("campaign_id", wire::kOptional, 1);
  if (auto caller = q.string("caller_number", wire::kOptional, 32)) {
    // An unencoded + arrives as a space.
    if (caller->starts_with(' ')) caller->front() = '+';
    filter.caller_number = std::move(caller);
  }
  const auto start = q.date("start_date", wire::kOptional);
  const auto end = q.date("end_date", wire::kOptional);
  if (start && end && *end < *start) q.error("end_date", "end_date is before start_date", "value_error");
  if (start) filter.started_from = util::date_from_days(*start);
  if (end) filter.started_before = util::date_from_days(*end + 1);
  if (const auto text = q.string("q", wire::kOptional, 500)) {
    filter.words = domain::search_words(*text);
    if (filter.words.empty()) q.error("q", "q must hold at least one word", "value_error");
  }
  for (const auto& [name, value] : request.query) {
    if (name == "criteria") {
      if (filter.criteria.size() >= 20) {
        q.error("criteria", "At most 20 criteria filters", "value_error");
      } else if (const auto c = domain::parse_criterion_filter(value)) {
        filter.criteria.push_back(*c);
      } else {
        q.error("criteria", "criteria is <id>:success|failure|unknown, not '" + value.substr(0, 100) + "'",
                "value_error");
      }
    } else if (name == "data") {
      if (filter.data.size() >= 30) {
        q.error("data", "At most 30 data filters", "value_error");
      } else if (const auto d = domain::parse_data_filter(value)) {
        filter.data.push_back(*d);
      } else {
        q.error("data",
                "data is <id>:eq|neq:<value>, <id>:gt|gte|lt|lte:<number> or <id>:exists, not '" +
                    value.substr(0, 100) + "'",
                "value_error");
      }
    }
  }
}

// Reads the filters, limit and cursor, and answers one page of `filter`'s conversations.
http::Response page_of(Call& call, Input& q, domain::ConversationFilter filter) {
  read_filters(call.request, q, filter);
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
  filter.visible = call.principal.grant.agents;
  filter.agent_id = agent_id;
  return page_of(call, q, filter);
}

// Every match of the filters, streamed: CSV (a header, then a row each) or JSONL (a detail a
// line), read from the database in batches so memory stays flat however many there are.
http::Response export_conversations(Call& call) {
  auto q = Input::query(call.request);
  domain::ConversationFilter filter;
  filter.visible = call.principal.grant.agents;
  filter.agent_id = q.integer("agent_id", wire::kOptional, 1);
  const auto format = q.one_of("format", wire::kOptional, {"csv", "jsonl"}).value_or("csv");
  read_filters(call.request, q, filter);
  q.check();
  http::Response r;
  r.status = 200;
  auto& conversations = call.services.conversations;
  const auto company = call.principal.company;
  if (format == "jsonl") {
    r.content_type = "application/x-ndjson";
    r.producer = [&conversations, company, filter](http::BodySink& sink) {
      conversations.export_jsonl(company, filter, sink);
    };
  } else {
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"conversations.csv\"");
    r.producer = [&conversations, company, filter](http::BodySink& sink) {
      conversations.export_csv(company, filter, sink);
    };
  }
  return r;
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

http::Response analyze_conversation(Call& call) {
  return json_response(200, call.services.conversations.analyze(call.principal.company, call.principal.grant.agents,
                                                                id_param(call.request, "conversation_id")));
}

}  // namespace

void add_conversation_routes(Routes& routes) {
  routes.add("GET", "/api/conversations/", {Access::user, list_conversations});
  routes.add("GET", "/api/conversations/export", {Access::user, export_conversations});
  routes.add("GET", "/api/conversations/{conversation_id}", {Access::user, get_conversation});
  routes.add("GET", "/api/conversations/{conversation_id}/audio", {Access::user, get_conversation_audio});
  routes.add("POST", "/api/conversations/{conversation_id}/analyze", {Access::user, analyze_conversation});
  routes.add("GET", "/api/agents/{agent_id}/conversations", {Access::user, list_agent_conversations});
}

}  // namespace cxco::api
