// GET/POST /api/integrations/whatsapp/webhook (platform.md section 4, providers.md 2.3-2.4): the
// Cloud API's verification handshake and its notifications. No API key: the verify token and the
// X-Hub-Signature-256 over the raw body are the credentials.
#include "api/api.h"
#include "crypto/crypto.h"
#include "crypto/signatures.h"
#include "domain/errors.h"
#include "util/log.h"

namespace cxco::api {

namespace {

// Meta subscribes the callback URL by asking it to echo hub.challenge for the agreed token.
http::Response handshake(Call& call) {
  const auto& expected = call.settings.whatsapp_verify_token;
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

// No API key: the X-Hub-Signature-256 over the raw body is the credential (services/whatsapp.h).
http::Response notification(Call& call) {
  return json_response(
      200, call.services.whatsapp.receive(call.request.header("x-hub-signature-256").value_or(""), call.request.body));
}

}  // namespace

void add_whatsapp_integration_routes(Routes& routes) {
  routes.add("GET", "/api/integrations/whatsapp/webhook", {Access::open, handshake, false});
  routes.add("POST", "/api/integrations/whatsapp/webhook", {Access::open, notification});
}

}  // namespace cxco::api
