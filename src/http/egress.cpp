#include "http/egress.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cstring>

namespace cxco::http {

namespace {

bool public_v4(const std::uint8_t* a) {
  if (a[0] == 0 || a[0] == 10 || a[0] == 127) return false;           // this network, private, loopback
  if (a[0] == 100 && (a[1] & 0xc0) == 64) return false;               // 100.64/10 carrier-grade NAT
  if (a[0] == 169 && a[1] == 254) return false;                       // link-local, cloud metadata
  if (a[0] == 172 && (a[1] & 0xf0) == 16) return false;               // 172.16/12
  if (a[0] == 192 && a[1] == 168) return false;                       // 192.168/16
  if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) return false;  // IETF, TEST-NET-1
  if (a[0] == 198 && (a[1] & 0xfe) == 18) return false;               // 198.18/15 benchmarking
  if (a[0] >= 224) return false;                                      // multicast, reserved, broadcast
  return true;
}

}  // namespace

bool is_public_address(std::string_view ip) {
  const std::string text(ip);
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) return public_v4(b.data());
  if (inet_pton(AF_INET6, text.c_str(), b.data()) != 1) return false;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b.data(), kMapped, 12) == 0) return public_v4(b.data() + 12);  // ::ffff:a.b.c.d
  if (std::all_of(b.begin(), b.end() - 1, [](auto x) { return x == 0; })) return false;  // :: and ::1
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if ((b[0] & 0xfe) == 0xfc) return false;                  // fc00::/7 unique local
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // documentation
  return true;
}

std::optional<std::string> check_webhook_url(const std::string& url, bool allow_private) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return "url must be an absolute URL";
  const auto scheme = parsed->scheme();
  if (scheme != "https" && !(allow_private && scheme == "http")) return "url must use https://";
  std::string host(parsed->encoded_host());
  if (host.empty()) return "url must name a host";
  if (!parsed->encoded_user().empty()) return "url must not contain credentials";
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (allow_private) return std::nullopt;

  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (lower == "localhost" || ends_with(".localhost") || ends_with(".internal") || ends_with(".local"))
    return "url must not point at an internal host";

  // Resolve now to refuse names that point inside; a name that does not resolve yet is
  // accepted and checked again, like every target, on each delivery.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return std::nullopt;
  std::optional<std::string> refusal;
  for (auto* a = found; a && !refusal; a = a->ai_next) {
    char ip[INET6_ADDRSTRLEN] = {0};
    const void* addr = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                               : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    inet_ntop(a->ai_family, addr, ip, sizeof ip);
    if (!is_public_address(ip)) refusal = "url resolves to a private, loopback or link-local address";
  }
  freeaddrinfo(found);
  return refusal;
}

}  // namespace cxco::http
