// Request and response as handlers see them: plain data, no Beast or Asio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cxco::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Bodies up to this size are read into memory (Request::body); past it only where a route's
// BodyRule allows.
constexpr std::size_t kInMemoryBodyLimit = 1024 * 1024;

// How the body of a request is read, decided from its method and path once its headers are in.
struct BodyRule {
  std::size_t limit = kInMemoryBodyLimit;  // larger bodies: 413
  // Bodies past kInMemoryBodyLimit are kept in a temporary file rather than in memory
  // (Request::spooled_body), for handlers that read them in pieces (Request::read_body).
  bool spool = false;
};

// A request body kept in an unlinked temporary file: whatever its size, reading it costs one
// piece of memory at a time. The file goes with the last reference.
class SpooledBody {
 public:
  explicit SpooledBody(int fd) : fd_(fd) {}  // takes ownership
  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  // Hands `consume` the body from its start in pieces of at most 64 KiB; throws
  // std::runtime_error when the file cannot be read.
  void read(const std::function<void(std::string_view)>& consume) const;

 private:
  int fd_;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  Fields query;        // decoded, in order
  Fields headers;      // names lowercased
  std::string body;    // empty when the body was spooled
  std::shared_ptr<const SpooledBody> spooled_body;
  std::string request_id;
  std::string remote_address;  // the peer's IP address, as the socket has it
  Fields path_params;  // filled by the router
  std::string route;   // template that matched, e.g. "/api/users/{user_id}"

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
  // The body in pieces, however it arrived: `body` at once, or the spooled file piece by piece.
  void read_body(const std::function<void(std::string_view)>& consume) const;
};

// Where a streamed response body goes, one piece at a time, from a worker thread.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Sends `piece` on, waiting while the client is behind. False once the client has gone away:
  // the producer should stop, nothing more will be sent.
  virtual bool write(std::string_view piece) = 0;
};

// Writes a response body into a sink after its head has been sent. Throwing ends the connection
// before the body is complete, so the client can tell it is cut short.
using BodyProducer = std::function<void(BodySink&)>;

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  Fields headers;
  // Set: the body is not `body` but what `producer` writes, run on the thread that responds (a
  // worker, never an I/O thread) once the head is out. Sent chunked, or with Content-Length
  // when `content_length` is set (then the producer must write exactly that many bytes). HEAD
  // gets the head alone and the producer is never run.
  BodyProducer producer{};
  std::optional<std::uint64_t> content_length{};
};

}  // namespace cxco::http
