// POST /api/integrations/elevenlabs/post-call (platform.md section 4): the voice provider's
// post-call webhook, for the platform's provider workspace; and .../post-call/{company_id} for
// the workspace of a company that brings its own provider key.
#include "api/api.h"

namespace cxco::api {

namespace {

// No API key: the signature over the raw body is the credential (services/conversations.h).
// The body is handed over in pieces: post_call_audio carries the call's audio, up to 50 MiB.
http::Response receive(Call& call, std::optional<domain::CompanyId> company) {
  auto intake =
      call.services.conversations.receive_post_call(company, call.request.header("elevenlabs-signature").value_or(""));
  call.request.read_body([&](std::string_view piece) { intake.append(piece); });
  return json_response(200, intake.finish());
}

http::Response post_call(Call& call) { return receive(call, std::nullopt); }

http::Response company_post_call(Call& call) {
  return receive(call, domain::CompanyId(id_param(call.request, "company_id")));
}

Route webhook(Handler handler) {
  return {.access = Access::open,
          .handler = handler,
          .body_limit = kProviderWebhookBodyLimit,
          .reads_body_in_pieces = true};
}

}  // namespace

void add_elevenlabs_integration_routes(Routes& routes) {
  routes.add("POST", "/api/integrations/elevenlabs/post-call", webhook(post_call));
  routes.add("POST", "/api/integrations/elevenlabs/post-call/{company_id}", webhook(company_post_call));
}

}  // namespace cxco::api
