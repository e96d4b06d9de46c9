#include "providers/provider_error.h"

namespace cxco::providers {

std::string redact(std::string message, std::string_view secret) {
  static constexpr std::string_view kMask = "[redacted]";
  if (secret.empty()) return message;
  for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + kMask.size()))
    message.replace(at, secret.size(), kMask);
  return message;
}

std::string ProviderError::reason() const {
  return operation + (status ? ": HTTP " + std::to_string(status) : std::string(": no answer"));
}

std::string public_reason(const std::exception& e) {
  if (const auto* provider = dynamic_cast<const ProviderError*>(&e)) return provider->reason();
  return "internal error";
}

}  // namespace cxco::providers
