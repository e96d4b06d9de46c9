// Blocking outbound HTTP (libcurl) for provider clients, webhook delivery and tests. Call it
// from worker threads only. Each thread reuses one handle, so connections are kept alive.
#pragma once

#include <boost/url/url.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "http/types.h"

namespace cxco::http {

// Every member has a default, so a designated initializer may name only what it sets.
struct ClientRequest {
  std::string method = "GET";
  std::string url{};
  Fields headers{};
  std::string body{};
  std::chrono::milliseconds timeout{10000};
  // Longest response body taken in: past it the transfer is aborted with error "response larger
  // than N bytes", so a broken or hostile peer cannot fill memory. The default leaves room for the
  // largest provider answers (voice lists); webhook delivery sets a few KiB.
  std::size_t max_response_bytes = 4 * 1024 * 1024;
  // Called with each resolved address before connecting; returning false refuses the connection
  // (used to keep webhook delivery off private networks even after DNS changes).
  std::function<bool(const std::string& ip)> allow_address{};
};

struct ClientResponse {
  int status = 0;     // 0 when no HTTP answer arrived
  std::string error;  // transport error (timeout, refused, ...), empty on an HTTP answer
  Fields headers;     // names lowercased
  std::string body;
  double elapsed_ms = 0;

  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  std::optional<std::string_view> header(std::string_view lower_name) const;
};

ClientResponse perform(const ClientRequest& request);

// A response read piece by piece as it arrives, for bodies too large to hold (call recordings).
// The constructor sends the request and returns once the status and headers are in (or the
// transfer failed); read() then pulls the body. `timeout` bounds connecting and each wait for
// the head or the next piece, not the whole transfer, which goes at the reader's pace;
// `max_response_bytes` bounds the whole body. Destroying a Download mid-body aborts it.
class Download {
 public:
  explicit Download(ClientRequest request);
  ~Download();
  Download(const Download&) = delete;
  Download& operator=(const Download&) = delete;

  // Status and headers (body empty), or the transport error with status 0.
  const ClientResponse& head() const;
  // The next piece of the body, empty at its end. Throws std::runtime_error (with the words of
  // ClientResponse::error) when the transfer fails midway.
  std::string read();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A provider's base URL, ready to append path segments to: absolute http(s), without query,
// fragment or trailing slash. nullopt for anything else.
std::optional<boost::urls::url> parse_base_url(const std::string& base_url);
// `base` with path segments appended, each percent-encoded as needed, so ids cannot escape
// their segment.
boost::urls::url with_segments(boost::urls::url base, std::initializer_list<std::string_view> segments);

}  // namespace cxco::http
