// POST /api/integrations/elevenlabs/post-call (platform.md section 4): the voice provider's
// post-call webhook, for the platform's provider workspace; and .../post-call/{company_id} for
// the workspace of a company that brings its own provider key.
#include "api/api.h"

namespace cxco::api {

namespace {

// No API key: the signature over the raw body is the credential (services/conversations.h).
http::Response receive(Call& call, std::optional<domain::CompanyId> company) {
  return json_response(200, call.services.conversations.receive_post_call(
                                company, call.request.header("elevenlabs-signature").value_or(""), call.request.body));
}

http::Response post_call(Call& call) { return receive(call, std::nullopt); }

http::Response company_post_call(Call& call) {
  return receive(call, domain::CompanyId(id_param(call.request, "company_id")));
}

}  // namespace

void add_elevenlabs_integration_routes(Routes& routes) {
  routes.add("POST", "/api/integrations/elevenlabs/post-call", {Access::open, post_call});
  routes.add("POST", "/api/integrations/elevenlabs/post-call/{company_id}", {Access::open, company_post_call});
}

}  // namespace cxco::api
