#include "http/egress.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace cxco::http {

namespace {

bool public_v4(const std::uint8_t* a) {
  if (a[0] == 0 || a[0] == 10 || a[0] == 127) return false;                // this network, private, loopback
  if (a[0] == 100 && (a[1] & 0xc0) == 64) return false;                    // 100.64/10 carrier-grade NAT
  if (a[0] == 169 && a[1] == 254) return false;                            // link-local, cloud metadata
  if (a[0] == 172 && (a[1] & 0xf0) == 16) return false;                    // 172.16/12
  if (a[0] == 192 && a[1] == 168) return false;                            // 192.168/16
  if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) return false;  // IETF, TEST-NET-1
  if (a[0] == 192 && a[1] == 88 && a[2] == 99) return false;               // 6to4 relay anycast
  if (a[0] == 198 && (a[1] & 0xfe) == 18) return false;                    // 198.18/15 benchmarking
  if (a[0] == 198 && a[1] == 51 && a[2] == 100) return false;              // TEST-NET-2
  if (a[0] == 203 && a[1] == 0 && a[2] == 113) return false;               // TEST-NET-3
  if (a[0] >= 224) return false;                                           // multicast, reserved, broadcast
  return true;
}

bool starts_with(const std::array<std::uint8_t, 16>& b, std::initializer_list<std::uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), b.begin());
}

bool zero(const std::uint8_t* from, std::size_t n) {
  return std::all_of(from, from + n, [](std::uint8_t x) { return x == 0; });
}

bool public_v6(const std::array<std::uint8_t, 16>& b) {
  // Forms that carry an IPv4 address: as public as the address they carry.
  if (zero(b.data(), 10) && b[10] == 0xff && b[11] == 0xff) return public_v4(b.data() + 12);  // ::ffff:a.b.c.d
  if (zero(b.data(), 12)) return !zero(b.data() + 12, 3) && public_v4(b.data() + 12);         // ::a.b.c.d, ::, ::1
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b}) && zero(b.data() + 4, 8)) return public_v4(b.data() + 12);  // NAT64
  if (starts_with(b, {0x20, 0x02})) return public_v4(b.data() + 2);         // 6to4 2002::/16
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) return false;   // 64:ff9b:1::/48 local NAT64
  if (starts_with(b, {0x20, 0x01, 0x00, 0x00})) return false;               // Teredo 2001::/32 (obscured IPv4)
  if (starts_with(b, {0x20, 0x01, 0x0d, 0xb8})) return false;               // documentation
  if (starts_with(b, {0x01, 0x00}) && zero(b.data() + 2, 6)) return false;  // 100::/64 discard
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;                  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;                  // fec0::/10 site-local
  if ((b[0] & 0xfe) == 0xfc) return false;                                  // fc00::/7 unique local
  if (b[0] == 0xff) return false;                                           // multicast
  return true;
}

}  // namespace

bool is_public_address(std::string_view ip) {
  const std::string text(ip);
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) return public_v4(b.data());
  if (inet_pton(AF_INET6, text.c_str(), b.data()) != 1) return false;
  return public_v6(b);
}

namespace {

// The parts of a URL as libcurl reads them: the parser that will make the connection decides
// what host is checked, so the check and the connection cannot disagree about it.
struct UrlParts {
  std::string scheme, host;
  bool has_user = false;
};

std::optional<UrlParts> parts_of(const std::string& url) {
  CURLU* u = curl_url();
  if (!u) return std::nullopt;
  std::optional<UrlParts> parts;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    auto get = [&](CURLUPart part) -> std::optional<std::string> {
      char* value = nullptr;
      if (curl_url_get(u, part, &value, 0) != CURLUE_OK || !value) return std::nullopt;
      std::string out(value);
      curl_free(value);
      return out;
    };
    parts = UrlParts{get(CURLUPART_SCHEME).value_or(""), get(CURLUPART_HOST).value_or(""),
                     get(CURLUPART_USER).has_value() || get(CURLUPART_PASSWORD).has_value()};
  }
  curl_url_cleanup(u);
  return parts;
}

}  // namespace

std::optional<std::string> check_tenant_url(const std::string& url, bool allow_private) {
  const auto parsed = parts_of(url);
  if (!parsed || parsed->scheme.empty()) return "url must be an absolute URL";
  if (parsed->scheme != "https" && !(allow_private && parsed->scheme == "http")) return "url must use https://";
  std::string host = parsed->host;
  if (host.empty()) return "url must name a host";
  if (parsed->has_user) return "url must not contain credentials";
  if (allow_private) return std::nullopt;

  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!host.empty() && host.back() == '.') host.pop_back();  // "localhost." is localhost
  std::array<std::uint8_t, 16> literal{};
  if (inet_pton(AF_INET, host.c_str(), literal.data()) == 1 || inet_pton(AF_INET6, host.c_str(), literal.data()) == 1)
    return is_public_address(host)
               ? std::nullopt
               : std::optional<std::string>("url must not point at a private, loopback or link-local address");
  // Resolvers read "2130706433", "0x7f.1" and "127.1" as 127.0.0.1: such hosts are addresses too.
  in_addr legacy{};
  if (inet_aton(host.c_str(), &legacy) == 1) {
    char dotted[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &legacy, dotted, sizeof dotted);
    if (!is_public_address(dotted)) return "url must not point at a private, loopback or link-local address";
  }
  auto ends_with = [&](std::string_view suffix) {
    return host.size() >= suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (host == "localhost" || ends_with(".localhost") || ends_with(".internal") || ends_with(".local") ||
      ends_with(".arpa") || host.find('.') == std::string::npos)
    return "url must not point at an internal host";
  return std::nullopt;
}

std::function<bool(const std::string& ip)> tenant_connections(bool allow_private) {
  if (allow_private) return {};
  return [](const std::string& ip) { return is_public_address(ip); };
}

}  // namespace cxco::http
