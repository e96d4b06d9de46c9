#include "fakes/graph_fake.h"

#include <boost/json.hpp>

#include "contract/contract_log.h"
#include "util/json.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr const char* kVersion = "v23.0";

http::Response reply(int status, const json::value& body) {
  return {status, util::to_json(body), "application/json", {}};
}

// Every Graph error has this shape (providers.md 2.2; GraphAPIError in Meta's definition).
http::Response graph_error(int status, int code, std::string_view message, std::string_view type = "OAuthException",
                           bool transient = false) {
  json::object error{{"message", "(#" + std::to_string(code) + ") " + std::string(message)},
                     {"type", type},
                     {"code", code},
                     {"error_data", {{"messaging_product", "whatsapp"}, {"details", message}}},
                     {"fbtrace_id", "AbCdEfGhIjK"}};
  if (transient) error["is_transient"] = true;
  return reply(status, {{"error", std::move(error)}});
}

std::string digits_of(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// Graph formats display numbers for people: "+27 211234567".
std::string display(const std::string& e164) {
  const auto d = digits_of(e164);
  return '+' + d.substr(0, 2) + " " + d.substr(2);  // '+', not "+": GCC 12 -O3 false -Wrestrict (GCC bug 105329)
}

std::optional<json::object> parse_object(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

const json::string* string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

}  // namespace

FakeGraph::FakeGraph(std::string expected_token)
    : expected_token_(std::move(expected_token)),
      server_(http::ServerLimits{.drain_timeout = std::chrono::seconds(2)},
              [this](http::Request&& request, http::Respond respond) {
                dispatch(std::move(request), std::move(respond));
              }) {
  const std::string v = std::string("/") + kVersion;
  router_.add("GET", v + "/{waba_id}/phone_numbers", {"list_numbers", &FakeGraph::list_numbers});
  router_.add("GET", v + "/{phone_number_id}", {"number_status", &FakeGraph::number_status});
  router_.add("POST", v + "/{phone_number_id}/register", {"register", &FakeGraph::register_number});
  router_.add("POST", v + "/{phone_number_id}/messages", {"send_message", &FakeGraph::send_message});
  server_.listen("127.0.0.1:0");
  thread_ = std::thread([this] { server_.run(false); });
}

FakeGraph::~FakeGraph() {
  server_.stop();
  thread_.join();
}

std::string FakeGraph::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_.port()) + "/" + kVersion;
}

void FakeGraph::add_number(const std::string& phone_number_id, const std::string& e164, int unverified_polls,
                           const std::string& pin) {
  std::lock_guard lock(mutex_);
  numbers_[phone_number_id] = Number{e164, unverified_polls, pin, false, {}};
}

void FakeGraph::fail(const std::string& operation, int status, int code, int times, bool transient) {
  std::lock_guard lock(mutex_);
  failures_[operation] = Failure{status, code, times, transient};
}

std::vector<FakeGraph::Sent> FakeGraph::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

std::vector<std::string> FakeGraph::registrations(const std::string& phone_number_id) const {
  std::lock_guard lock(mutex_);
  const auto it = numbers_.find(phone_number_id);
  return it == numbers_.end() ? std::vector<std::string>{} : it->second.pins;
}

int FakeGraph::request_count(const std::string& operation) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(operation);
  return it == requests_.end() ? 0 : it->second;
}

bool FakeGraph::wait_for_sent(std::size_t n, std::chrono::milliseconds within) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, within, [&] { return sent_.size() >= n; });
}

void FakeGraph::dispatch(http::Request&& request, http::Respond respond) {
  const auto match = router_.match(request);
  respond = contract_recorded("whatsapp", request, std::move(respond));
  if (match.kind != http::Router<Route>::Match::found)
    return respond(
        graph_error(400, 100, "Unsupported request - method type: " + request.method, "GraphMethodException"));
  std::lock_guard lock(mutex_);
  const Route& route = *match.payload;
  ++requests_[route.operation];
  if (request.header("authorization") != std::optional<std::string_view>("Bearer " + expected_token_))
    return respond(graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token"));
  if (auto it = failures_.find(route.operation); it != failures_.end() && it->second.times > 0) {
    --it->second.times;
    return respond(
        graph_error(it->second.status, it->second.code, "Injected failure", "OAuthException", it->second.transient));
  }
  respond((this->*route.handler)(request));
  changed_.notify_all();
}

http::Response FakeGraph::list_numbers(const http::Request& request) {
  if (request.path_param("waba_id") != kWabaId)
    return graph_error(400, 100, "Unsupported get request. Object does not exist", "GraphMethodException");
  // Graph always answers a list item's id, display number and status (its link to the WABA, not
  // the connection status GET /{phone_number_id} reports), whatever the fields asked for.
  json::array data;
  for (const auto& [id, n] : numbers_)
    data.push_back(json::object{{"verified_name", "Acme"},
                                {"display_phone_number", display(n.e164)},
                                {"id", id},
                                {"status", "LINKED"},
                                {"quality_rating", "GREEN"}});
  return reply(200,
               {{"data", std::move(data)}, {"paging", {{"cursors", {{"before", "QVFIUk"}, {"after", "QVFIUl"}}}}}});
}

// Like Graph, the id and the fields asked for (PhoneNumberInfo's), nothing else.
http::Response FakeGraph::number_status(const http::Request& request) {
  const auto it = numbers_.find(std::string(request.path_param("phone_number_id")));
  if (it == numbers_.end())
    return graph_error(400, 100, "Unsupported get request. Object does not exist", "GraphMethodException");
  auto& n = it->second;
  const bool verified = n.registered && n.unverified_polls == 0;
  if (n.registered && n.unverified_polls > 0) --n.unverified_polls;
  const json::object fields{{"code_verification_status", verified ? "VERIFIED" : "UNVERIFIED"},
                            {"display_phone_number", display(n.e164)},
                            {"verified_name", "Acme"},
                            {"quality_rating", "GREEN"},
                            {"name_status", "APPROVED"}};
  json::object answer{{"id", it->first}};
  const std::string asked(request.query_param("fields").value_or(""));
  for (std::size_t at = 0; at <= asked.size();) {
    const auto end = std::min(asked.find(',', at), asked.size());
    if (const auto* v = fields.if_contains(asked.substr(at, end - at))) answer[asked.substr(at, end - at)] = *v;
    at = end + 1;
  }
  return reply(200, answer);
}

http::Response FakeGraph::register_number(const http::Request& request) {
  const auto it = numbers_.find(std::string(request.path_param("phone_number_id")));
  const auto body = parse_object(request.body);
  const auto* product = body ? string_at(*body, "messaging_product") : nullptr;
  const auto* pin = body ? string_at(*body, "pin") : nullptr;
  if (it == numbers_.end() || !product || *product != "whatsapp" || !pin || pin->size() != 6 ||
      digits_of(*pin).size() != 6)
    return graph_error(400, 100, "Invalid parameter");
  auto& n = it->second;
  if (!n.pin.empty() && n.pin != *pin) return graph_error(400, 133005, "Two step verification PIN Mismatch");
  n.pin = *pin;
  n.registered = true;
  n.pins.emplace_back(*pin);
  return reply(200, {{"success", true}});
}

http::Response FakeGraph::send_message(const http::Request& request) {
  const auto it = numbers_.find(std::string(request.path_param("phone_number_id")));
  const auto body = parse_object(request.body);
  const auto* product = body ? string_at(*body, "messaging_product") : nullptr;
  const auto* to = body ? string_at(*body, "to") : nullptr;
  const auto* type = body ? string_at(*body, "type") : nullptr;
  const auto* text = body ? body->if_contains("text") : nullptr;
  const auto* text_body = text && text->is_object() ? string_at(text->get_object(), "body") : nullptr;
  if (it == numbers_.end() || !product || *product != "whatsapp" || !to || to->empty() || !type || *type != "text" ||
      !text_body || text_body->empty() || text_body->size() > 4096 * 4)
    return graph_error(400, 100, "Invalid parameter");
  if (!it->second.registered) return graph_error(400, 133010, "Phone number Not Registered");
  const std::string message_id = "wamid.FAKE" + std::to_string(next_message_++);
  sent_.push_back({it->first, std::string(*to), std::string(*text_body), message_id});
  return reply(200, {{"messaging_product", "whatsapp"},
                     {"contacts", json::array{{{"input", *to}, {"wa_id", digits_of(*to)}}}},
                     {"messages", json::array{{{"id", message_id}}}}});
}

}  // namespace cxco::test
