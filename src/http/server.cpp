#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
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
    if (c >= 0xC2 && c <= 0xDF) length = 2, code = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) length = 3, code = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) length = 4, code = c & 0x07;
    else return false;
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
std::optional<ApiError> host_error(const bhttp::request<bhttp::string_body>& msg) {
  const auto hosts = std::count_if(msg.begin(), msg.end(), [](const auto& f) { return f.name() == bhttp::field::host; });
  if (hosts > 1 || (hosts == 0 && msg.version() >= 11)) return bad("HTTP/1.1 requests need exactly one Host header");
  const auto host = msg[bhttp::field::host];
  if (!host.empty() && !boost::urls::parse_authority(host)) return bad("Invalid Host header");
  return std::nullopt;
}

// RFC 9112 section 6: a body must be framed one way only, or the bytes after it could be read
// as another request. Transfer-Encoding is taken only as exactly "chunked"; anything else is
// refused, and every refusal closes the connection.
std::optional<ApiError> framing_error(const bhttp::request<bhttp::string_body>& msg) {
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

// The request handlers see, from a parsed message, or why it is refused.
std::variant<Request, ApiError> make_request(bhttp::request<bhttp::string_body>& msg) {
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
  req.body = std::move(msg.body());
  const auto caller_id = req.header("x-request-id");
  req.request_id = caller_id && acceptable_request_id(*caller_id) ? std::string(*caller_id) : new_request_id();
  return req;
}

int status_for(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  return 400;
}

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
  return {std::move(std::get<Request>(made)), 0};
}

struct Server::Impl {
  class Session;

  Impl(ServerLimits l, Dispatcher d)
      : limits(l), dispatcher(std::move(d)), control(asio::make_strand(ioc)), acceptor(control), drain_timer(control),
        signals(control), accept_pause(control) {}

  ServerLimits limits;
  Dispatcher dispatcher;
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
  Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    buffer_.max_size(server_.limits.header_limit + server_.limits.body_limit + 4096);
  }
  ~Session() { server_.session_closed(this); }

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
    parser_->body_limit(server_.limits.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits.header_limit));
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
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    // Known once the headers are in, so that even a refusal of a HEAD request has no body.
    head_ = parser_->is_header_done() && parser_->get().method() == bhttp::verb::head;
    if (ec) {
      const int status = status_for(ec);
      if (status == 413) return write_error(ApiError(413, "payload_too_large", "Request body exceeds 1 MiB"));
      if (status == 431) return write_error(ApiError(431, "bad_request", "Request headers too large"));
      return write_error(ApiError(400, "bad_request", "Malformed HTTP request"));
    }

    first_request_ = false;
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    auto made = make_request(msg);
    if (const auto* error = std::get_if<ApiError>(&made)) return write_error(*error);
    Request req = std::move(std::get<Request>(made));
    request_id_ = req.request_id;
    beast::error_code peer_ec;
    if (const auto peer = stream_.socket().remote_endpoint(peer_ec); !peer_ec)
      req.remote_address = peer.address().to_string();

    in_flight_ = true;
    stream_.expires_never();
    auto guard = asio::make_work_guard(server_.ioc);
    server_.dispatcher(std::move(req), [self = shared_from_this(), guard = std::move(guard)](Response res) mutable {
      // The session moves on with the write: were the dispatcher's thread left holding it while the
      // guard (destroyed in any order with it) let run() return, the server could be destroyed first.
      const auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  void write_error(const ApiError& e) {
    keep_alive_ = false;
    linger_ = true;
    if (request_id_.empty()) request_id_ = new_request_id();
    in_flight_ = true;
    write(error_response(e));
  }

  void write(Response res) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version_);
    out->result(static_cast<unsigned>(res.status));
    out->set(bhttp::field::server, "cxco");
    if (!res.body.empty() || res.status != 204) out->set(bhttp::field::content_type, res.content_type);
    out->set("X-Request-Id", request_id_);
    for (auto& [k, v] : res.headers) out->set(k, v);
    out->body() = std::move(res.body);
    out->keep_alive(keep_alive_ && !stopping_);
    out->prepare_payload();
    stream_.expires_after(server_.limits.read_timeout);
    auto written = [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
      self->in_flight_ = false;
      self->request_id_.clear();
      if (ec) return self->close();
      if (!out->keep_alive()) return self->linger_ ? self->linger() : self->close();
      self->do_read();
    };
    if (!head_) return bhttp::async_write(stream_, *out, std::move(written));
    // HEAD: the headers a GET gets, Content-Length included, and no body.
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*out);
    bhttp::async_write_header(stream_, *serializer,
                              [serializer, written = std::move(written)](beast::error_code ec, std::size_t n) mutable {
                                written(ec, n);
                              });
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
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool head_ = false;    // the request being answered is HEAD
  bool linger_ = false;  // the answer being written ends the connection mid-request
  unsigned version_ = 11;
  bool in_flight_ = false;
  bool stopping_ = false;
  std::string request_id_;
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
  if (stopping && sessions.empty())
    asio::post(control, [this] { drain_timer.cancel(); });
}

Server::Server(ServerLimits limits, Dispatcher dispatcher) : impl_(std::make_unique<Impl>(limits, std::move(dispatcher))) {}
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
