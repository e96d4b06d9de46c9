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
  ~ProviderError() override = default;
  std::string operation;
  int status;  // HTTP status, 0 for transport errors

  // What a tenant may be shown: the kind of failure in a few fixed words, never the provider's
  // own text (a tenant's endpoint could otherwise make CXCo read its internal network back to
  // it). what() keeps the whole story, for the operator's logs.
  virtual std::string reason() const;
};

// A provider step that cannot be attempted because something is not set up (no LLM configured,
// no credentials stored): the words are ours, so a tenant may read them.
class SetupError : public ProviderError {
 public:
  SetupError(std::string operation, std::string message)
      : ProviderError(std::move(operation), 0, message), message_(std::move(message)) {}
  std::string reason() const override { return operation + ": " + message_; }

 private:
  std::string message_;
};

// reason() of a provider failure; for anything else (stored credentials no key reads, say), a
// fixed word of our own.
std::string public_reason(const std::exception& e);

// A provider's error text is not ours to control: should it ever echo a secret we sent, the
// secret must not travel on into logs, API answers or stored errors.
std::string redact(std::string message, std::string_view secret);

}  // namespace cxco::providers
