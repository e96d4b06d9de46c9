// WhatsApp on a company's phone numbers (reference "Phone Numbers", platform.md section 3), User
// Key: enabling it starts a verification that the WhatsApp worker completes.
#include "api/api.h"
#include "domain/errors.h"
#include "services/whatsapp.h"

namespace cxco::api {

namespace {

http::Response enable_whatsapp(Call& call) {
  const auto id = id_param(call.request, "phone_number_id");
  return json_response(200, services::enable_whatsapp(call.app, call.principal.company_id, id));
}

http::Response whatsapp_status(Call& call) {
  const auto id = id_param(call.request, "phone_number_id");
  const auto status =
      call.app.db.read([&](store::Tx& tx) { return services::whatsapp_status(tx, call.principal.company_id, id); });
  if (!status) throw ApiError::not_found("Phone number not found");
  return json_response(200, *status);
}

}  // namespace

void add_whatsapp_number_routes(Routes& routes) {
  routes.add("POST", "/api/phone-numbers/{phone_number_id}/enable-whatsapp", {Access::user, enable_whatsapp});
  routes.add("GET", "/api/phone-numbers/{phone_number_id}/whatsapp-status", {Access::user, whatsapp_status});
}

}  // namespace cxco::api
