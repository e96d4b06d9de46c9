// Named API keys (platform.md section 9): POST/GET /api/keys/, DELETE /api/keys/{key_id}, for a
// company key, an owner's or admin's user key, or a scoped key with keys:write.
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

// More agents than this make a key for the whole company in all but name.
constexpr std::size_t kMaxAgentIds = 100;

domain::ScopeSet read_scopes(Input& in) {
  domain::ScopeSet scopes;
  const auto* list = in.array("scopes", kRequired);
  if (!list) return scopes;
  if (list->empty()) in.error("scopes", "List should have at least 1 item", "too_short");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& item = (*list)[i];
    const auto scope = item.is_string() ? domain::parse_scope(item.get_string()) : std::nullopt;
    if (scope)
      scopes.add(*scope);
    else
      in.error({"body", "scopes", std::to_string(i)}, "Input should be a scope, e.g. 'agents:read'", "enum");
  }
  return scopes;
}

domain::AgentScope read_agents(Input& in) {
  const auto* list = in.array("agent_ids");
  if (!list) return {};
  if (list->empty())
    in.error("agent_ids", "List should have at least 1 item (leave it out for every agent)", "too_short");
  if (list->size() > kMaxAgentIds)
    in.error("agent_ids", "List should have at most " + std::to_string(kMaxAgentIds) + " items", "too_long");
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& item = (*list)[i];
    if (item.is_int64() && item.get_int64() > 0)
      ids.push_back(item.get_int64());
    else
      in.error({"body", "agent_ids", std::to_string(i)}, "Input should be an agent id", "int_type");
  }
  return domain::AgentScope::only(std::move(ids));
}

http::Response create_key(Call& call) {
  auto in = Input::body(call.request);
  domain::NewKey key;
  const auto name = in.string("name", kRequired, 255);
  key.scopes = read_scopes(in);
  key.agents = read_agents(in);
  if (const auto ms = in.timestamp_ms("expires_at", kOptional)) key.expires_unix = *ms / 1000;
  in.check();
  key.name = *name;
  return json_response(201, call.services.keys.create(call.principal.company, call.principal.grant, key));
}

http::Response list_keys(Call& call) { return json_response(200, call.services.keys.list(call.principal.company)); }

http::Response revoke_key(Call& call) {
  call.services.keys.revoke(call.principal.company, id_param(call.request, "key_id"));
  return no_content();
}

}  // namespace

void add_key_routes(Routes& routes) {
  routes.add("POST", "/api/keys/", {Access::manager, create_key});
  routes.add("GET", "/api/keys/", {Access::manager, list_keys});
  routes.add("DELETE", "/api/keys/{key_id}", {Access::manager, revoke_key});
}

}  // namespace cxco::api
