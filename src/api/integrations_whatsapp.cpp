// GET/POST /api/integrations/whatsapp/webhook (platform.md section 4, providers.md 2.3-2.4): the
// Cloud API's verification handshake and its notifications. No API key: the verify token and the
// X-Hub-Signature-256 over the raw body are the credentials.
#include "api/api.h"
#include "api/validation.h"
#include "crypto/crypto.h"
#include "crypto/signatures.h"
#include "services/whatsapp.h"
#include "util/log.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

// Meta subscribes the callback URL by asking it to echo hub.challenge for the agreed token.
http::Response handshake(Call& call) {
  const auto& expected = call.app.config.whatsapp_verify_token;
  const auto mode = call.request.query_param("hub.mode");
  const auto token = call.request.query_param("hub.verify_token");
  if (expected.empty() || mode != "subscribe" || !token || !crypto::constant_time_equal(*token, expected)) {
    util::log_warn("WhatsApp webhook handshake refused", {{"request_id", call.request.request_id}});
    throw ApiError::forbidden("Verification token mismatch");
  }
  http::Response r;
  r.content_type = "text/plain";
  r.body = std::string(call.request.query_param("hub.challenge").value_or(""));
  return r;
}

http::Response notification(Call& call) {
  // Without the app secret nothing can be authenticated, so nothing is accepted.
  const auto& secret = call.app.config.whatsapp_app_secret;
  if (secret.empty()) {
    util::log_warn("WhatsApp webhook refused: CXCO_WHATSAPP_APP_SECRET is not set", {{"request_id", call.request.request_id}});
    throw ApiError::unauthenticated("The WhatsApp webhook is not configured on this server");
  }
  const auto check = crypto::verify_whatsapp_signature(call.request.header("x-hub-signature-256").value_or(""), secret,
                                                       call.request.body);
  if (check != crypto::SignatureCheck::ok) {
    util::log_warn("WhatsApp webhook refused: bad X-Hub-Signature-256", {{"request_id", call.request.request_id}});
    throw ApiError::unauthenticated("Missing or invalid X-Hub-Signature-256");
  }
  const auto in = Input::body(call.request);
  const auto report = services::ingest_whatsapp(call.app, in.raw());
  return json_response(200, json::object{{"status", "ok"},
                                         {"stored", report.stored},
                                         {"duplicates", report.duplicates},
                                         {"ignored", report.ignored},
                                         {"statuses", report.statuses}});
}

}  // namespace

void add_whatsapp_integration_routes(Routes& routes) {
  routes.add("GET", "/api/integrations/whatsapp/webhook", {Access::open, handshake, false});
  routes.add("POST", "/api/integrations/whatsapp/webhook", {Access::open, notification});
}

}  // namespace cxco::api
