// The egress policy of every URL a tenant can set (webhook endpoints, LLM endpoints in a
// company's `llm` credentials): CXCo must not become a way into the networks it runs in.
//
// - When the URL is set: https only, no credentials in it, no internal host names, no
//   address literal that is not public. No DNS lookup then: a slow resolver must not hold a
//   request thread, and what a name resolves to at registration proves nothing later.
// - When a connection is made: the address the socket is about to connect to is checked
//   (libcurl's open-socket hook), so the address checked is the address used, whatever DNS
//   answers meanwhile; redirects are never followed.
// CXCO_WEBHOOK_ALLOW_PRIVATE (development and tests) lifts both for every such URL. URLs the
// operator configures (CXCO_*_BASE_URL) are trusted and not checked.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cxco::http {

// True for an IPv4/IPv6 literal that is publicly routable. Refused: loopback, private,
// link-local (cloud metadata), carrier-grade NAT, benchmarking, documentation, multicast,
// reserved and unspecified ranges, and IPv6 forms that carry an IPv4 address (mapped,
// compatible, NAT64, 6to4, Teredo) unless the address they carry is public.
bool is_public_address(std::string_view ip);

// Why a tenant's URL is refused when it is set, or nullopt. With allow_private, http:// and
// internal targets are accepted.
std::optional<std::string> check_tenant_url(const std::string& url, bool allow_private);

// The check for each connection to a tenant's URL (ClientRequest::allow_address); empty with
// allow_private.
std::function<bool(const std::string& ip)> tenant_connections(bool allow_private);

}  // namespace cxco::http
