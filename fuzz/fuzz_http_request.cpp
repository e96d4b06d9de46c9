// libFuzzer: arbitrary bytes through what faces the network first: HTTP request parsing with
// the server's limits, routing, JSON body decoding and validation, and pagination cursors.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/input.h"
#include "http/router.h"
#include "http/server.h"
#include "wire/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cxco;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const http::ServerLimits limits;
  static const http::Router<int> router = [] {
    http::Router<int> r;
    r.add("GET", "/api/agents/", 1);
    r.add("GET", "/api/agents/{agent_id}", 2);
    r.add("POST", "/api/agents/{agent_id}/publish", 3);
    r.add("GET", "/api/users/me", 4);
    return r;
  }();

  auto outcome = http::parse_request(bytes, limits);
  if (!outcome.request) {
    if (outcome.error_status != 400 && outcome.error_status != 413 && outcome.error_status != 431 &&
        outcome.error_status != 501)
      __builtin_trap();
    return 0;
  }
  auto& req = *outcome.request;
  (void)router.match(req);
  try {
    auto body = api::Input::body(req, true);
    (void)body.string("name");
    (void)body.integer("voice_id", wire::kOptional, 1);
    (void)body.object("config").number("temperature", wire::kOptional, 0, 2);
    (void)body.email("email", wire::kOptional);
  } catch (const ApiError& e) {
    if (e.status != 400) __builtin_trap();
  }
  auto query = api::Input::query(req);
  (void)query.integer("limit", wire::kOptional, 1, 100);
  if (const auto c = req.query_param("cursor")) (void)wire::decode_cursor(*c);
  // Body bytes as a cursor too: the decoder must reject garbage without crashing.
  (void)wire::decode_cursor(bytes.substr(0, 300));
  return 0;
}
