// Keeps webhook deliveries off internal networks: loopback, private, link-local (cloud
// metadata), carrier-grade NAT, multicast and unspecified addresses are refused, both when a
// webhook is registered and again on the resolved address of every delivery.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cxco::http {

// True for an IPv4/IPv6 literal that is publicly routable.
bool is_public_address(std::string_view ip);

// Checks a webhook URL at registration. Returns the reason it is refused, or nullopt.
// allow_private (CXCO_WEBHOOK_ALLOW_PRIVATE) accepts http:// and internal targets.
std::optional<std::string> check_webhook_url(const std::string& url, bool allow_private);

}  // namespace cxco::http
