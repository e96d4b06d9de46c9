// What every provider client throws, and how their errors are kept free of our secrets.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace cxco::providers {

// A provider call failed after retries. `operation` names the step ("create_agent", ...).
class ProviderError : public std::runtime_error {
 public:
  ProviderError(std::string operation, int status, const std::string& message)
      : std::runtime_error(operation + ": " + message), operation(std::move(operation)), status(status) {}
  std::string operation;
  int status;  // HTTP status, 0 for transport errors
};

// A provider's error text is not ours to control: should it ever echo a secret we sent, the
// secret must not travel on into logs, API answers or stored errors.
std::string redact(std::string message, std::string_view secret);

}  // namespace cxco::providers
