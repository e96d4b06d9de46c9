// The number pool: operators fill it (admin API), users see what is available and what their
// company holds (reference "Phone Numbers").
#include "api/api.h"
#include "api/input.h"
#include "domain/validation.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

constexpr std::size_t kMaxNumbersPerRequest = 1000;

http::Response admin_add_numbers(Call& call) {
  auto in = Input::body(call.request);
  const auto* list = in.array("numbers", kRequired);
  std::vector<domain::NewNumber> numbers;
  if (list) {
    if (list->empty()) in.error("numbers", "List should have at least 1 item", "too_short");
    if (list->size() > kMaxNumbersPerRequest)
      in.error("numbers", "List should have at most " + std::to_string(kMaxNumbersPerRequest) + " items", "too_long");
    for (std::size_t i = 0; i < list->size() && i < kMaxNumbersPerRequest; ++i) {
      auto item = in.element("numbers", i, (*list)[i]);
      if (!item.object()) continue;
      domain::NewNumber n;
      n.number = item.e164("number", kRequired).value_or("");
      n.country_code = item.country_code("country_code", kRequired).value_or("");
      if (!n.number.empty() && !n.country_code.empty() && !domain::is_number_of_country(n.number, n.country_code))
        item.error("number",
                   "The number's calling code is " + std::string(*domain::countries_of_number(n.number)) + "'s, not " +
                       n.country_code,
                   "value_error");
      n.provider_slug = item.one_of("provider_slug", kOptional, {"sip_trunk", "twilio"}).value_or("sip_trunk");
      numbers.push_back(std::move(n));
    }
  }
  in.check();
  return json_response(201, call.services.catalog.add_numbers(numbers));
}

http::Response admin_list_numbers(Call& call) {
  auto q = Input::query(call.request);
  domain::NumberFilter filter;
  filter.status = q.one_of("status", kOptional, {"available", "assigned"});
  filter.country_code = q.country_code("country_code", kOptional);
  q.check();
  return json_response(200, call.services.catalog.pool(filter));
}

http::Response list_available(Call& call) {
  auto q = Input::query(call.request);
  const auto country = q.country_code("country_code", kOptional);
  q.check();
  return json_response(200, call.services.catalog.available_numbers(country));
}

http::Response list_company_numbers(Call& call) {
  return json_response(200, call.services.catalog.company_numbers(call.principal.company, call.principal.grant.agents));
}

}  // namespace

void add_phone_number_routes(Routes& routes) {
  routes.add("POST", "/api/admin/phone-numbers", {Access::admin, admin_add_numbers});
  routes.add("GET", "/api/admin/phone-numbers", {Access::admin, admin_list_numbers});
  routes.add("GET", "/api/phone-numbers/available", {Access::user, list_available});
  routes.add("GET", "/api/phone-numbers/", {Access::user, list_company_numbers});
}

}  // namespace cxco::api
