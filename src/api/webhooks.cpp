// Webhook registrations and their delivery log (reference "Webhooks", platform.md 3 and 5),
// Company Key.
#include <algorithm>

#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

std::optional<std::string> read_url(Input& in, Call& call, wire::Presence presence) {
  auto url = in.string("url", presence, 2048);
  if (!url) return std::nullopt;
  if (const auto refusal = call.services.webhooks.refuse_url(*url)) {
    in.error("url", *refusal, "value_error");
    return std::nullopt;
  }
  return url;
}

// A non-empty subset of the event types, each named once.
std::optional<std::vector<std::string>> read_events(Input& in, wire::Presence presence) {
  const auto* list = in.array("events", presence);
  if (!list) return std::nullopt;
  if (list->empty()) in.error("events", "List should have at least 1 item", "too_short");
  std::vector<std::string> unique;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& e = (*list)[i];
    if (!e.is_string() || !domain::is_event_type(e.get_string())) {
      in.error({"body", "events", std::to_string(i)},
               "Input should be one of 'conversation.completed', 'conversation.transferred', 'agent.status_changed', "
               "'phone_number.whatsapp_verified'",
               "enum");
      continue;
    }
    const std::string type(e.get_string());
    if (std::find(unique.begin(), unique.end(), type) == unique.end()) unique.push_back(type);
  }
  return unique;
}

http::Response list_webhooks(Call& call) {
  return json_response(200, call.services.webhooks.list(call.principal.company));
}

http::Response create_webhook(Call& call) {
  auto in = Input::body(call.request);
  domain::WebhookFields f;
  f.url = read_url(in, call, kRequired);
  f.events = read_events(in, kRequired);
  f.secret = in.string("secret", kOptional, 256);
  if (f.secret && f.secret->size() < 8)
    in.error("secret", "String should have at least 8 characters", "string_too_short");
  f.status = in.one_of("status", kOptional, {"active", "disabled"});
  in.check();
  return json_response(201, call.services.webhooks.create(call.principal.company, f));
}

http::Response update_webhook(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  auto in = Input::body(call.request);
  domain::WebhookFields f;
  f.url = read_url(in, call, kOptional);
  f.events = read_events(in, kOptional);
  f.status = in.one_of("status", kOptional, {"active", "disabled"});
  in.check();
  return json_response(200, call.services.webhooks.update(call.principal.company, id, f));
}

http::Response delete_webhook(Call& call) {
  call.services.webhooks.remove(call.principal.company, id_param(call.request, "webhook_id"));
  return no_content();
}

http::Response list_deliveries(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  auto q = Input::query(call.request);
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.webhooks.attempts(call.principal.company, id, page));
}

http::Response test_webhook(Call& call) {
  const auto event = call.services.webhooks.send_test(call.principal.company, id_param(call.request, "webhook_id"));
  util::JsonWriter w;
  w.begin_object()
      .field("event_id", event.event_id)
      .field("type", "webhook.test")
      .field("status", "pending")
      .end_object();
  return json_text_response(202, w.take());
}

}  // namespace

void add_webhook_routes(Routes& routes) {
  routes.add("GET", "/api/webhooks/", {Access::company, list_webhooks});
  routes.add("POST", "/api/webhooks/", {Access::company, create_webhook});
  routes.add("PUT", "/api/webhooks/{webhook_id}", {Access::company, update_webhook});
  routes.add("DELETE", "/api/webhooks/{webhook_id}", {Access::company, delete_webhook});
  routes.add("GET", "/api/webhooks/{webhook_id}/deliveries", {Access::company, list_deliveries});
  routes.add("POST", "/api/webhooks/{webhook_id}/test", {Access::company, test_webhook});
}

}  // namespace cxco::api
