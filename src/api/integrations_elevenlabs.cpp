// POST /api/integrations/elevenlabs/post-call (platform.md section 4): the voice provider's
// post-call webhook. No API key: the ElevenLabs-Signature over the raw body is the credential.
#include "api/api.h"
#include "api/validation.h"
#include "crypto/signatures.h"
#include "services/conversations.h"
#include "util/log.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

const char* reason_of(crypto::SignatureCheck check) {
  switch (check) {
    case crypto::SignatureCheck::missing: return "missing";
    case crypto::SignatureCheck::malformed: return "malformed";
    case crypto::SignatureCheck::mismatch: return "mismatch";
    case crypto::SignatureCheck::too_old: return "outside the 30 minute window";
    case crypto::SignatureCheck::ok: break;
  }
  return "ok";
}

http::Response post_call(Call& call) {
  // Without a secret nothing can be authenticated, so nothing is accepted; the simulated mode
  // is no exception, as `cxco dev simulate-call` signs with the same variable.
  const auto& secret = call.app.config.elevenlabs_webhook_secret;
  if (secret.empty()) {
    util::log_warn("post-call webhook refused: CXCO_ELEVENLABS_WEBHOOK_SECRET is not set",
                   {{"request_id", call.request.request_id}});
    throw ApiError::unauthenticated("The post-call webhook is not configured on this server");
  }
  const auto check = crypto::verify_elevenlabs_signature(call.request.header("elevenlabs-signature").value_or(""),
                                                         secret, call.request.body, call.app.clock.now());
  if (check != crypto::SignatureCheck::ok) {
    util::log_warn("post-call webhook refused: bad ElevenLabs-Signature",
                   {{"request_id", call.request.request_id}, {"reason", reason_of(check)}});
    throw ApiError::unauthenticated("Missing, invalid or expired ElevenLabs-Signature");
  }

  const auto in = Input::body(call.request);
  const auto result = services::ingest_post_call(call.app, in.raw());
  json::object out;
  switch (result.outcome) {
    case services::IngestResult::Outcome::stored: out["status"] = "stored"; break;
    case services::IngestResult::Outcome::duplicate: out["status"] = "duplicate"; break;
    case services::IngestResult::Outcome::ignored:
      out["status"] = "ignored";
      out["reason"] = result.reason;
      break;
  }
  if (result.conversation_id) out["conversation_id"] = *result.conversation_id;
  return json_response(200, out);
}

}  // namespace

void add_elevenlabs_integration_routes(Routes& routes) {
  routes.add("POST", "/api/integrations/elevenlabs/post-call", {Access::open, post_call});
}

}  // namespace cxco::api
