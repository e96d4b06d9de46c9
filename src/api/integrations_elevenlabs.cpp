// POST /api/integrations/elevenlabs/post-call (platform.md section 4): the voice provider's
// post-call webhook.
#include "api/api.h"

namespace cxco::api {

namespace {

// No API key: the signature over the raw body is the credential (services/conversations.h).
http::Response post_call(Call& call) {
  return json_response(200, call.services.conversations.receive_post_call(
                                call.request.header("elevenlabs-signature").value_or(""), call.request.body));
}

}  // namespace

void add_elevenlabs_integration_routes(Routes& routes) {
  routes.add("POST", "/api/integrations/elevenlabs/post-call", {Access::open, post_call});
}

}  // namespace cxco::api
