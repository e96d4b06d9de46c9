// WhatsApp on a company's phone numbers (reference "Phone Numbers", platform.md section 3), User
// Key: enabling it starts a verification that the WhatsApp worker completes.
#include "api/api.h"

namespace cxco::api {

namespace {

http::Response enable_whatsapp(Call& call) {
  return json_response(200, call.services.whatsapp.enable(call.principal.company, call.principal.grant.agents,
                                                          id_param(call.request, "phone_number_id")));
}

http::Response whatsapp_status(Call& call) {
  const auto number = call.services.whatsapp.number(call.principal.company, call.principal.grant.agents,
                                                    id_param(call.request, "phone_number_id"));
  return json_response(200, wire::WhatsAppStatusOf{number});
}

}  // namespace

void add_whatsapp_number_routes(Routes& routes) {
  routes.add("POST", "/api/phone-numbers/{phone_number_id}/enable-whatsapp", {Access::user, enable_whatsapp});
  routes.add("GET", "/api/phone-numbers/{phone_number_id}/whatsapp-status", {Access::user, whatsapp_status});
}

}  // namespace cxco::api
