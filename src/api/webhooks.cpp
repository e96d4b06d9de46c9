// Webhook registrations and their delivery log (reference "Webhooks", platform.md 3 and 5),
// Company Key. Secrets are stored as Fernet tokens and never shown again after creation.
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>

#include "api/api.h"
#include "api/validation.h"
#include "crypto/crypto.h"
#include "events/ssrf.h"
#include "services/events.h"
#include "util/json.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

constexpr const char* kWebhookColumns = "id, company_id, url, events, status, created_at, updated_at";

json::object webhook_json(const store::Row& r) {
  return json::object{{"id", r.i64("id")},          {"company_id", r.i64("company_id")},
                      {"url", r.str("url")},        {"events", json::parse(r.str("events"))},
                      {"status", r.str("status")},  {"created_at", r.str("created_at")},
                      {"updated_at", r.str("updated_at")}};
}

std::optional<std::string> read_url(Input& in, Call& call, bool required) {
  auto url = in.string("url", required, 2048);
  if (!url) return std::nullopt;
  if (const auto refusal = events::check_webhook_url(*url, call.app.config.webhook_allow_private)) {
    in.error("url", *refusal, "value_error");
    return std::nullopt;
  }
  return url;
}

std::optional<json::array> read_events(Input& in, bool required) {
  auto list = in.array("events", required);
  if (!list) return std::nullopt;
  if (list->empty()) in.error("events", "List should have at least 1 item", "too_short");
  json::array unique;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& e = (*list)[i];
    const bool known = e.is_string() && std::any_of(std::begin(services::kEventTypes), std::end(services::kEventTypes),
                                                    [&](const char* t) { return e.as_string() == t; });
    if (!known) {
      in.error({"body", "events", std::to_string(i)},
                "Input should be one of 'conversation.completed', 'conversation.transferred', 'agent.status_changed', "
                "'phone_number.whatsapp_verified'",
                "enum");
      continue;
    }
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  }
  return unique;
}

store::Row load_own(store::Tx& tx, Call& call, std::int64_t id) {
  auto row = tx.one(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = ? AND company_id = ?",
                    {id, call.principal.company_id});
  if (!row) throw ApiError::not_found("Webhook not found");
  return *row;
}

http::Response list_webhooks(Call& call) {
  auto rows = call.app.db.read([&](store::Tx& tx) {
    return tx.query(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE company_id = ? ORDER BY id",
                    {call.principal.company_id});
  });
  json::array out;
  for (const auto& r : rows.rows) out.push_back(webhook_json(r));
  return json_response(200, out);
}

http::Response create_webhook(Call& call) {
  auto in = Input::body(call.request);
  const auto url = read_url(in, call, true);
  const auto events = read_events(in, true);
  auto secret = in.string("secret", false, 256);
  if (in.has("secret") && secret && secret->size() < 8) in.error("secret", "String should have at least 8 characters", "string_too_short");
  const auto status = in.one_of("status", false, {"active", "disabled"});
  in.check();
  const bool generated = !secret;
  if (generated) secret = "whsec_" + crypto::base64_encode(crypto::random_bytes(24), true, false);
  const auto token = call.app.fernet.encrypt(*secret);
  auto hook = call.app.db.write([&](store::Tx& tx) {
    const auto now = call.app.now_iso();
    const auto id = tx.insert(
        "INSERT INTO webhooks (company_id, url, events, status, secret_token, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {call.principal.company_id, *url, util::to_json(*events), status.value_or("active"), token, now, now});
    return webhook_json(load_own(tx, call, id));
  });
  if (generated) hook["secret"] = *secret;
  return json_response(201, hook);
}

http::Response update_webhook(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  auto in = Input::body(call.request);
  const auto url = read_url(in, call, false);
  const auto events = read_events(in, false);
  const auto status = in.one_of("status", false, {"active", "disabled"});
  in.check();
  auto hook = call.app.db.write([&](store::Tx& tx) {
    load_own(tx, call, id);
    const auto now = call.app.now_iso();
    tx.exec(
        "UPDATE webhooks SET url = COALESCE(?, url), events = COALESCE(?, events), status = COALESCE(?, status), "
        "updated_at = ? WHERE id = ? AND company_id = ?",
        {store::opt(url), events ? store::Param(util::to_json(*events)) : store::Param(nullptr), store::opt(status), now,
         id, call.principal.company_id});
    return webhook_json(load_own(tx, call, id));
  });
  return json_response(200, hook);
}

http::Response delete_webhook(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  call.app.db.write([&](store::Tx& tx) {
    load_own(tx, call, id);
    tx.exec("DELETE FROM webhook_attempts WHERE webhook_id = ?", {id});
    tx.exec("DELETE FROM webhook_deliveries WHERE webhook_id = ?", {id});
    tx.exec("DELETE FROM webhooks WHERE id = ? AND company_id = ?", {id, call.principal.company_id});
  });
  return no_content();
}

http::Response list_deliveries(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  auto q = Input::query(call.request);
  const auto page = read_page_request(q);
  q.check();
  auto rows = call.app.db.read([&](store::Tx& tx) {
    load_own(tx, call, id);
    std::string sql =
        "SELECT id, delivery_id, event_id, event_type, attempt, status_code, error, latency_ms, outcome, next_retry_at, "
        "created_at FROM webhook_attempts WHERE webhook_id = ?";
    store::Params params{id};
    if (page.before_id) sql += " AND id < ?", params.emplace_back(*page.before_id);
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(page.limit + 1);
    return tx.query(sql, params);
  });
  json::array items;
  for (const auto& r : rows.rows) {
    items.push_back(json::object{
        {"id", r.i64("id")},
        {"delivery_id", r.i64("delivery_id")},
        {"event_id", r.str("event_id")},
        {"event_type", r.str("event_type")},
        {"attempt", r.i64("attempt")},
        {"outcome", r.str("outcome")},
        {"status_code", r.opt_i64("status_code") ? json::value(*r.opt_i64("status_code")) : json::value(nullptr)},
        {"error", r.opt_str("error") ? json::value(*r.opt_str("error")) : json::value(nullptr)},
        {"latency_ms", std::round(r.f64("latency_ms") * 10) / 10},
        {"next_retry_at", r.opt_str("next_retry_at") ? json::value(*r.opt_str("next_retry_at")) : json::value(nullptr)},
        {"created_at", r.str("created_at")}});
  }
  return page_response(std::move(items), page.limit);
}

// Sends a signed `webhook.test` event to this webhook only, through the normal delivery path.
http::Response test_webhook(Call& call) {
  const auto id = id_param(call.request, "webhook_id");
  auto event_id = call.app.db.write([&](store::Tx& tx) {
    const auto hook = load_own(tx, call, id);
    const auto now = call.app.now_iso();
    const std::string event_id = "evt_" + crypto::random_base62(24);
    const auto payload = util::to_json(json::object{
        {"id", event_id},
        {"type", "webhook.test"},
        {"created_at", now},
        {"company_id", call.principal.company_id},
        {"data", json::object{{"webhook_id", id}, {"message", "This is a test event from CXCo."}}}});
    tx.exec(
        "INSERT INTO webhook_deliveries (webhook_id, company_id, event_id, event_type, payload, status, attempts, "
        "next_attempt_at, created_at) VALUES (?, ?, ?, 'webhook.test', ?, 'pending', 0, ?, ?)",
        {id, call.principal.company_id, event_id, payload, call.app.clock.now_ms(), now});
    return event_id;
  });
  return json_response(202, json::object{{"event_id", event_id}, {"type", "webhook.test"}, {"status", "pending"}});
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
