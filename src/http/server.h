// The HTTP/1.1 listener (Boost.Beast). It owns only I/O: reading requests within limits,
// writing responses, keep-alive, timeouts and graceful shutdown. What a request means is
// decided by the Dispatcher it is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.h"

namespace cxco::http {

struct ServerLimits {
  // Bodies read into memory at most: the limit of every request when no BodyRules are given, and
  // the size past which a spooling route's body goes to a temporary file.
  std::size_t body_limit = kInMemoryBodyLimit;
  std::size_t header_limit = 16 * 1024;
  // Open connections at most; a connection beyond it is accepted and closed at once.
  std::size_t max_connections = 10000;
  // A whole request, headers and body, from its first byte (a new connection's first request:
  // from the accept). Past it the connection is closed without an answer.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  // Keep-alive: from the end of an answer to the first byte of the next request.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(75);
  // Once more than 80% of max_connections are open: the longest idle wait for a request to begin
  // (a new connection's first one included).
  std::chrono::milliseconds busy_idle_timeout = std::chrono::seconds(5);
  // After an answer that ends the connection mid-request (413, 400, ...), the rest of the
  // request is read and dropped for this long, or this many bytes, before closing, so that the
  // client can finish sending and read the answer (a lingering close).
  std::chrono::milliseconds linger_timeout = std::chrono::seconds(5);
  std::size_t linger_bytes = 64 * 1024 * 1024;
  std::chrono::seconds drain_timeout{20};  // SIGTERM: longest wait for requests in flight
  int io_threads = 1;
};

// Called on an I/O thread with a complete request; must call `respond` exactly once, from any
// thread. Blocking work belongs on the dispatcher's own workers, never on the I/O thread. A
// response with a producer is streamed: `respond` runs the producer on the calling thread and
// returns when it is done, so it must be called from a worker.
using Respond = std::function<void(Response)>;
using Dispatcher = std::function<void(Request&&, Respond)>;
// Called on an I/O thread once a request's headers are in (the path percent-decoded, as the
// Request will have it): how its body is read. Must be cheap; it runs for every request.
using BodyRules = std::function<BodyRule(std::string_view method, std::string_view path)>;

// What the server makes of one request's bytes: the request, or the status it answers instead
// (400 malformed or ambiguous, 413 too large, 431 headers too large, 501 a transfer coding other
// than chunked). Used by the listener and the fuzzer.
struct ParseOutcome {
  std::optional<Request> request;
  int error_status = 0;
};
ParseOutcome parse_request(std::string_view bytes, const ServerLimits& limits);

class Server {
 public:
  // Without body_rules every request may carry limits.body_limit bytes of body, read into memory.
  Server(ServerLimits limits, Dispatcher dispatcher, BodyRules body_rules = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens ("host:port"; port 0 picks a free one). Throws std::runtime_error.
  void listen(const std::string& address);
  std::uint16_t port() const;
  // Serves until stop() (or SIGTERM/SIGINT when handle_signals) and in-flight requests finish.
  void run(bool handle_signals);
  // Stop accepting, let requests in flight finish, close idle connections. Thread-safe.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxco::http
