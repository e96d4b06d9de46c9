// Agents (reference "Agents"), User Key: drafts, the lifecycle, cursor-paginated lists.
#include "api/api.h"
#include "api/validation.h"
#include "services/agents.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

// Reads the agent fields of a create (all required but language/config) or update body.
services::AgentFields read_agent_fields(Input& in, bool create) {
  services::AgentFields f;
  f.name = in.string("name", create, 255);
  f.personality = in.string("personality", create, 20000);
  f.opening_line = in.string("opening_line", create, 2000);
  f.voice_id = in.integer("voice_id", create, 1, INT64_MAX);
  f.language = in.language("language", false);
  for (const auto* key : {"name", "personality", "opening_line"}) {
    const auto* v = in.raw().if_contains(key);
    if (!create && v && v->is_string() && v->as_string().find_first_not_of(" \t\r\n") == json::string::npos)
      in.error(key, "String should not be empty", "string_too_short");
  }
  if (const auto config = in.object("config", false)) {
    auto number = [&](const char* key, double min, double max) -> std::optional<double> {
      const auto* v = config->if_contains(key);
      if (!v || v->is_null()) return std::nullopt;
      if (!v->is_number() || !(v->to_number<double>() >= min && v->to_number<double>() <= max)) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "Input should be a number between %g and %g", min, max);
        in.error({"body", "config", key}, msg, "value_error");
        return std::nullopt;
      }
      return v->to_number<double>();
    };
    f.temperature = number("temperature", 0, 2);
    if (const auto d = number("max_call_duration_seconds", 10, 7200)) {
      if (*d != static_cast<double>(static_cast<std::int64_t>(*d)))
        in.error({"body", "config", "max_call_duration_seconds"}, "Input should be a valid integer", "int_type");
      else
        f.max_call_duration_seconds = static_cast<std::int64_t>(*d);
    }
  }
  in.check();
  return f;
}

http::Response create_agent(Call& call) {
  auto in = Input::body(call.request);
  const auto fields = read_agent_fields(in, true);
  return json_response(201, services::create_agent(call.app, call.principal.company_id, fields));
}

http::Response list_agents(Call& call) {
  auto q = Input::query(call.request);
  const auto status = q.one_of("status", false, {"draft", "active", "paused", "archived"});
  const auto page = read_page_request(q);
  q.check();
  auto rows = call.app.db.read([&](store::Tx& tx) {
    return services::list_agents(tx, call.principal.company_id, status, page.before_id, page.limit + 1);
  });
  return page_response(std::move(rows), page.limit);
}

http::Response get_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  auto agent = call.app.db.read([&](store::Tx& tx) { return services::find_agent(tx, call.principal.company_id, id); });
  if (!agent) throw ApiError::not_found("Agent not found");
  return json_response(200, *agent);
}

http::Response update_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  auto in = Input::body(call.request);
  const auto fields = read_agent_fields(in, false);
  return json_response(200, services::update_agent(call.app, call.principal.company_id, id, fields));
}

http::Response archive_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  return json_response(200, services::archive_agent(call.app, call.principal.company_id, id));
}

http::Response publish_agent(Call& call) {
  const auto id = id_param(call.request, "agent_id");
  auto in = Input::body(call.request, true);
  const auto country = in.country_code("country_code", false);
  in.check();
  return json_response(200, services::publish_agent(call.app, call.principal.company_id, id, country.value_or("ZA")));
}

http::Response pause_agent(Call& call) {
  return json_response(200, services::pause_agent(call.app, call.principal.company_id, id_param(call.request, "agent_id")));
}

http::Response resume_agent(Call& call) {
  return json_response(200, services::resume_agent(call.app, call.principal.company_id, id_param(call.request, "agent_id")));
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
