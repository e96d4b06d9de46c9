// Outbound calls and the do-not-call list (platform.md section 7), User Key.
#include "api/api.h"
#include "api/input.h"
#include "domain/validation.h"
#include "util/json.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

http::Response place_call(Call& call) {
  auto in = Input::body(call.request);
  domain::NewCall c;
  const auto agent_id = in.integer("agent_id", kRequired, 1);
  const auto to = in.e164("to_number", kRequired);
  c.dynamic_variables_json = read_dynamic_variables(in);
  c.first_message = in.string("first_message", wire::kNonBlank, 2000);
  if (const auto* metadata = in.value("metadata")) {
    if (metadata->is_object())
      c.metadata_json = util::to_json(*metadata);
    else
      in.error("metadata", "Input should be an object", "dict_type");
  }
  in.check();
  c.agent_id = *agent_id;
  c.to_number = *to;
  return json_response(201, call.services.calls.place(call.principal.company, call.principal.grant.agents, c));
}

http::Response list_calls(Call& call) {
  auto q = Input::query(call.request);
  domain::CallFilter filter;
  filter.visible = call.principal.grant.agents;
  const auto status = q.one_of(
      "status", kOptional,
      {"queued", "initiated", "in_progress", "completed", "failed", "no_answer", "busy", "voicemail", "canceled"});
  if (status) filter.status = domain::parse_call_status(*status);
  filter.agent_id = q.integer("agent_id", kOptional, 1);
  filter.campaign_id = q.integer("campaign_id", kOptional, 1);
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.calls.list(call.principal.company, filter, page));
}

http::Response get_call(Call& call) {
  return json_response(200, call.services.calls.get(call.principal.company, call.principal.grant.agents,
                                                    id_param(call.request, "call_id")));
}

http::Response cancel_call(Call& call) {
  return json_response(200, call.services.calls.cancel(call.principal.company, call.principal.grant.agents,
                                                       id_param(call.request, "call_id")));
}

http::Response list_do_not_call(Call& call) {
  auto q = Input::query(call.request);
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.calls.do_not_call_list(call.principal.company, page));
}

http::Response add_do_not_call(Call& call) {
  auto in = Input::body(call.request);
  const auto number = in.e164("phone_number", kRequired);
  const auto reason = in.string("reason", kOptional, 500);
  in.check();
  return json_response(201, call.services.calls.add_do_not_call(call.principal.company, *number, reason));
}

http::Response remove_do_not_call(Call& call) {
  const std::string number(call.request.path_param("phone_number"));
  if (!domain::is_e164(number))
    throw ApiError::validation(
        {FieldError{{"path", "phone_number"}, "Value is not an E.164 phone number (URL-encode the +)", "value_error"}});
  call.services.calls.remove_do_not_call(call.principal.company, number);
  return no_content();
}

}  // namespace

void add_call_routes(Routes& routes) {
  routes.add("POST", "/api/calls/", {Access::user, place_call});
  routes.add("GET", "/api/calls/", {Access::user, list_calls});
  routes.add("GET", "/api/calls/{call_id}", {Access::user, get_call});
  routes.add("POST", "/api/calls/{call_id}/cancel", {Access::user, cancel_call});
  routes.add("GET", "/api/do-not-call/", {Access::user, list_do_not_call});
  routes.add("POST", "/api/do-not-call/", {Access::user, add_do_not_call});
  routes.add("DELETE", "/api/do-not-call/{phone_number}", {Access::user, remove_do_not_call});
}

}  // namespace cxco::api
