// The live WhatsAppProvider: the Graph API over HTTP (providers.md section 2). One attempt per
// call: the callers (the WhatsApp worker) retry durably on their own schedule.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <stdexcept>

#include "http/client.h"
#include "providers/whatsapp_provider.h"
#include "util/json.h"

namespace cxco::providers {

namespace {

namespace json = boost::json;

// Graph pages the numbers of a WABA; more than this per account is not expected.
constexpr int kNumbersPageSize = 100;

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// "+1 555-078-3881", "15550783881" and "+15550783881" name the same number.
std::string digits_of(std::string_view number) {
  std::string out;
  for (const char c : number)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

class WhatsAppClient final : public WhatsAppProvider {
 public:
  WhatsAppClient(const std::string& base_url, std::chrono::milliseconds timeout) : timeout_(timeout) {
    auto parsed = http::parse_base_url(base_url);
    if (!parsed) throw std::invalid_argument("Graph API base URL must be an absolute http(s) URL: " + base_url);
    base_ = std::move(*parsed);
  }

  std::optional<std::string> find_number(const WhatsAppAccount& account, const std::string& e164) override {
    const auto wanted = digits_of(e164);
    // Ids the company named are checked one by one; otherwise the WABA's list is searched.
    for (const auto& id : account.phone_number_ids)
      if (digits_of(number_status(account, id).display_phone_number) == wanted) return id;
    if (!account.phone_number_ids.empty()) return std::nullopt;

    std::optional<std::string> after;
    do {
      auto u = url({account.waba_id, "phone_numbers"});
      u.params().append({"fields", "id,display_phone_number"});
      u.params().append({"limit", std::to_string(kNumbersPageSize)});
      if (after) u.params().append({"after", *after});
      const auto page = call("find_number", account, "GET", u);
      after.reset();
      if (const auto* data = page.if_contains("data"); data && data->is_array())
        for (const auto& n : data->get_array())
          if (n.is_object() && digits_of(string_field(n.get_object(), "display_phone_number")) == wanted) {
            auto id = string_field(n.get_object(), "id");
            if (!id.empty()) return id;
          }
      // Graph sets paging.next only when there is a further page; its cursor is paging.cursors.after.
      const auto* paging = page.if_contains("paging");
      if (paging && paging->is_object() && paging->get_object().contains("next"))
        if (const auto* cursors = paging->get_object().if_contains("cursors"); cursors && cursors->is_object())
          if (auto next = string_field(cursors->get_object(), "after"); !next.empty()) after = std::move(next);
    } while (after);
    return std::nullopt;
  }

  WhatsAppNumberStatus number_status(const WhatsAppAccount& account, const std::string& phone_number_id) override {
    auto u = url({phone_number_id});
    u.params().append({"fields", "code_verification_status,display_phone_number"});
    const auto body = call("number_status", account, "GET", u);
    return {string_field(body, "code_verification_status"), string_field(body, "display_phone_number")};
  }

  void register_number(const WhatsAppAccount& account, const std::string& phone_number_id,
                       const std::string& pin) override {
    call("register_number", account, "POST", url({phone_number_id, "register"}),
         json::object{{"messaging_product", "whatsapp"}, {"pin", pin}});
  }

  std::string send_text(const WhatsAppAccount& account, const std::string& phone_number_id, const std::string& to,
                        const std::string& body) override {
    const auto answer = call("send_message", account, "POST", url({phone_number_id, "messages"}),
                             json::object{{"messaging_product", "whatsapp"},
                                          {"recipient_type", "individual"},
                                          {"to", to},
                                          {"type", "text"},
                                          {"text", {{"preview_url", false}, {"body", body}}}});
    const auto* messages = answer.if_contains("messages");
    if (messages && messages->is_array() && !messages->get_array().empty() && messages->get_array()[0].is_object()) {
      auto id = string_field(messages->get_array()[0].get_object(), "id");
      if (!id.empty()) return id;
    }
    throw GraphError("send_message", 200, 0, "response has no messages[0].id");
  }

 private:
  boost::urls::url url(std::initializer_list<std::string_view> segments) const {
    return http::with_segments(base_, segments);
  }

  json::object call(const std::string& operation, const WhatsAppAccount& account, std::string method,
                    const boost::urls::url& target, const std::optional<json::object>& body = std::nullopt) const {
    http::ClientRequest request;
    request.method = std::move(method);
    request.url = std::string(target.buffer());
    request.timeout = timeout_;
    request.headers = {{"Authorization", "Bearer " + account.access_token}, {"Accept", "application/json"}};
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = util::to_json(*body);
    }
    const auto response = http::perform(request);
    if (response.status == 0) throw GraphError(operation, 0, 0, "transport error: " + response.error);
    json::error_code ec;
    auto parsed = json::parse(response.body, ec);
    if (response.ok()) {
      if (ec || !parsed.is_object()) throw GraphError(operation, response.status, 0, "response is not a JSON object");
      return std::move(parsed.get_object());
    }
    // {"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,...}}
    int code = 0;
    bool marked_transient = false;
    std::string message = "HTTP " + std::to_string(response.status);
    const auto* error = !ec && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
    if (error && error->is_object()) {
      if (const auto* c = error->get_object().if_contains("code"); c && c->is_int64())
        code = static_cast<int>(c->get_int64());
      if (const auto* t = error->get_object().if_contains("is_transient"); t && t->is_bool())
        marked_transient = t->get_bool();
      if (const auto text = string_field(error->get_object(), "message"); !text.empty()) message += " " + text;
      if (code && message.find("(#") == std::string::npos) message += " (code " + std::to_string(code) + ")";
    }
    throw GraphError(operation, response.status, code, redact(std::move(message), account.access_token),
                     marked_transient);
  }

  boost::urls::url base_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::string GraphError::reason() const {
  return ProviderError::reason() + (code ? " (Graph error " + std::to_string(code) + ")" : std::string());
}

bool GraphError::transient() const {
  // Unknown/temporary API errors, app, user and WABA rate limits, throughput and pair limits,
  // service unavailable, and the registration throttles ("too many attempts", "wait before
  // retrying"). Graph answers most of them with HTTP 400.
  static constexpr int kRetryLater[] = {1, 2, 4, 17, 80007, 130429, 131000, 131016, 131056, 133009, 133015};
  if (status == 0 || status == 429 || status >= 500 || marked_transient) return true;
  return std::find(std::begin(kRetryLater), std::end(kRetryLater), code) != std::end(kRetryLater);
}

std::unique_ptr<WhatsAppProvider> make_whatsapp_client(const std::string& base_url, std::chrono::milliseconds timeout) {
  return std::make_unique<WhatsAppClient>(base_url, timeout);
}

}  // namespace cxco::providers
