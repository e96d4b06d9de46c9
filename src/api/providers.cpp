// Providers and a company's credentials for them (reference "Providers", platform.md section 3),
// Company Key. Credentials are validated per provider and can never be read back.
#include <boost/url/parse.hpp>

#include <algorithm>

#include "api/api.h"
#include "api/validation.h"
#include "services/credentials.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

// Reads the body's `credentials` field by field, recording every bad field under
// ["body", "credentials", key]. take() answers only the fields read, so whatever else a caller
// sent is never stored. Messages never quote values: they may be secrets.
class CredentialReader {
 public:
  CredentialReader(Input& in, const json::object& given) : in_(in), given_(given) {}

  std::optional<std::string> text(std::string_view key, bool required, std::size_t max_len = 4096) {
    const auto* v = given_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(key, "Field required", "missing");
      return std::nullopt;
    }
    if (!v->is_string()) return error(key, "Input should be a valid string", "string_type");
    std::string s(v->get_string());
    if (s.find_first_not_of(" \t\r\n") == std::string::npos) return error(key, "String should not be empty", "string_too_short");
    if (s.size() > max_len)
      return error(key, "String should have at most " + std::to_string(max_len) + " characters", "string_too_long");
    out_[key] = s;
    return s;
  }

  bool present(std::string_view key) const {
    const auto* v = given_.if_contains(key);
    return v && !v->is_null();
  }

  void one_of(std::string_view key, std::initializer_list<std::string_view> allowed, std::string_view fallback) {
    if (!present(key)) {
      out_[key] = fallback;
      return;
    }
    const auto s = text(key, false, 16);
    if (s && std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
      error(key, "Input should be one of " + list, "enum");
    }
  }

  void string_list(std::string_view key) {
    const auto* v = given_.if_contains(key);
    if (!v || v->is_null()) return;
    if (!v->is_array()) {
      error(key, "Input should be a valid list", "list_type");
      return;
    }
    json::array list;
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
      const auto& item = v->get_array()[i];
      if (!item.is_string() || item.get_string().empty() || item.get_string().size() > 64)
        in_.error({"body", "credentials", std::string(key), std::to_string(i)}, "Input should be a non-empty id string",
                  "string_type");
      else
        list.push_back(item);
    }
    out_[key] = std::move(list);
  }

  std::nullopt_t error(std::string_view key, std::string msg, std::string type) {
    in_.error({"body", "credentials", std::string(key)}, std::move(msg), std::move(type));
    return std::nullopt;
  }

  json::object take() { return std::move(out_); }

 private:
  Input& in_;
  const json::object& given_;
  json::object out_;
};

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json::object read_credentials(Input& in, const json::object& given, std::string_view slug) {
  CredentialReader r(in, given);
  if (slug == "elevenlabs") {
    r.text("api_key", true, 512);
  } else if (slug == "sip_trunk") {
    r.text("address", true, 255);
    r.one_of("transport", {"auto", "udp", "tcp", "tls"}, "auto");
    // Without a username and password the carrier authorises by source address (ACL).
    r.text("username", false, 255);
    r.text("password", false, 255);
    if (r.present("username") && !r.present("password")) r.error("password", "password is required with username", "missing");
    if (r.present("password") && !r.present("username")) r.error("username", "username is required with password", "missing");
  } else if (slug == "whatsapp") {
    r.text("access_token", true);
    if (const auto waba = r.text("waba_id", true, 64); waba && !is_digits(*waba))
      r.error("waba_id", "waba_id should be the numeric WhatsApp Business Account id", "value_error");
    r.string_list("phone_number_ids");
    if (const auto pin = r.text("pin", false, 6); pin && (pin->size() != 6 || !is_digits(*pin)))
      r.error("pin", "pin should be the 6-digit two-step verification PIN", "value_error");
  } else if (slug == "llm") {
    if (const auto url = r.text("base_url", true, 2048)) {
      const auto parsed = boost::urls::parse_absolute_uri(*url);
      if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
        r.error("base_url", "base_url should be an absolute http(s) URL", "url_parsing");
    }
    r.text("api_key", true, 512);
    r.text("model", true, 255);
  }
  return r.take();
}

http::Response list_providers(Call& call) {
  return json_response(200, call.app.db.read([](store::Tx& tx) { return services::list_providers(tx); }));
}

http::Response store_credentials(Call& call) {
  const std::string slug(call.request.path_param("slug"));
  // An unknown provider is 404 whatever the body says.
  call.app.db.read([&](store::Tx& tx) { return services::provider_id_of(tx, slug); });
  auto in = Input::body(call.request);
  const auto company_id = in.integer("company_id", true, 1, INT64_MAX);
  // A company key acts for its own company only.
  if (company_id && *company_id != call.principal.company_id)
    throw ApiError::forbidden("company_id must be the company of the API key");
  const auto given = in.object("credentials", true);
  const auto credentials = given ? read_credentials(in, *given, slug) : json::object{};
  in.check();
  return json_response(201, services::store_credentials(call.app, call.principal.company_id, slug, credentials));
}

http::Response delete_credentials(Call& call) {
  services::delete_credentials(call.app, call.principal.company_id, call.request.path_param("slug"));
  return no_content();
}

}  // namespace

void add_provider_routes(Routes& routes) {
  routes.add("GET", "/api/providers/", {Access::company, list_providers});
  routes.add("POST", "/api/providers/{slug}/credentials", {Access::company, store_credentials});
  routes.add("DELETE", "/api/providers/{slug}/credentials", {Access::company, delete_credentials});
}

}  // namespace cxco::api
