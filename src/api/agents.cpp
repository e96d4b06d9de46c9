// Agents (reference "Agents"), User Key: drafts, the lifecycle, cursor-paginated lists.
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

// Reads the agent fields of a create (all required but language and config) or of an update
// (any, none blank).
domain::AgentFields read_agent_fields(Input& in, bool create) {
  const auto text = create ? kRequired : wire::kNonBlank;
  domain::AgentFields f;
  f.name = in.string("name", text, 255);
  f.personality = in.string("personality", text, 20000);
  f.opening_line = in.string("opening_line", text, 2000);
  f.voice_id = in.integer("voice_id", create ? kRequired : kOptional, 1);
  f.language = in.language("language", kOptional);
  auto config = in.object("config");
  f.temperature = config.number("temperature", kOptional, 0, 2);
  f.max_call_duration_seconds = config.integer("max_call_duration_seconds", kOptional, 10, 7200);
  if (in.has("analysis")) {
    auto analysis = in.object("analysis");
    if (analysis.object()) f.analysis = read_analysis_settings(analysis);
  }
  in.check();
  return f;
}

http::Response create_agent(Call& call) {
  auto in = Input::body(call.request);
  return json_response(201, call.services.agents.create(call.principal.company, read_agent_fields(in, true)));
}

http::Response list_agents(Call& call) {
  auto q = Input::query(call.request);
  const auto status = q.one_of("status", kOptional, {"draft", "active", "paused", "archived"});
  const auto page = read_page(q);
  q.check();
  return json_response(200,
                       call.services.agents.list(call.principal.company, call.principal.grant.agents,
                                                 status ? domain::parse_agent_status(*status) : std::nullopt, page));
}

http::Response get_agent(Call& call) {
  return json_response(200, call.services.agents.get(call.principal.company, id_param(call.request, "agent_id")));
}

http::Response update_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  auto in = Input::body(call.request);
  return json_response(200, call.services.agents.update(call.principal.company, id, read_agent_fields(in, false)));
}

http::Response archive_agent(Call& call) {
  return json_response(200, call.services.agents.archive(call.principal.company, id_param(call.request, "agent_id")));
}

http::Response publish_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  auto in = Input::body(call.request, true);
  const auto country = in.country_code("country_code", kOptional);
  in.check();
  return json_response(200, call.services.agents.publish(call.principal.company, id, country.value_or("ZA")));
}

http::Response pause_agent(Call& call) {
  return json_response(200, call.services.agents.pause(call.principal.company, id_param(call.request, "agent_id")));
}

http::Response resume_agent(Call& call) {
  return json_response(200, call.services.agents.resume(call.principal.company, id_param(call.request, "agent_id")));
}

}  // namespace

void add_agent_routes(Routes& routes) {
  routes.add("POST", "/api/agents/", {Access::user, create_agent});
  routes.add("GET", "/api/agents/", {Access::user, list_agents});
  routes.add("GET", "/api/agents/{agent_id}", {Access::user, get_agent});
  routes.add("PUT", "/api/agents/{agent_id}", {Access::user, update_agent});
  routes.add("DELETE", "/api/agents/{agent_id}", {Access::user, archive_agent});
  routes.add("POST", "/api/agents/{agent_id}/publish", {Access::user, publish_agent});
  routes.add("POST", "/api/agents/{agent_id}/pause", {Access::user, pause_agent});
  routes.add("POST", "/api/agents/{agent_id}/resume", {Access::user, resume_agent});
}

}  // namespace cxco::api
