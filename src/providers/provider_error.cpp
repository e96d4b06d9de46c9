#include "providers/provider_error.h"

namespace cxco::providers {

std::string redact(std::string message, std::string_view secret) {
  static constexpr std::string_view kMask = "[redacted]";
  if (secret.empty()) return message;
  for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + kMask.size()))
    message.replace(at, secret.size(), kMask);
  return message;
}

}  // namespace cxco::providers
