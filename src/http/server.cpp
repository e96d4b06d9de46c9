#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <variant>
#include <vector>

#include "http/error_response.h"
#include "util/log.h"
#include "util/metrics.h"

namespace cxco::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "req_";
  std::uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i, a >>= 4) id += kHex[a & 15];
  for (int i = 0; i < 8; ++i, b >>= 4) id += kHex[b & 15];
  return id;
}

// A caller's id is echoed only if it is short and printable, so it is safe in logs and headers.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const unsigned char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ApiError bad(std::string detail) { return ApiError(400, "bad_request", std::move(detail)); }

// UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF) without NUL:
// what handlers, logs and both databases can hold.
bool clean_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF)
      length = 2, code = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      length = 3, code = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      length = 4, code = c & 0x07;
    else
      return false;
    if (s.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

// RFC 9112 section 3.2: exactly one Host in HTTP/1.1 (at most one before), a valid authority
// when not empty.
std::optional<ApiError> host_error(const bhttp::request_header<>& msg) {
  const auto hosts =
      std::count_if(msg.begin(), msg.end(), [](const auto& f) { return f.name() == bhttp::field::host; });
  if (hosts > 1 || (hosts == 0 && msg.version() >= 11)) return bad("HTTP/1.1 requests need exactly one Host header");
  const auto host = msg[bhttp::field::host];
  if (!host.empty() && !boost::urls::parse_authority(host)) return bad("Invalid Host header");
  return std::nullopt;
}

// RFC 9112 section 6: a body must be framed one way only, or the bytes after it could be read
// as another request. Transfer-Encoding is taken only as exactly "chunked"; anything else is
// refused, and every refusal closes the connection.
std::optional<ApiError> framing_error(const bhttp::request_header<>& msg) {
  bool present = false;
  std::vector<std::string> codings;  // lowercased, in order, over every Transfer-Encoding line
  for (const auto& f : msg) {
    if (f.name() != bhttp::field::transfer_encoding) continue;
    present = true;
    for (std::string_view rest = f.value(); !rest.empty();) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) codings.push_back(lower(item));  // empty list elements are allowed and ignored
    }
  }
  if (!present) return std::nullopt;
  if (msg.version() < 11) return bad("Transfer-Encoding is not allowed in HTTP/1.0");
  if (msg.find(bhttp::field::content_length) != msg.end()) return bad("Both Transfer-Encoding and Content-Length");
  if (codings.empty() || codings.back() != "chunked") return bad("Transfer-Encoding must end in chunked");
  if (std::count(codings.begin(), codings.end(), "chunked") > 1) return bad("chunked is applied more than once");
  if (codings.size() > 1) return ApiError(501, "not_implemented", "Only the chunked transfer coding is supported");
  return std::nullopt;
}

// The request handlers see, from a message's head (its body is added once read), or why it is
// refused.
std::variant<Request, ApiError> make_request(const bhttp::request_header<>& msg) {
  if (auto error = framing_error(msg)) return std::move(*error);
  if (auto error = host_error(msg)) return std::move(*error);
  Request req;
  req.method = std::string(msg.method_string());
  const auto target = boost::urls::parse_origin_form(msg.target());
  if (!target) return bad("Malformed request target");
  // Routes are matched on the decoded path, where an encoded '/' would split the segment it is
  // data of ("/api%2Fusers%2Fme" reaching /api/users/me); such paths are refused.
  for (const auto& segment : target->segments())
    if (segment.find('/') != std::string::npos) return bad("An encoded '/' (%2F) is not allowed in the path");
  req.path = target->path();
  if (!clean_text(req.path)) return bad("The path must be UTF-8 text without NUL");
  for (const auto& p : target->params()) {
    if (!clean_text(p.key) || !clean_text(p.value)) return bad("Query parameters must be UTF-8 text without NUL");
    req.query.emplace_back(p.key, p.has_value ? p.value : std::string());
  }
  for (const auto& f : msg) req.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
  const auto caller_id = req.header("x-request-id");
  req.request_id = caller_id && acceptable_request_id(*caller_id) ? std::string(*caller_id) : new_request_id();
  return req;
}

int status_for(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  return 400;
}

// "1 MiB", "50 MiB"; bytes when not a whole number of MiB.
std::string size_text(std::size_t bytes) {
  constexpr std::size_t kMiB = 1024 * 1024;
  return bytes % kMiB == 0 ? std::to_string(bytes / kMiB) + " MiB" : std::to_string(bytes) + " bytes";
}

// An unlinked temporary file for a spooled body: the body it receives and the descriptor Beast
// writes through (a duplicate, so each side closes its own).
struct SpoolFile {
  std::shared_ptr<SpooledBody> body;
  beast::file writer;
};

std::optional<SpoolFile> open_spool_file() {
  std::string path = (std::filesystem::temp_directory_path() / "cxco-body-XXXXXX").string();
  const int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  ::unlink(path.c_str());  // nothing is left behind, however the process ends
  SpoolFile spool{std::make_shared<SpooledBody>(fd), {}};
  const int writer = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (writer < 0) return std::nullopt;
  spool.writer.native_handle(writer);
  return spool;
}

// Errors that mean the client has gone or is too slow: the connection just closes.
bool connection_ended(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::eof;
}

// The pieces of a streamed response body on their way from the producer (a worker thread) to the
// session writing them (an I/O thread). At most kStreamWindow bytes are queued or being written;
// past that the producer waits, so a slow client holds the producer back instead of filling
// memory, and a client that has gone stops it.
class Outflow final : public BodySink {
 public:
  enum class State { data, waiting, done, failed, gone };
  static constexpr std::size_t kStreamWindow = 256 * 1024;

  // `wake` (called with the lock held, so it must only post) tells the session that there is
  // something to take after take() found nothing.
  explicit Outflow(std::function<void()> wake) : wake_(std::move(wake)) {}

  bool write(std::string_view piece) override {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return gone_ || buffered_ < kStreamWindow; });
    if (gone_) return false;
    if (piece.empty()) return true;  // an empty chunk would end a chunked body
    queue_.emplace_back(piece);
    buffered_ += piece.size();
    wake_if_waiting();
    return true;
  }

  // The producer has returned (complete) or thrown.
  void end(bool complete) {
    std::lock_guard lock(mutex_);
    ended_ = true;
    complete_ = complete;
    wake_if_waiting();
  }

  // The session: moves the pieces queued so far into `out`, or says why there are none.
  State take(std::vector<std::string>& out) {
    std::lock_guard lock(mutex_);
    if (gone_) return State::gone;
    if (!queue_.empty()) {
      std::move(queue_.begin(), queue_.end(), std::back_inserter(out));
      queue_.clear();
      return State::data;
    }
    if (ended_) return complete_ ? State::done : State::failed;
    waiting_ = true;
    return State::waiting;
  }

  // The session: `bytes` taken earlier are written, which makes room for more.
  void written(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    buffered_ -= bytes;
    room_.notify_all();
  }

  // The session: nothing more will be sent (the client went away, or the session ends).
  void abandon() {
    std::lock_guard lock(mutex_);
    gone_ = true;
    wake_ = nullptr;
    room_.notify_all();
  }

 private:
  void wake_if_waiting() {
    if (std::exchange(waiting_, false) && wake_) wake_();
  }

  std::mutex mutex_;
  std::condition_variable room_;
  std::function<void()> wake_;
  std::deque<std::string> queue_;
  std::size_t buffered_ = 0;  // queued or being written
  bool waiting_ = false;      // the session found nothing to take and waits for wake_
  bool ended_ = false, complete_ = false, gone_ = false;
};

}  // namespace

ParseOutcome parse_request(std::string_view bytes, const ServerLimits& limits) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(limits.body_limit);
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && used < bytes.size() && !parser.is_done()) {
    const auto n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) break;
    used += n;
    if (n == 0 && !ec) break;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec && ec != bhttp::error::need_more) return {std::nullopt, status_for(ec)};
  if (!parser.is_done()) return {std::nullopt, 400};
  auto made = make_request(parser.get());
  if (const auto* error = std::get_if<ApiError>(&made)) return {std::nullopt, error->status};
  auto& request = std::get<Request>(made);
  request.body = std::move(parser.get().body());
  return {std::move(request), 0};
}

struct Server::Impl {
  class Session;

  Impl(ServerLimits l, Dispatcher d, BodyRules r)
      : limits(l),
        dispatcher(std::move(d)),
        body_rules(std::move(r)),
        control(asio::make_strand(ioc)),
        acceptor(control),
        drain_timer(control),
        signals(control),
        accept_pause(control) {}

  ServerLimits limits;
  Dispatcher dispatcher;
  BodyRules body_rules;
  asio::io_context ioc;
  // The acceptor, its timers and the signal wait are used from several I/O threads; one strand
  // serialises everything that touches them.
  asio::strand<asio::io_context::executor_type> control;
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  std::mutex sessions_mutex;
  std::set<Session*> sessions;
  std::atomic<bool> stopping{false};
  asio::signal_set signals;
  asio::steady_timer accept_pause;
  bool accept_paused = false;  // out of descriptors; logged once until a connection is accepted again

  void accept();
  void pause_accepting(const beast::error_code& ec);
  void begin_stop();
  void session_closed(Session* s);
  std::size_t open_sessions() {
    std::lock_guard lock(sessions_mutex);
    return sessions.size();
  }
  // Past 80% of max_connections, idle waits are cut short to free places sooner.
  bool busy() { return open_sessions() * 5 > limits.max_connections * 4; }
};

// How long accepting pauses when the process is out of descriptors.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// Bytes asked for while waiting for a request to begin (most arrive in one read), and while
// dropping the rest of a refused one.
constexpr std::size_t kFirstRead = 16 * 1024;

class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket)
      : server_(server), stream_(std::move(socket)), producer_wait_(stream_.get_executor()) {
    buffer_.max_size(server_.limits.header_limit + server_.limits.body_limit + 4096);
  }
  ~Session() {
    if (outflow_) outflow_->abandon();  // a producer still writing learns that nobody reads
    server_.session_closed(this);
  }

  void start() {
    {
      std::lock_guard lock(server_.sessions_mutex);
      server_.sessions.insert(this);
    }
    do_read();
  }

  // From any thread: close now if idle, else after the response in flight is written.
  void shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (!self->in_flight_) self->close();
    });
  }

 private:
  void do_read() {
    if (stopping_) return close();
    parser_.emplace();
    // The route's limit is set once the headers say which route (on_header); a Content-Length
    // must not be judged before that.
    parser_->body_limit(boost::none);
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits.header_limit));
    limit_ = server_.limits.body_limit;
    // Pipelined bytes already here: the next request has started.
    if (buffer_.size() > 0) {
      stream_.expires_after(server_.limits.read_timeout);
      return read_request();
    }
    // A new connection has the read timeout for its whole first request, counted from the accept;
    // a kept-alive one waits idle for its next request's first byte, then has the read timeout.
    // Near the connection limit, waiting for a request to begin is kept short.
    auto wait = first_request_ ? server_.limits.read_timeout : server_.limits.idle_timeout;
    if (server_.busy()) wait = std::min(wait, server_.limits.busy_idle_timeout);
    stream_.expires_after(wait);
    const auto first_read = buffer_.prepare(std::min(kFirstRead, buffer_.max_size()));
    stream_.async_read_some(first_read, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->buffer_.commit(n);
      const auto began = self->first_request_ ? self->accepted_at_ : std::chrono::steady_clock::now();
      self->stream_.expires_at(began + self->server_.limits.read_timeout);
      self->read_request();
    });
  }

  void read_request() {
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  // The headers are in: the request is checked, its route's body rule looked up, and its body
  // read into memory, spooled to a file, or (none) not read at all.
  void on_header(beast::error_code ec) {
    if (connection_ended(ec)) return close();
    // Known once the headers are in, so that even a refusal of a HEAD request has no body.
    head_ = parser_->is_header_done() && parser_->get().method() == bhttp::verb::head;
    if (ec) return refuse(ec);

    first_request_ = false;
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    auto made = make_request(msg);
    if (const auto* error = std::get_if<ApiError>(&made)) return write_error(*error);
    request_ = std::move(std::get<Request>(made));
    request_id_ = request_->request_id;
    beast::error_code peer_ec;
    if (const auto peer = stream_.socket().remote_endpoint(peer_ec); !peer_ec)
      request_->remote_address = peer.address().to_string();

    const auto rule = server_.body_rules ? server_.body_rules(request_->method, request_->path)
                                         : BodyRule{server_.limits.body_limit, false};
    limit_ = rule.limit;
    const auto length = parser_->content_length();
    if (length && *length > limit_) return refuse(bhttp::error::body_limit);
    if (parser_->is_done()) return dispatch();
    const auto in_memory = server_.limits.body_limit;
    if (rule.spool && limit_ > in_memory && (!length || *length > in_memory)) return spool_body();
    parser_->body_limit(limit_);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (connection_ended(ec)) return close();
    if (ec) return refuse(ec);
    request_->body = std::move(parser_->get().body());
    dispatch();
  }

  // A body that may be larger than what is held in memory goes to an unlinked temporary file as
  // it arrives (Beast writes each piece through), and the handler reads it back in pieces.
  void spool_body() {
    auto spool = open_spool_file();
    if (!spool) return spool_failed("cannot create a temporary file", std::strerror(errno));
    spooled_ = std::move(spool->body);
    spool_parser_.emplace(std::move(*parser_));
    parser_.reset();
    spool_parser_->body_limit(limit_);
    beast::error_code ec;
    spool_parser_->get().body().reset(std::move(spool->writer), ec);
    if (ec) return spool_failed("cannot open the temporary file", ec.message());
    bhttp::async_read(stream_, buffer_, *spool_parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_spooled(ec); });
  }

  void on_spooled(beast::error_code ec) {
    spool_parser_.reset();  // closes Beast's descriptor; spooled_ keeps the file
    auto spooled = std::move(spooled_);
    if (connection_ended(ec)) return close();
    // Errors of the parser are the client's; anything else is the file's (a full disk).
    if (ec && ec.category() != bhttp::make_error_code(bhttp::error::body_limit).category())
      return spool_failed("cannot write the temporary file", ec.message());
    if (ec) return refuse(ec);
    request_->spooled_body = std::move(spooled);
    dispatch();
  }

  void spool_failed(std::string_view what, const std::string& error) {
    spool_parser_.reset();
    spooled_.reset();
    util::log_error("request body not spooled", {{"request_id", request_id_}, {"what", what}, {"error", error}});
    write_error(ApiError(500, "internal_error", "Internal server error"));
  }

  void refuse(const beast::error_code& ec) {
    const int status = status_for(ec);
    if (status == 413)
      return write_error(ApiError(413, "payload_too_large", "Request body exceeds " + size_text(limit_)));
    if (status == 431) return write_error(ApiError(431, "bad_request", "Request headers too large"));
    write_error(ApiError(400, "bad_request", "Malformed HTTP request"));
  }

  void dispatch() {
    in_flight_ = true;
    stream_.expires_never();
    Request req = std::move(*request_);
    request_.reset();
    auto guard = asio::make_work_guard(server_.ioc);
    server_.dispatcher(std::move(req), [self = shared_from_this(), guard = std::move(guard), head = head_,
                                        request_id = request_id_](Response res) mutable {
      // The session moves on with the write: were the dispatcher's thread left holding it while the
      // guard (destroyed in any order with it) let run() return, the server could be destroyed first.
      const auto executor = self->stream_.get_executor();
      if (!res.producer) {
        asio::post(executor, [self = std::move(self), res = std::move(res)]() mutable { self->write(std::move(res)); });
        return;
      }
      // Streamed: the head goes out now, the producer writes the body from this (worker) thread.
      auto producer = std::move(res.producer);
      auto outflow = std::make_shared<Outflow>([weak = std::weak_ptr<Session>(self), executor] {
        asio::post(executor, [weak] {
          if (const auto session = weak.lock()) session->producer_wait_.cancel();
        });
      });
      asio::post(executor, [self = std::move(self), res = std::move(res), outflow]() mutable {
        self->write_streamed(std::move(res), std::move(outflow));
      });
      if (head) return;  // HEAD: the head alone; the producer is never run
      try {
        producer(*outflow);
        outflow->end(true);
      } catch (const std::exception& e) {
        util::log_warn("streamed response cut short", {{"request_id", request_id}, {"error", e.what()}});
        outflow->end(false);
      }
    });
  }

  void write_error(const ApiError& e) {
    keep_alive_ = false;
    linger_ = true;
    if (request_id_.empty()) request_id_ = new_request_id();
    in_flight_ = true;
    write(error_response(e));
  }

  template <class Body>
  void fill_head(bhttp::response<Body>& out, Response& res) {
    out.version(version_);
    out.result(static_cast<unsigned>(res.status));
    out.set(bhttp::field::server, "cxco");
    if (!res.body.empty() || res.status != 204) out.set(bhttp::field::content_type, res.content_type);
    out.set("X-Request-Id", request_id_);
    for (auto& [k, v] : res.headers) out.set(k, v);
    out.keep_alive(keep_alive_ && !stopping_);
  }

  void write(Response res) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    fill_head(*out, res);
    out->body() = std::move(res.body);
    out->prepare_payload();
    stream_.expires_after(server_.limits.read_timeout);
    auto written = [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->finish_response(out->keep_alive());
    };
    if (!head_) return bhttp::async_write(stream_, *out, std::move(written));
    // HEAD: the headers a GET gets, Content-Length included, and no body.
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*out);
    bhttp::async_write_header(
        stream_, *serializer,
        [serializer, written = std::move(written)](beast::error_code ec, std::size_t n) mutable { written(ec, n); });
  }

  // The head of a streamed response; pump() then writes what the producer gives, as it comes.
  void write_streamed(Response res, std::shared_ptr<Outflow> outflow) {
    outflow_ = std::move(outflow);
    auto out = std::make_shared<bhttp::response<bhttp::empty_body>>();
    fill_head(*out, res);
    remaining_ = res.content_length;
    if (remaining_)
      out->content_length(*remaining_);
    else if (version_ >= 11)
      out->chunked(true);
    else
      out->keep_alive(false);  // HTTP/1.0 has no chunks: closing the connection ends the body
    chunked_ = out->chunked();
    stream_.expires_after(server_.limits.read_timeout);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*out);
    bhttp::async_write_header(stream_, *serializer,
                              [self = shared_from_this(), out, serializer](beast::error_code ec, std::size_t) {
                                if (ec) return self->abort_stream();
                                self->keep_alive_ = out->keep_alive();
                                if (!self->head_) return self->pump();
                                self->outflow_->abandon();
                                self->outflow_.reset();
                                self->finish_response(self->keep_alive_);
                              });
  }

  // Writes what the producer has queued, one write at a time; waits (no timer: the producer may
  // take its time) when it has nothing yet.
  void pump() {
    if (!outflow_) return;
    writing_.clear();
    switch (outflow_->take(writing_)) {
      case Outflow::State::waiting:
        // The wait is what keeps the session alive meanwhile; the outflow ends it when there is
        // something to write (and, were the server torn down first, the session's end tells
        // the producer).
        stream_.expires_never();
        producer_wait_.expires_at(asio::steady_timer::time_point::max());
        producer_wait_.async_wait([self = shared_from_this()](beast::error_code) { self->pump(); });
        return;
      case Outflow::State::gone:
      case Outflow::State::failed: return abort_stream();
      case Outflow::State::done:
        // Fewer bytes than announced: only closing tells the client that the body is incomplete.
        if (remaining_.value_or(0) != 0) return abort_stream();
        outflow_.reset();
        if (!chunked_) return finish_response(keep_alive_);
        stream_.expires_after(server_.limits.read_timeout);
        return asio::async_write(stream_, bhttp::make_chunk_last(),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                   if (ec) return self->close();
                                   self->finish_response(self->keep_alive_);
                                 });
      case Outflow::State::data: break;
    }
    std::vector<asio::const_buffer> buffers;
    std::size_t bytes = 0;
    for (const auto& piece : writing_) {
      buffers.push_back(asio::buffer(piece));
      bytes += piece.size();
    }
    if (remaining_) {
      if (bytes > *remaining_) return abort_stream();  // more than announced
      *remaining_ -= bytes;
    }
    auto sent = [self = shared_from_this(), bytes](beast::error_code ec, std::size_t) {
      if (ec) return self->abort_stream();
      self->outflow_->written(bytes);
      self->pump();
    };
    stream_.expires_after(server_.limits.read_timeout);
    if (chunked_) return asio::async_write(stream_, bhttp::make_chunk(buffers), std::move(sent));
    asio::async_write(stream_, buffers, std::move(sent));
  }

  // A streamed body that cannot be completed: the producer is told, and the connection closes
  // before the body's end, so the client knows that it is incomplete.
  void abort_stream() {
    if (outflow_) outflow_->abandon();
    outflow_.reset();
    close();
  }

  void finish_response(bool keep_alive) {
    in_flight_ = false;
    request_id_.clear();
    if (!keep_alive) return linger_ ? linger() : close();
    do_read();
  }

  // Closing with the client's bytes unread would reset the connection, and a client still
  // sending a body gets a broken pipe instead of the answer. So: end our side, then read and drop
  // until the client closes, for at most linger_timeout and linger_bytes (as nginx does).
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(server_.limits.linger_timeout);
    drop_input(0);
  }

  void drop_input(std::size_t dropped) {
    if (dropped >= server_.limits.linger_bytes) return close();
    buffer_.clear();
    const auto chunk = buffer_.prepare(std::min(kFirstRead, buffer_.max_size()));
    stream_.async_read_some(chunk, [self = shared_from_this(), dropped](beast::error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->drop_input(dropped + n);
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  Impl& server_;
  const std::chrono::steady_clock::time_point accepted_at_ = std::chrono::steady_clock::now();
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // The request whose body is being read, and where it goes when it is spooled.
  std::optional<Request> request_;
  std::size_t limit_ = 0;  // its body limit
  std::optional<bhttp::request_parser<bhttp::file_body>> spool_parser_;
  std::shared_ptr<SpooledBody> spooled_;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool head_ = false;    // the request being answered is HEAD
  bool linger_ = false;  // the answer being written ends the connection mid-request
  unsigned version_ = 11;
  bool in_flight_ = false;
  bool stopping_ = false;
  std::string request_id_;
  // A streamed response: its producer's pieces, those being written, and how it is framed.
  std::shared_ptr<Outflow> outflow_;
  asio::steady_timer producer_wait_;  // pending while the producer has nothing to write yet
  std::vector<std::string> writing_;
  bool chunked_ = false;
  std::optional<std::uint64_t> remaining_;  // of an announced Content-Length
};

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open()) return;
      if (ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
          ec == asio::error::no_buffer_space || ec == asio::error::no_memory)
        return pause_accepting(ec);
    } else if (open_sessions() >= limits.max_connections) {
      // Full: closing at once costs nothing, and the client or its balancer can go elsewhere.
      socket.close(ec);
      metrics::increment("cxco_http_connections_rejected_total", {});
    } else {
      accept_paused = false;
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(*this, std::move(socket))->start();
    }
    if (!stopping) accept();
  });
}

// Out of descriptors or memory, accept() fails again at once until some are freed, and retrying
// at once spins at 100% CPU. Pending connections wait in the listen backlog meanwhile.
void Server::Impl::pause_accepting(const beast::error_code& ec) {
  if (!accept_paused) util::log_warn("pausing accept: out of file descriptors or memory", {{"error", ec.message()}});
  accept_paused = true;
  accept_pause.expires_after(kAcceptPause);
  accept_pause.async_wait([this](beast::error_code wait_ec) {
    if (!wait_ec && !stopping) accept();
  });
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  beast::error_code ignored;
  acceptor.close(ignored);
  // Once stopping, neither the signal wait nor the acceptor may keep the loop alive.
  signals.cancel(ignored);
  accept_pause.cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto* s : sessions) {
      // A session may be mid-destruction; weak ownership is taken only when it is still alive.
      if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
    }
  }
  for (auto& s : live) s->shutdown();
  if (live.empty()) return;
  drain_timer.expires_after(limits.drain_timeout);
  drain_timer.async_wait([this](beast::error_code ec) {
    if (!ec) ioc.stop();
  });
}

void Server::Impl::session_closed(Session* s) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(s);
  if (stopping && sessions.empty()) asio::post(control, [this] { drain_timer.cancel(); });
}

Server::Server(ServerLimits limits, Dispatcher dispatcher, BodyRules body_rules)
    : impl_(std::make_unique<Impl>(limits, std::move(dispatcher), std::move(body_rules))) {}
Server::~Server() = default;

void Server::listen(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("expected host:port, got '" + address + "'");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) throw std::runtime_error("invalid port in '" + address + "'");
  beast::error_code ec;
  const auto ip = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) throw std::runtime_error("invalid host in '" + address + "' (use an IP address)");
  const tcp::endpoint ep(ip, static_cast<unsigned short>(port));
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals.add(SIGTERM);
    impl_->signals.add(SIGINT);
    impl_->signals.async_wait([this](beast::error_code ec, int) {
      if (!ec) impl_->begin_stop();
    });
  }
  impl_->accept();
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->limits.io_threads; ++i) extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra) t.join();
}

void Server::stop() {
  asio::post(impl_->control, [this] { impl_->begin_stop(); });
}

}  // namespace cxco::http
