// The contract log: what our provider clients send the fakes and what the fakes answer, and every
// provider payload (webhook) a test delivers to the server, one JSON line each in the file that
// CXCO_CONTRACT_LOG names (nothing is written when it is unset). tests/contract/validate.py
// checks each line against the provider's official API definition; ctest runs it after each
// API suite (CMakeLists.txt).
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace cxco::test {

// Starts the log afresh: a log left by an earlier run can neither pass nor fail this one.
void contract_log_begin();
// Marks the log complete; a log without this line comes from a run that did not finish.
void contract_log_end();

// Wraps a fake's `respond` so the exchange is logged when the fake answers: the request as it
// arrived (call after routing, so the route template is known) and the response.
http::Respond contract_recorded(std::string_view provider, const http::Request& request, http::Respond respond);

// Logs a payload a test sends to one of the server's /api/integrations/ endpoints.
void contract_record_payload(std::string_view method, std::string_view path, std::string_view body);

// Payloads logged while a ContractExempt lives are deliberately not what the provider sends
// (malformed bodies that must be refused). The validator lists every exemption with its reason
// and fails one that covers no payload the provider's schema rejects. Only payloads a test sends
// are exempted, never what a client sends a fake or a fake answers.
class ContractExempt {
 public:
  explicit ContractExempt(std::string reason);
  ~ContractExempt();
  ContractExempt(const ContractExempt&) = delete;
  ContractExempt& operator=(const ContractExempt&) = delete;

 private:
  int id_;
};

}  // namespace cxco::test
