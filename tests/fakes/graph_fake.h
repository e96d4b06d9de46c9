// An HTTP fake of the Graph API endpoints the live WhatsApp client uses (../shared/docs/providers.md
// section 2): a WABA's numbers, number status, registration and text messages, with Bearer-token
// checks, the documented error bodies and failures on request. Every exchange goes to the
// contract log (contract/contract_log.h).
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace cxco::test {

class FakeGraph {
 public:
  static constexpr const char* kToken = "EAAG-test-token";
  static constexpr const char* kWabaId = "102290129340398";

  explicit FakeGraph(std::string expected_token = kToken);
  ~FakeGraph();
  FakeGraph(const FakeGraph&) = delete;
  FakeGraph& operator=(const FakeGraph&) = delete;

  // With the version segment, as CXCO_WHATSAPP_GRAPH_BASE_URL names it.
  std::string base_url() const;

  // A number of the WABA (kWabaId). Its code_verification_status is UNVERIFIED until it is
  // registered and for `unverified_polls` status reads after that, then VERIFIED. The first
  // registration sets its two-step verification PIN (`pin`, when given, was set before); a
  // registration with another PIN fails as Graph's does (133005).
  void add_number(const std::string& phone_number_id, const std::string& e164, int unverified_polls = 0,
                  const std::string& pin = "");
  // The next `times` calls of `operation` (list_numbers, number_status, register, send_message)
  // answer `status` with Graph's error body carrying `code`, and `is_transient` when `transient`.
  void fail(const std::string& operation, int status, int code, int times = 1, bool transient = false);

  struct Sent {
    std::string phone_number_id, to, body, message_id;
  };
  std::vector<Sent> sent() const;
  // The PIN of each registration that succeeded, in order.
  std::vector<std::string> registrations(const std::string& phone_number_id) const;
  int request_count(const std::string& operation) const;
  bool wait_for_sent(std::size_t n, std::chrono::milliseconds within = std::chrono::seconds(10)) const;

 private:
  using Handler = http::Response (FakeGraph::*)(const http::Request&);
  struct Route {
    std::string operation;
    Handler handler;
  };
  struct Number {
    std::string e164;
    int unverified_polls = 0;
    std::string pin;  // the two-step verification PIN; empty: none set yet
    bool registered = false;
    std::vector<std::string> pins;  // of every registration that succeeded
  };
  struct Failure {
    int status, code, times;
    bool transient;
  };

  void dispatch(http::Request&& request, http::Respond respond);
  http::Response list_numbers(const http::Request& request);
  http::Response number_status(const http::Request& request);
  http::Response register_number(const http::Request& request);
  http::Response send_message(const http::Request& request);

  const std::string expected_token_;
  http::Router<Route> router_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, Number> numbers_;
  std::map<std::string, Failure> failures_;
  std::map<std::string, int> requests_;
  std::vector<Sent> sent_;
  int next_message_ = 1;

  http::Server server_;
  std::thread thread_;
};

}  // namespace cxco::test
