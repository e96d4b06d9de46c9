// Hostile inputs at the HTTP layer (issue 16, the external security review): what a peer can
// do with bytes on the wire, with response sizes and with connection counts, and that the
// server neither runs out of memory or descriptors nor misreads one request as another.
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "crypto/crypto.h"
#include "harness.h"
#include "http/client.h"
#include "http/server.h"
#include "raw_socket.h"
#include "util/metrics.h"

// Built with UBSan or ASan (clang says so; the GCC build here never uses them).
#if defined(__has_feature)
#if __has_feature(undefined_behavior_sanitizer)
#define CXCO_TEST_UBSAN
#endif
#if __has_feature(address_sanitizer)
#define CXCO_TEST_ASAN
#endif
#endif

namespace cxco::test {

namespace json = boost::json;

namespace {

using namespace std::chrono_literals;

// An http::Server of its own on port 0 with `limits`, answering every request 200 at once
// (or as `answer` says, on the I/O thread), with `rules` for bodies.
class BareServer {
 public:
  explicit BareServer(http::ServerLimits limits, std::function<http::Response(const http::Request&)> answer = {},
                      http::BodyRules rules = {})
      : server_(
            limits,
            [answer = std::move(answer)](http::Request&& request, http::Respond respond) {
              http::Response r;
              r.body = "{}";
              respond(answer ? answer(request) : std::move(r));
            },
            std::move(rules)) {
    server_.listen("127.0.0.1:0");
    thread_ = std::thread([this] { server_.run(false); });
  }
  ~BareServer() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }
  // CPU time the server's I/O thread (one, by default) has used so far.
  std::chrono::nanoseconds io_cpu_time() {
    clockid_t clock;
    timespec t{};
    if (pthread_getcpuclockid(thread_.native_handle(), &clock) != 0 || clock_gettime(clock, &t) != 0) return {};
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  }

 private:
  http::Server server_;
  std::thread thread_;
};

// Whether the peer has closed `fd` (reads and drops whatever else arrived), waiting up to `ms`.
bool peer_closed(int fd, int ms) {
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, ms) > 0)
    if (::recv(fd, buf, sizeof buf, 0) <= 0) return true;
  return false;
}

// Sends `bytes` all at once, then `trickle` one byte every 20 ms; answers how many trickled bytes
// went out before the server closed the connection.
std::size_t trickle_until_closed(std::uint16_t port, const std::string& bytes, const std::string& trickle) {
  const int fd = raw_connect(port);
  EXPECT_GE(fd, 0);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::size_t sent = 0;
  while (sent < trickle.size() && !peer_closed(fd, 20))
    if (::send(fd, trickle.data() + sent++, 1, MSG_NOSIGNAL) != 1) break;
  ::close(fd);
  return sent;
}

// A peer on 127.0.0.1 that answers every request with 200 and a body of `body_bytes`, written
// as fast as the client takes it: with a Content-Length, or delimited by closing the connection.
// It counts what it sent, so a test can tell that the client stopped the transfer early.
class HugeBodyPeer {
 public:
  HugeBodyPeer(std::size_t body_bytes, bool announce_length) : body_bytes_(body_bytes), announce_(announce_length) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("HugeBodyPeer: cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HugeBodyPeer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::size_t answered() const { return answered_; }
  // Body bytes sent on the most recent connection, and whether the client closed it before the end.
  std::size_t last_sent() const { return last_sent_; }
  bool last_cut_short() const { return last_cut_short_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      answer(fd);
      ::close(fd);
    }
  }

  void answer(int fd) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n";
    head += announce_ ? "Content-Length: " + std::to_string(body_bytes_) + "\r\n\r\n" : "Connection: close\r\n\r\n";
    if (::send(fd, head.data(), head.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(head.size())) return;
    const std::string chunk(64 * 1024, 'x');
    std::size_t sent = 0;
    bool cut_short = false;
    while (sent < body_bytes_) {
      const auto n = ::send(fd, chunk.data(), std::min(chunk.size(), body_bytes_ - sent), MSG_NOSIGNAL);
      if (n <= 0) {
        cut_short = true;
        break;
      }
      sent += static_cast<std::size_t>(n);
    }
    last_sent_ = sent;
    last_cut_short_ = cut_short;
    ++answered_;
  }

  std::size_t body_bytes_;
  bool announce_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> answered_{0}, last_sent_{0};
  std::atomic<bool> last_cut_short_{false};
  std::thread thread_;
};

constexpr std::size_t kHugeBody = 64 * 1024 * 1024;

// An http::Server whose every answer is streamed from `producer` (with `content_length`, if set),
// run on a thread of its own as a dispatcher's worker would.
class StreamingServer {
 public:
  StreamingServer(http::BodyProducer producer, std::optional<std::uint64_t> content_length = std::nullopt)
      : server_({}, [this, producer = std::move(producer), content_length](http::Request&&, http::Respond respond) {
          std::lock_guard lock(mutex_);
          workers_.emplace_back([producer, content_length, respond = std::move(respond)] {
            http::Response r;
            r.content_type = "text/plain";
            r.producer = producer;
            r.content_length = content_length;
            respond(std::move(r));
          });
        }) {
    server_.listen("127.0.0.1:0");
    thread_ = std::thread([this] { server_.run(false); });
  }
  ~StreamingServer() {
    server_.stop();
    thread_.join();
    for (auto& t : workers_) t.join();
  }
  std::uint16_t port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/"; }

 private:
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  http::Server server_;
  std::thread thread_;
};

// Resident memory of this process, from /proc/self/status: now (VmRSS), and the most since the
// last reset_peak_memory() (VmHWM).
std::size_t memory_kib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field)) return std::stoul(line.substr(field.size() + 1));
  return 0;
}
void reset_peak_memory() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Lowers the soft descriptor limit of the whole process to `limit` until destroyed.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t limit) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = limit;
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

// A last request that makes the server close the connection once it is answered.
const std::string kClose = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A second request hidden after `request`; it must never be answered.
const std::string kSmuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: smuggled\r\n\r\n";

void expect_refused_and_closed(std::uint16_t port, const std::string& request, const std::string& status) {
  SCOPED_TRACE(request);
  const auto r = raw_exchange(port, request + kSmuggled);
  EXPECT_EQ(r.received.find("HTTP/1.1 " + status), 0u) << r.received;
  EXPECT_EQ(count_of(r.received, "HTTP/1."), 1u) << r.received;
  EXPECT_EQ(r.received.find("smuggled"), std::string::npos) << r.received;
  EXPECT_TRUE(r.closed);
}

std::size_t lines_starting_with(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

// Finding 1: a peer answering with a huge body must not be buffered whole.
TEST(HostileInputs, OutboundResponsesLargerThanTheCapAreAbortedEarly) {
  for (const bool announce_length : {true, false}) {
    SCOPED_TRACE(announce_length ? "Content-Length" : "close-delimited");
    HugeBodyPeer peer(kHugeBody, announce_length);
    http::ClientRequest req;
    req.url = peer.url();
    req.max_response_bytes = 16 * 1024;
    const auto res = http::perform(req);
    EXPECT_EQ(res.error, "response larger than 16384 bytes");
    EXPECT_EQ(res.status, 0);
    EXPECT_LE(res.body.size(), req.max_response_bytes);
    ASSERT_TRUE(eventually([&] { return peer.answered() == 1; }));
    // The client hung up long before the end: what the peer got out is what the sockets buffer.
    EXPECT_TRUE(peer.last_cut_short());
    EXPECT_LT(peer.last_sent(), kHugeBody);
  }
}

// A download (a call's recording) is read piece by piece under the same rules: the cap on the
// whole body and the check of the address connected to.
TEST(HostileInputs, DownloadsKeepTheResponseCapAndTheAddressCheck) {
  HugeBodyPeer peer(kHugeBody, true);
  {
    http::Download download({.url = peer.url(), .max_response_bytes = 1024 * 1024});
    ASSERT_EQ(download.head().status, 200) << download.head().error;
    EXPECT_EQ(download.head().header("content-length"), std::to_string(kHugeBody));
    std::size_t read = 0;
    try {
      for (auto piece = download.read(); !piece.empty(); piece = download.read()) {
        EXPECT_LE(piece.size(), 128u * 1024);  // a piece at a time, never the whole
        read += piece.size();
      }
      ADD_FAILURE() << "the download ended without error";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "response larger than 1048576 bytes");
    }
    EXPECT_LE(read, 1024u * 1024);
  }
  ASSERT_TRUE(eventually([&] { return peer.answered() == 1; }));
  EXPECT_TRUE(peer.last_cut_short());

  http::Download refused({.url = peer.url(), .allow_address = [](const std::string&) { return false; }});
  EXPECT_EQ(refused.head().status, 0);
  EXPECT_EQ(refused.head().error, "destination address not allowed");
}

TEST(HostileInputs, ProviderCallsHaveAResponseCapByDefault) {
  HugeBodyPeer peer(kHugeBody, true);
  http::ClientRequest req;
  req.url = peer.url();
  const auto res = http::perform(req);
  EXPECT_EQ(res.error, "response larger than " + std::to_string(req.max_response_bytes) + " bytes");
}

// Webhook receivers only acknowledge; a huge answer fails the attempt instead of filling memory.
TEST(HostileInputs, AWebhookReceiverAnsweringAHugeBodyFailsTheAttempt) {
  HugeBodyPeer receiver(kHugeBody, false);
  TestServer server([](auto& v) {
    v["CXCO_WEBHOOK_ALLOW_PRIVATE"] = "1";
    v["CXCO_WEBHOOK_RETRY_SCHEDULE"] = "60";
  });
  auto company = server.create_company();
  auto hook = server.post("/api/webhooks/", company.key,
                          json::object{{"url", receiver.url()}, {"events", json::array{"agent.status_changed"}}});
  ASSERT_EQ(hook.status, 201) << hook.body;
  const auto hook_path = "/api/webhooks/" + std::to_string(hook.json.at("id").as_int64());
  ASSERT_EQ(server.request("POST", hook_path + "/test", company.key).status, 202);
  Reply attempts;
  ASSERT_TRUE(eventually([&] {
    attempts = server.get(hook_path + "/deliveries", company.key);
    return attempts.status == 200 && !attempts.json.at("items").as_array().empty();
  }));
  const auto& attempt = attempts.json.at("items").at(0);
  EXPECT_EQ(attempt.at("outcome"), "failed");
  EXPECT_EQ(attempt.at("error"), "response larger than 16384 bytes");
  ASSERT_TRUE(eventually([&] { return receiver.answered() >= 1; }));
  EXPECT_TRUE(receiver.last_cut_short());
}

// Finding 2: a connection cap (CXCO_MAX_CONNECTIONS), short idle waits near it, and no busy
// loop when the process runs out of file descriptors.
TEST(HostileInputs, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  TestServer server([](auto& v) { v["CXCO_MAX_CONNECTIONS"] = "3"; });
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(raw_connect(server.port()));
  const auto refused = raw_exchange(server.port(), kClose);
  EXPECT_EQ(refused.received, "");
  EXPECT_TRUE(refused.closed);

  // A free place is taken again.
  ::close(idle.back());
  idle.pop_back();
  EXPECT_TRUE(eventually([&] { return raw_exchange(server.port(), kClose).received.find("HTTP/1.1 200") == 0; }));
  for (const int fd : idle) ::close(fd);
  EXPECT_TRUE(eventually([&] {
    return raw_exchange(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
               .received.find("\ncxco_http_connections_rejected_total ") != std::string::npos;
  }));
}

TEST(HostileInputs, IdleWaitsAreShortNearTheConnectionLimit) {
  BareServer server({.max_connections = 5, .busy_idle_timeout = 200ms});
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(raw_connect(server.port()));  // 80%: not yet busy
  // The fifth connection is past 80%: it may wait idle only briefly, before and between requests.
  const int silent = raw_connect(server.port());
  EXPECT_TRUE(peer_closed(silent, 5000));
  ::close(silent);
  const int kept_alive = raw_connect(server.port());
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(kept_alive, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  EXPECT_TRUE(peer_closed(kept_alive, 5000));
  ::close(kept_alive);
  for (const int fd : idle) ::close(fd);
}

TEST(HostileInputs, AcceptBacksOffWhenDescriptorsRunOut) {
#ifdef CXCO_TEST_UBSAN
  GTEST_SKIP() << "UBSan's vptr check needs file descriptors (it probes memory through a pipe), and this test "
                  "takes them all away";
#endif
  BareServer server({});
  const int clients[] = {::socket(AF_INET, SOCK_STREAM, 0), ::socket(AF_INET, SOCK_STREAM, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(raw_exchange(server.port(), request).received.find("HTTP/1.1 200"), 0u);  // up and accepting
  std::chrono::nanoseconds spent{};
  {
    // No descriptor can be made from here on: the lowest free one is the limit.
    const int lowest_free = ::open("/dev/null", O_RDONLY);
    ::close(lowest_free);
    DescriptorLimit limit(static_cast<rlim_t>(lowest_free));
    for (const int fd : clients)
      ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // the server cannot accept them
    const auto before = server.io_cpu_time();
    std::this_thread::sleep_for(500ms);  // a stretch of time is what is measured
    spent = server.io_cpu_time() - before;
  }
  // Waiting, not spinning on accept(); once descriptors free up, the waiting connections are served.
  EXPECT_LT(spent, 50ms) << "I/O thread used " << std::chrono::duration_cast<std::chrono::milliseconds>(spent).count()
                         << " ms of CPU in 500 ms";
  for (const int fd : clients) {
    const auto r = raw_exchange_on(fd, request);
    EXPECT_EQ(r.received.find("HTTP/1.1 200"), 0u) << r.received;
  }
}

// Finding 3: a Transfer-Encoding other than exactly "chunked" made the body look empty, so the
// bytes after the headers ran as the next request (RFC 9112 section 6.3).
TEST(HostileInputs, AmbiguousTransferEncodingIsRefusedAndTheConnectionClosed) {
  TestServer server;
  const std::string head = "POST /api/users/ HTTP/1.1\r\nHost: x\r\n";
  const std::string chunked_body = "0\r\n\r\n";
  expect_refused_and_closed(server.port(), head + "Transfer-Encoding: xchunked\r\n\r\n", "400");
  expect_refused_and_closed(server.port(), head + "Transfer-Encoding: gzip\r\n\r\n", "400");
  expect_refused_and_closed(server.port(), head + "Transfer-Encoding: chunked, identity\r\n\r\n", "400");
  expect_refused_and_closed(server.port(), head + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunked_body, "400");
  expect_refused_and_closed(
      server.port(), head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body, "400");
  expect_refused_and_closed(server.port(),
                            head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + chunked_body, "400");
  expect_refused_and_closed(server.port(),
                            head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body, "400");
  expect_refused_and_closed(server.port(), head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked_body, "501");
  // Framing by Transfer-Encoding does not exist in HTTP/1.0.
  const auto old = raw_exchange(
      server.port(), "POST /api/users/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body + kSmuggled);
  EXPECT_EQ(old.received.find("HTTP/1.0 400"), 0u) << old.received;
  EXPECT_EQ(old.received.find("smuggled"), std::string::npos);

  // Plain chunked framing still works, and the request after it is answered in turn.
  const auto ok = raw_exchange(server.port(),
                               "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                               "3\r\nabc\r\n0\r\n\r\n" +
                                   kClose);
  EXPECT_EQ(ok.received.find("HTTP/1.1 405"), 0u) << ok.received;
  EXPECT_EQ(count_of(ok.received, "HTTP/1.1 200"), 1u) << ok.received;
}

// Finding 4: any token is a method to the parser, and every one used to become a new series.
TEST(HostileInputs, RandomMethodsDoNotGrowMetrics) {
  TestServer server;
  // One of each series the flood below touches exists before it: only numbers may change after.
  raw_exchange(server.port(), "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + kClose);
  server.get("/metrics");
  const auto before = server.get("/metrics").body.size();
  std::mt19937 rng{42};
  std::string pipelined;
  for (int i = 0; i < 3000; ++i) {
    std::string method;
    for (int j = 0; j < 12; ++j) method += static_cast<char>('A' + rng() % 26);
    pipelined += method + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  const auto r = raw_exchange(server.port(), pipelined + kClose, 10000);
  ASSERT_TRUE(r.closed);
  ASSERT_NE(r.received.find("HTTP/1.1 405"), std::string::npos);
  const auto metrics = server.get("/metrics").body;
  EXPECT_LT(metrics.size(), before + 256);
  EXPECT_NE(metrics.find("method=\"OTHER\""), std::string::npos);
}

// Whatever a caller passes as labels, a metric keeps a bounded number of short series.
TEST(HostileInputs, MetricSeriesAndLabelValuesAreBounded) {
  constexpr const char* kName = "cxco_test_hostile_labels_total";
  for (int i = 0; i < 5000; ++i) metrics::increment(kName, {{"route", "/r/" + std::to_string(i)}});
  const std::string huge(100000, 'v');
  metrics::increment("cxco_test_hostile_long_total", {{"route", huge}});
  const auto text = metrics::render({});
  const auto series = lines_starting_with(text, std::string(kName) + "{");
  EXPECT_LE(series, metrics::kMaxSeriesPerMetric + 1);  // and one overflow series for the rest
  EXPECT_GE(series, metrics::kMaxSeriesPerMetric);
  EXPECT_NE(text.find(std::string(kName) + "{route=\"overflow\"} "), std::string::npos);
  EXPECT_EQ(text.find(huge), std::string::npos);
  EXPECT_NE(text.find("cxco_test_hostile_long_total{route=\"" + huge.substr(0, 128) + "\"}"), std::string::npos);
}

// Finding 5: the read timeout covers a whole request, headers and body; the longer idle timeout
// only the wait between keep-alive requests.
TEST(HostileInputs, SlowRequestsAreCutOffAtTheReadTimeout) {
  BareServer server({.read_timeout = 300ms, .idle_timeout = 30s});
  // 300 bytes at 20 ms each take 6 s: far past the read timeout, far within the idle timeout.
  const std::string filler(300, 'a');
  const std::string slow_headers = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + filler + "\r\n\r\n";
  EXPECT_LT(trickle_until_closed(server.port(), "", slow_headers), slow_headers.size());
  const std::string fast_headers = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n";
  EXPECT_LT(trickle_until_closed(server.port(), fast_headers, filler), filler.size());

  // Between requests on a kept-alive connection the idle timeout applies, not the read timeout.
  const int fd = raw_connect(server.port());
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 5000), 0);
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)).find("HTTP/1.1 200"), 0u);
    if (i == 0) std::this_thread::sleep_for(600ms);  // idle for twice the read timeout
  }
  ::close(fd);
}

// Finding 6: a client that sends a large body in one go, as most HTTP libraries do, must be
// able to send all of it and then read the 413, instead of meeting a reset connection. The
// client's send buffer is kept small, as over a real network, where most of the body is still on
// its way when the server answers (on loopback the kernel would otherwise take all 3 MiB at once).
TEST(HostileInputs, ALargeBodySentInOneGoGetsTheWhole413) {
  TestServer server;
  const std::string request =
      "PUT /api/companies/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 3145728\r\n\r\n" +
      std::string(3 * 1024 * 1024, 'x');
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE("attempt " + std::to_string(i + 1));
    const int fd = raw_connect(server.port());
    ASSERT_GE(fd, 0);
    const int send_buffer = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    const auto r = raw_exchange_on(fd, request);
    EXPECT_EQ(r.sent, request.size());
    EXPECT_EQ(r.received.find("HTTP/1.1 413"), 0u) << r.received;
    EXPECT_NE(r.received.find("\"error_type\":\"payload_too_large\""), std::string::npos) << r.received;
    EXPECT_TRUE(r.closed);
  }
}

// Bodies: each route has its limit (platform.md section 3). Ordinary routes keep 1 MiB; the voice
// provider's post-call webhook takes up to 50 MiB, campaign recipients 20 MiB.
TEST(HostileInputs, OverLimitBodiesOnOrdinaryRoutesAre413) {
  TestServer server([](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test"; });
  const std::string over(1024 * 1024 + 1, 'x');
  for (const std::string& framing : {"Content-Length: " + std::to_string(over.size()) + "\r\n\r\n" + over,
                                     "Transfer-Encoding: chunked\r\n\r\n100001\r\n" + over + "\r\n0\r\n\r\n"}) {
    const auto r = raw_exchange(server.port(), "POST /api/agents/ HTTP/1.1\r\nHost: x\r\n" + framing);
    EXPECT_EQ(r.received.find("HTTP/1.1 413"), 0u) << r.received.substr(0, 200);
    EXPECT_NE(r.received.find("\"detail\":\"Request body exceeds 1 MiB\""), std::string::npos) << r.received;
    EXPECT_TRUE(r.closed);
  }
  // On the post-call route 2 MiB is read (and refused only for want of a signature)...
  const std::string two_mib(2 * 1024 * 1024, ' ');
  const auto unsigned_body = raw_exchange(server.port(),
                                          "POST /api/integrations/elevenlabs/post-call HTTP/1.1\r\n"
                                          "Host: x\r\nConnection: close\r\nContent-Length: " +
                                              std::to_string(two_mib.size()) + "\r\n\r\n" + two_mib);
  EXPECT_EQ(unsigned_body.received.find("HTTP/1.1 401"), 0u) << unsigned_body.received;
  // ... and past 50 MiB it is 413 from the headers alone.
  const auto too_much = raw_exchange(server.port(),
                                     "POST /api/integrations/elevenlabs/post-call/1 HTTP/1.1\r\n"
                                     "Host: x\r\nContent-Length: 52428801\r\n\r\n");
  EXPECT_EQ(too_much.received.find("HTTP/1.1 413"), 0u) << too_much.received;
  EXPECT_NE(too_much.received.find("Request body exceeds 50 MiB"), std::string::npos) << too_much.received;
  EXPECT_TRUE(too_much.closed);
  // Campaign recipients, JSON or CSV, take up to 20 MiB: 2 MiB is read (and refused for want of
  // a key), past 20 MiB is 413 from the headers alone.
  for (const std::string path : {"/api/campaigns/", "/api/campaigns/1/recipients"}) {
    const auto read = raw_exchange(server.port(), "POST " + path +
                                                      " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                      "Content-Length: " +
                                                      std::to_string(two_mib.size()) + "\r\n\r\n" + two_mib);
    EXPECT_EQ(read.received.find("HTTP/1.1 401"), 0u) << path << ": " << read.received;
    const auto refused =
        raw_exchange(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 20971521\r\n\r\n");
    EXPECT_EQ(refused.received.find("HTTP/1.1 413"), 0u) << path << ": " << refused.received;
    EXPECT_NE(refused.received.find("Request body exceeds 20 MiB"), std::string::npos) << refused.received;
  }
}

// The server's part: a body past the in-memory limit on a spooling route reaches the handler
// from a temporary file, whole, however it was framed; and the route's limit holds either way.
TEST(HostileInputs, LargeBodiesAreSpooledWithinTheirRoutesLimit) {
  const auto rules = [](std::string_view, std::string_view path) {
    if (path == "/spool") return http::BodyRule{64 * 1024, true};
    if (path == "/big") return http::BodyRule{64 * 1024, false};
    return http::BodyRule{1024, false};
  };
  const auto answer = [](const http::Request& request) {
    std::string body;
    request.read_body([&](std::string_view piece) { body += piece; });
    http::Response r;
    r.content_type = "text/plain";
    r.body = (request.spooled_body ? "spooled " : "in memory ") + crypto::sha256_hex(body);
    return r;
  };
  BareServer server({.body_limit = 1024}, answer, rules);
  const auto send = [&](const std::string& path, const std::string& framing) {
    return raw_exchange(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + framing)
        .received;
  };
  const auto sized = [](const std::string& body) {
    return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const auto chunked = [](const std::string& body) {
    std::ostringstream hex;
    hex << std::hex << body.size();
    return "Transfer-Encoding: chunked\r\n\r\n" + hex.str() + "\r\n" + body + "\r\n0\r\n\r\n";
  };
  std::string body(60 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 % 256);
  const auto digest = crypto::sha256_hex(body);
  EXPECT_NE(send("/spool", sized(body)).find("spooled " + digest), std::string::npos);
  EXPECT_NE(send("/spool", chunked(body)).find("spooled " + digest), std::string::npos);
  EXPECT_NE(send("/big", sized(body)).find("in memory " + digest), std::string::npos);
  // Within the in-memory limit, a spooling route's body stays in memory.
  EXPECT_NE(send("/spool", sized("{}")).find("in memory " + crypto::sha256_hex("{}")), std::string::npos);

  const std::string over(64 * 1024 + 1, 'x');
  for (const auto& refused : {send("/spool", sized(over)), send("/spool", chunked(over)), send("/big", chunked(over)),
                              send("/other", sized(std::string(1025, 'x')))})
    EXPECT_EQ(refused.find("HTTP/1.1 413"), 0u) << refused.substr(0, 300);
  EXPECT_NE(send("/other", sized(std::string(1025, 'x'))).find("Request body exceeds 1024 bytes"), std::string::npos);
}

// A post_call_audio of 50 MiB (the provider's base64 recording) is acknowledged, and what the
// server holds meanwhile stays far below the body's size: the body is spooled to a file, its
// signature computed and its JSON parsed piece by piece, and the audio string never kept.
TEST(HostileInputs, A50MiBAudioPayloadIsAcceptedOnThePostCallRouteInBoundedMemory) {
  constexpr std::size_t kBody = 50 * 1024 * 1024;
  TestServer server([](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test"; });
  const auto t = std::to_string(std::time(nullptr));
  const std::string head = R"({"type":"post_call_audio","event_timestamp":)" + t +
                           R"(,"data":{"agent_id":"agent_x","conversation_id":"conv_audio","full_audio":")";
  const std::string tail = R"("}})";
  const std::string piece(64 * 1024, 'A');  // base64 text, made as it is sent rather than held
  const std::size_t audio = kBody - head.size() - tail.size();
  const auto each_piece = [&](auto&& f) {
    f(head);
    for (std::size_t left = audio; left > 0; left -= std::min(left, piece.size()))
      f(std::string_view(piece).substr(0, std::min(left, piece.size())));
    f(tail);
  };
  crypto::HmacSha256 mac("wsec_test");
  mac.update(t + ".");
  each_piece([&](std::string_view p) { mac.update(p); });

  reset_peak_memory();
  const auto before = memory_kib("VmRSS:");
  const int fd = raw_connect(server.port());
  ASSERT_GE(fd, 0);
  const std::string request =
      "POST /api/integrations/elevenlabs/post-call HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\nContent-Type: application/json\r\nElevenLabs-Signature: t=" +
      t + ",v0=" + crypto::to_hex(mac.digest()) + "\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n";
  bool sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  each_piece([&](std::string_view p) {
    for (std::size_t at = 0; sent && at < p.size();) {
      const auto n = ::send(fd, p.data() + at, p.size() - at, MSG_NOSIGNAL);
      sent = n > 0;
      at += sent ? static_cast<std::size_t>(n) : 0;
    }
  });
  ASSERT_TRUE(sent);
  const auto r = raw_exchange_on(fd, "", 30000);
  const auto peak = memory_kib("VmHWM:");
  EXPECT_EQ(r.received.find("HTTP/1.1 200"), 0u) << r.received;
  EXPECT_NE(r.received.find(R"("status":"ignored")"), std::string::npos) << r.received;
  // Copies of the body would be 50 MiB each; what is held is a few pieces and the document
  // without its audio.
  std::cout << "peak resident memory over the request: " << (peak - before) / 1024 << " MiB\n";
#ifdef CXCO_TEST_ASAN
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine: resident memory is not what the code holds";
#endif
  EXPECT_LT(peak - before, 16u * 1024);
}

// Streamed responses (http::Response::producer): framed as chunks, or by an announced length
// that must be met; HEAD gets the head alone.
TEST(HostileInputs, StreamedResponsesAreChunkedOrOfTheAnnouncedLength) {
  std::atomic<int> runs{0};
  const auto hello = [&](http::BodySink& sink) {
    ++runs;
    sink.write("hello ");
    sink.write("");  // never read as the last chunk
    sink.write("world");
  };
  {
    StreamingServer server(hello);
    http::ClientRequest get{.url = server.url()};
    const auto r = http::perform(get);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello world");
    EXPECT_EQ(r.header("transfer-encoding"), "chunked");
    // HTTP/1.0 has no chunks: the body runs to the end of the connection.
    const auto old = raw_exchange(server.port(), "GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.received.substr(old.received.find("\r\n\r\n") + 4), "hello world");
    EXPECT_EQ(old.received.find("chunked"), std::string::npos);
    EXPECT_TRUE(old.closed);
    const auto ran = runs.load();
    const auto head = raw_exchange(server.port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(head.received.find("HTTP/1.1 200"), 0u);
    EXPECT_EQ(head.received.substr(head.received.find("\r\n\r\n") + 4), "");
    EXPECT_EQ(runs.load(), ran);  // the producer never ran for HEAD
  }
  {
    StreamingServer server(hello, 11);
    const auto r = http::perform({.url = server.url()});
    EXPECT_EQ(r.body, "hello world");
    EXPECT_EQ(r.header("content-length"), "11");
  }
  // A producer that writes less than announced, or throws, leaves the body visibly cut short.
  for (const auto& [producer, length] :
       std::vector<std::pair<http::BodyProducer, std::optional<std::uint64_t>>>{{hello, 12},
                                                                                {[](http::BodySink& sink) {
                                                                                   sink.write("hel");
                                                                                   throw std::runtime_error("lost");
                                                                                 },
                                                                                 {}}}) {
    StreamingServer server(producer, length);
    const auto r = http::perform({.url = server.url()});
    EXPECT_NE(r.error, "");
    EXPECT_EQ(r.status, 0);
  }
}

// A client that reads slowly holds the producer back, and one that goes away stops it. The
// producer would otherwise write without end as fast as it can (up to a runaway guard of
// 256 MiB): held back, it stalls a window and the sockets' buffers ahead of the client.
TEST(HostileInputs, AClientThatDisconnectsMidStreamStopsTheProducer) {
  constexpr std::size_t kRunaway = 256 * 1024 * 1024;
  std::atomic<std::size_t> produced{0};
  std::atomic<bool> stopped{false};
  StreamingServer server([&](http::BodySink& sink) {
    const std::string piece(16 * 1024, 'p');
    while (produced < kRunaway && sink.write(piece)) produced += piece.size();
    stopped = true;
  });
  const int fd = raw_connect(server.port());
  ASSERT_GE(fd, 0);
  const int receive_buffer = 64 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  const auto received = raw_read_some_of_answer(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1024 * 1024);
  ASSERT_GE(received, 1024u * 1024);
  // The client reads no more: the producer stalls (no progress over five polls in a row).
  std::size_t last = 0;
  int unchanged = 0;
  EXPECT_TRUE(eventually([&] {
    const auto now = produced.load();
    unchanged = std::exchange(last, now) == now ? unchanged + 1 : 0;
    return unchanged >= 5 && !stopped;
  }));
  EXPECT_LT(produced.load(), received + 16u * 1024 * 1024);
  ::close(fd);
  EXPECT_TRUE(eventually([&] { return stopped.load(); }));
  EXPECT_LT(produced.load(), kRunaway);
}

// Finding 7: HEAD is GET without the body (RFC 9110 section 9.3.2), on every answer.
TEST(HostileInputs, HeadIsAnsweredAsGetWithoutABody) {
  TestServer server;
  const auto get = raw_exchange(server.port(), kClose);
  const auto r = raw_exchange(server.port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + kClose);
  const auto end_of_head = r.received.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << r.received;
  const auto head = r.received.substr(0, end_of_head + 2);
  EXPECT_EQ(head.find("HTTP/1.1 200 OK\r\n"), 0u) << head;
  EXPECT_NE(head.find("Content-Type: application/json\r\n"), std::string::npos) << head;
  EXPECT_NE(get.received.find("Content-Length: 15\r\n"), std::string::npos) << get.received;
  EXPECT_NE(head.find("Content-Length: 15\r\n"), std::string::npos) << head;
  // No body: the next bytes are the answer to the pipelined GET.
  EXPECT_EQ(r.received.substr(end_of_head + 4, 15), "HTTP/1.1 200 OK") << r.received;

  // Errors to HEAD have no body either.
  for (const std::string path : {"/api/users/me", "/api/agents/1/publish", "/nowhere"}) {
    SCOPED_TRACE(path);
    const auto e = raw_exchange(server.port(), "HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" + kClose);
    const auto end = e.received.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << e.received;
    EXPECT_EQ(e.received.substr(end + 4, 15), "HTTP/1.1 200 OK") << e.received;
  }
  const std::string last = "Connection: close\r\n\r\n";
  EXPECT_EQ(
      raw_exchange(server.port(), "HEAD /api/users/me HTTP/1.1\r\nHost: x\r\n" + last).received.find("HTTP/1.1 401"),
      0u);
  const auto post_only = raw_exchange(server.port(), "HEAD /api/agents/1/publish HTTP/1.1\r\nHost: x\r\n" + last);
  EXPECT_EQ(post_only.received.find("HTTP/1.1 405"), 0u) << post_only.received;
  EXPECT_NE(post_only.received.find("Allow: POST\r\n"), std::string::npos) << post_only.received;
  EXPECT_EQ(server.request("PATCH", "/api/users/me").header("allow"), "GET, HEAD, PUT, DELETE");
}

// RFC 9112 section 3.2: HTTP/1.1 needs exactly one Host, and a valid one.
TEST(HostileInputs, Http11NeedsExactlyOneHost) {
  TestServer server;
  for (const std::string request :
       {"GET /healthz HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n"}) {
    SCOPED_TRACE(request);
    const auto r = raw_exchange(server.port(), request + kSmuggled);
    EXPECT_EQ(r.received.find("HTTP/1.1 400"), 0u) << r.received;
    EXPECT_NE(r.received.find("\"error_type\":\"bad_request\""), std::string::npos) << r.received;
    EXPECT_EQ(r.received.find("smuggled"), std::string::npos) << r.received;
    EXPECT_TRUE(r.closed);
  }
  EXPECT_EQ(raw_exchange(server.port(), "GET /healthz HTTP/1.0\r\n\r\n").received.find("HTTP/1.0 200"), 0u);
  const auto empty_host = raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(empty_host.received.find("HTTP/1.1 200"), 0u);
}

// An encoded slash is data inside one segment; "/api%2Fusers%2Fme" must not reach /api/users/me.
TEST(HostileInputs, EncodedSlashInThePathIsRefused) {
  TestServer server;
  auto company = server.create_company();
  auto user = server.create_user(company.key, "jane@acme.com");
  ASSERT_EQ(server.get("/api/users/me", user.key).status, 200);
  for (const std::string path : {"/api%2Fusers%2Fme", "/api/users%2fme", "/api/agents/1%2F..%2F2"}) {
    SCOPED_TRACE(path);
    const auto r = server.get(path, user.key);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "bad_request") << r.body;
    EXPECT_TRUE(r.json.as_object().contains("detail"));
  }
}

// NUL, invalid UTF-8, overlong forms, surrogates, code points past U+10FFFF, cut sequences.
TEST(HostileInputs, NulAndInvalidUtf8InPathOrQueryAre400) {
  TestServer server;
  auto company = server.create_company();
  for (const std::string target :
       {"/healthz%00", "/api/users/%FF", "/api/webhooks/?limit=%FF", "/healthz?a=%00", "/healthz?%C3%28=1",
        "/healthz?a=%C0%AF", "/healthz?a=%ED%A0%80", "/healthz?a=%F4%90%80%80", "/healthz?a=%E2%82"}) {
    SCOPED_TRACE(target);
    const auto r = server.get(target, company.key);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "bad_request") << r.body;
    EXPECT_TRUE(r.json.as_object().contains("detail"));
  }
  EXPECT_EQ(server.get("/healthz?name=%C3%A9%E2%82%AC%F0%9F%98%80").status, 200);
}

}  // namespace cxco::test
