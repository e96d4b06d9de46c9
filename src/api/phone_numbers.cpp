// The number pool: operators fill it (admin API), users see what is available and what their
// company holds (reference "Phone Numbers").
#include "api/api.h"
#include "api/validation.h"
#include "services/catalog.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

json::array rows_to_numbers(const store::Result& r) {
  json::array out;
  for (const auto& row : r.rows) out.push_back(services::phone_number_json(row));
  return out;
}

http::Response admin_add_numbers(Call& call) {
  auto in = Input::body(call.request);
  const auto list = in.array("numbers", true);
  std::vector<services::NewNumber> numbers;
  if (list) {
    if (list->empty()) in.error("numbers", "List should have at least 1 item", "too_short");
    if (list->size() > 1000) in.error("numbers", "List should have at most 1000 items", "too_long");
    for (std::size_t i = 0; i < list->size() && i < 1000; ++i) {
      const auto& item = (*list)[i];
      const std::string index = std::to_string(i);
      if (!item.is_object()) {
        in.error({"body", "numbers", index}, "Input should be an object", "dict_type");
        continue;
      }
      services::NewNumber n;
      const auto& o = item.as_object();
      auto text = [&](const char* key) -> std::optional<std::string> {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null()) return std::nullopt;
        if (!v->is_string()) {
          in.error({"body", "numbers", index, key}, "Input should be a valid string", "string_type");
          return std::string();
        }
        return std::string(v->as_string());
      };
      const auto number = text("number");
      const auto country = text("country_code");
      const auto provider = text("provider_slug");
      if (!number) in.error({"body", "numbers", index, "number"}, "Field required", "missing");
      else if (!is_e164(*number)) in.error({"body", "numbers", index, "number"}, "Value is not an E.164 phone number", "value_error");
      if (!country) in.error({"body", "numbers", index, "country_code"}, "Field required", "missing");
      else if (!is_country_code(*country))
        in.error({"body", "numbers", index, "country_code"}, "Value is not an ISO 3166-1 alpha-2 country code in capitals", "value_error");
      if (provider && *provider != "sip_trunk" && *provider != "twilio")
        in.error({"body", "numbers", index, "provider_slug"}, "Input should be 'sip_trunk' or 'twilio'", "enum");
      n.number = number.value_or("");
      n.country_code = country.value_or("");
      n.provider_slug = provider.value_or("sip_trunk");
      numbers.push_back(std::move(n));
    }
  }
  in.check();
  auto created = call.app.db.write([&](store::Tx& tx) { return services::add_numbers(tx, call.app.now_iso(), numbers); });
  return json_response(201, created);
}

http::Response admin_list_numbers(Call& call) {
  auto q = Input::query(call.request);
  const auto status = q.one_of("status", false, {"available", "assigned"});
  const auto country = q.country_code("country_code", false);
  q.check();
  std::string sql = std::string("SELECT ") + services::kPhoneNumberColumns + " FROM phone_numbers WHERE 1 = 1";
  store::Params params;
  if (status) sql += " AND status = ?", params.emplace_back(*status);
  if (country) sql += " AND country_code = ?", params.emplace_back(*country);
  sql += " ORDER BY id";
  return json_response(200, rows_to_numbers(call.app.db.read([&](store::Tx& tx) { return tx.query(sql, params); })));
}

http::Response list_available(Call& call) {
  auto q = Input::query(call.request);
  const auto country = q.country_code("country_code", false);
  q.check();
  std::string sql = std::string("SELECT ") + services::kPhoneNumberColumns + " FROM phone_numbers WHERE status = 'available'";
  store::Params params;
  if (country) sql += " AND country_code = ?", params.emplace_back(*country);
  sql += " ORDER BY id LIMIT 100";
  return json_response(200, rows_to_numbers(call.app.db.read([&](store::Tx& tx) { return tx.query(sql, params); })));
}

http::Response list_company_numbers(Call& call) {
  const auto sql = std::string("SELECT ") + services::kPhoneNumberColumns +
                   " FROM phone_numbers WHERE company_id = ? ORDER BY id";
  return json_response(200, rows_to_numbers(call.app.db.read(
                                [&](store::Tx& tx) { return tx.query(sql, {call.principal.company_id}); })));
}

}  // namespace

void add_phone_number_routes(Routes& routes) {
  routes.add("POST", "/api/admin/phone-numbers", {Access::admin, admin_add_numbers});
  routes.add("GET", "/api/admin/phone-numbers", {Access::admin, admin_list_numbers});
  routes.add("GET", "/api/phone-numbers/available", {Access::user, list_available});
  routes.add("GET", "/api/phone-numbers/", {Access::user, list_company_numbers});
}

}  // namespace cxco::api
