// Providers and a company's credentials for them (reference "Providers", platform.md section 3),
// Company Key. Credentials are validated per provider and can never be read back.
#include <algorithm>
#include <cctype>

#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

namespace json = boost::json;

// Reads the body's `credentials` field by field (errors under ["body", "credentials", key]),
// keeping only the fields read, so whatever else a caller sent is never stored. Messages never
// quote values: they may be secrets.
class CredentialReader {
 public:
  explicit CredentialReader(wire::FieldReader reader) : reader_(std::move(reader)) {}

  std::optional<std::string> text(std::string_view key, wire::Presence presence, std::size_t max_len = 4096) {
    auto s = reader_.string(key, presence == wire::kRequired ? wire::kRequired : wire::kNonBlank, max_len);
    if (s) out_[key] = *s;
    return s;
  }
  void one_of(std::string_view key, std::initializer_list<std::string_view> allowed, std::string_view fallback) {
    out_[key] = reader_.one_of(key, wire::kOptional, allowed).value_or(std::string(fallback));
  }
  void id_list(std::string_view key) {
    const auto* list = reader_.array(key);
    if (!list) return;
    json::array ids;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& item = (*list)[i];
      if (!item.is_string() || item.get_string().empty() || item.get_string().size() > 64)
        reader_.error(element_loc(key, i), "Input should be a non-empty id string", "string_type");
      else
        ids.push_back(item);
    }
    out_[key] = std::move(ids);
  }
  bool present(std::string_view key) const { return reader_.has(key); }
  void error(std::string_view key, std::string msg, std::string type) {
    reader_.error(key, std::move(msg), std::move(type));
  }
  json::object take() { return std::move(out_); }

 private:
  std::vector<std::string> element_loc(std::string_view key, std::size_t i) const {
    auto loc = reader_.loc(key);
    loc.push_back(std::to_string(i));
    return loc;
  }

  wire::FieldReader reader_;
  json::object out_;
};

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex(std::string_view s, std::size_t length) {
  return s.size() == length && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

json::object read_credentials(wire::FieldReader given, std::string_view slug, const services::Credentials& service) {
  using wire::kOptional;
  using wire::kRequired;
  CredentialReader r(std::move(given));
  if (slug == "elevenlabs") {
    r.text("api_key", kRequired, 512);
    // The company's own workspace signs its post-call webhook with this (its URL names the company).
    r.text("webhook_secret", kOptional, 512);
  } else if (slug == "twilio") {
    // Twilio's formats: "AC" and 32 hex digits; 32 hex digits.
    if (const auto sid = r.text("account_sid", kRequired, 64);
        sid && !(sid->starts_with("AC") && is_hex(sid->substr(2), 32)))
      r.error("account_sid", "account_sid should be the Twilio Account SID (AC and 32 hex digits)", "value_error");
    if (const auto token = r.text("auth_token", kRequired, 64); token && !is_hex(*token, 32))
      r.error("auth_token", "auth_token should be the account's Auth Token (32 hex digits)", "value_error");
  } else if (slug == "sip_trunk") {
    r.text("address", kRequired, 255);
    r.one_of("transport", {"auto", "udp", "tcp", "tls"}, "auto");
    // Without a username and password the carrier authorises by source address (ACL).
    r.text("username", kOptional, 255);
    r.text("password", kOptional, 255);
    if (r.present("username") && !r.present("password"))
      r.error("password", "password is required with username", "missing");
    if (r.present("password") && !r.present("username"))
      r.error("username", "username is required with password", "missing");
  } else if (slug == "whatsapp") {
    r.text("access_token", kRequired);
    if (const auto waba = r.text("waba_id", kRequired, 64); waba && !is_digits(*waba))
      r.error("waba_id", "waba_id should be the numeric WhatsApp Business Account id", "value_error");
    r.id_list("phone_number_ids");
    if (const auto pin = r.text("pin", kOptional, 6); pin && (pin->size() != 6 || !is_digits(*pin)))
      r.error("pin", "pin should be the 6-digit two-step verification PIN", "value_error");
  } else if (slug == "llm") {
    // The server will post there with the tenant's bearer key: the egress policy applies.
    if (const auto url = r.text("base_url", kRequired, 2048))
      if (const auto refusal = service.refuse_url(*url)) r.error("base_url", "base_url: " + *refusal, "value_error");
    r.text("api_key", kRequired, 512);
    r.text("model", kRequired, 255);
  }
  return r.take();
}

http::Response list_providers(Call& call) { return json_response(200, call.services.credentials.providers()); }

http::Response store_credentials(Call& call) {
  const std::string slug(call.request.path_param("slug"));
  // An unknown provider is 404 whatever the body says.
  call.services.credentials.require_provider(slug);
  auto in = Input::body(call.request);
  const auto company_id = in.integer("company_id", wire::kRequired, 1);
  // A company key acts for its own company only.
  if (company_id && *company_id != call.principal.company.value)
    throw ApiError::forbidden("company_id must be the company of the API key");
  auto given = in.object("credentials", wire::kRequired);
  const auto credentials =
      given.object() ? read_credentials(std::move(given), slug, call.services.credentials) : json::object{};
  in.check();
  return json_response(201, call.services.credentials.store(call.principal.company, slug, credentials));
}

http::Response delete_credentials(Call& call) {
  call.services.credentials.remove(call.principal.company, call.request.path_param("slug"));
  return no_content();
}

}  // namespace

void add_provider_routes(Routes& routes) {
  routes.add("GET", "/api/providers/", {Access::company, list_providers});
  routes.add("POST", "/api/providers/{slug}/credentials", {Access::company, store_credentials});
  routes.add("DELETE", "/api/providers/{slug}/credentials", {Access::company, delete_credentials});
}

}  // namespace cxco::api
