#include "http/client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <boost/url/parse.hpp>

#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace cxco::http {

namespace {

struct CurlHandle {
  CURL* handle;
  CurlHandle() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle = curl_easy_init();
  }
  ~CurlHandle() { curl_easy_cleanup(handle); }
};

struct Exchange {
  const ClientRequest* request;
  ClientResponse* response;
  std::string* body;         // where the body goes: the response's, or a download's next piece
  std::size_t pause_at = 0;  // a download pauses once its piece holds this much (0: never)
  std::size_t received = 0;  // body bytes taken so far
  int status = 0;            // of the latest status line
  bool head_done = false;    // a final (not 1xx) status line and its headers are in
  bool refused_address = false;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const std::size_t bytes = size * n;
  // libcurl keeps the bytes and offers them again once the transfer is resumed.
  if (ex->pause_at && ex->body->size() >= ex->pause_at) return CURL_WRITEFUNC_PAUSE;
  if (bytes > ex->request->max_response_bytes - ex->received) {
    ex->too_large = true;
    return 0;  // less than given: libcurl aborts the transfer and drops the connection
  }
  ex->received += bytes;
  ex->body->append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  std::string_view line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    static_cast<Exchange*>(user)->response->headers.emplace_back(std::move(name), std::string(value));
  } else if (line.rfind("HTTP/", 0) == 0) {
    auto* ex = static_cast<Exchange*>(user);
    ex->response->headers.clear();  // a new response (e.g. after 100 Continue)
    const auto space = line.find(' ');
    ex->status = 0;
    if (space != std::string_view::npos)
      std::from_chars(line.data() + space + 1, line.data() + line.size(), ex->status);
  } else if (line == "\r\n" || line == "\n") {
    auto* ex = static_cast<Exchange*>(user);
    ex->head_done = ex->status >= 200;
  }
  return size * n;
}

curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* addr) {
  auto* ex = static_cast<Exchange*>(user);
  if (ex->request->allow_address) {
    char ip[INET6_ADDRSTRLEN] = {0};
    if (addr->family == AF_INET)
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr->addr)->sin_addr, ip, sizeof ip);
    else if (addr->family == AF_INET6)
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr->addr)->sin6_addr, ip, sizeof ip);
    if (!ex->request->allow_address(ip)) {
      ex->refused_address = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(addr->family, addr->socktype, addr->protocol);
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return std::string_view(v);
  return std::nullopt;
}

std::optional<boost::urls::url> parse_base_url(const std::string& base_url) {
  const auto parsed = boost::urls::parse_absolute_uri(base_url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https")) return std::nullopt;
  boost::urls::url u = *parsed;
  u.remove_query().remove_fragment();
  // "https://host/" and "https://host/prefix/" end in an empty segment that would double the slash.
  auto segments = u.segments();
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  return u;
}

boost::urls::url with_segments(boost::urls::url base, std::initializer_list<std::string_view> segments) {
  auto path = base.segments();
  for (const auto s : segments) path.push_back(s);
  return base;
}

namespace {

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

HeaderList header_list(const ClientRequest& request) {
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // libcurl adds "Expect: 100-continue" for large bodies; our peers answer directly.
  headers = curl_slist_append(headers, "Expect:");
  return HeaderList(headers, curl_slist_free_all);
}

// Every option of a request on `h`. A download has no limit on its whole transfer: its reader
// sets the pace and bounds each wait itself.
void configure(CURL* h, const ClientRequest& request, Exchange& ex, curl_slist* headers, bool whole_transfer_timeout) {
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (whole_transfer_timeout) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &ex);
}

std::string failure(CURLcode rc, const Exchange& ex) {
  if (ex.refused_address) return "destination address not allowed";
  if (ex.too_large) return "response larger than " + std::to_string(ex.request->max_response_bytes) + " bytes";
  return curl_easy_strerror(rc);
}

}  // namespace

ClientResponse perform(const ClientRequest& request) {
  thread_local CurlHandle curl;
  CURL* h = curl.handle;
  curl_easy_reset(h);
  ClientResponse response;
  Exchange ex{&request, &response, &response.body};
  const auto headers = header_list(request);
  configure(h, request, ex, headers.get(), true);

  const CURLcode rc = curl_easy_perform(h);
  double total = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total);
  response.elapsed_ms = total * 1000.0;
  if (rc != CURLE_OK) {
    response.error = failure(rc, ex);
    response.status = 0;
    return response;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

// Driven through libcurl's multi interface, which returns between pieces where the easy one
// would run the whole transfer in one call.
struct Download::Impl {
  // How much of the body is taken in before the transfer pauses for the reader.
  static constexpr std::size_t kPiece = 64 * 1024;

  explicit Impl(ClientRequest r) : request(std::move(r)), headers(header_list(request)) {
    ex.pause_at = kPiece;
    configure(easy.handle, request, ex, headers.get(), false);
    curl_multi_add_handle(multi.get(), easy.handle);
  }
  ~Impl() { curl_multi_remove_handle(multi.get(), easy.handle); }

  // Runs the transfer until `ready()` or its end; false when `timeout` passed first.
  template <class Ready>
  bool drive(Ready ready) {
    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    for (;;) {
      int running = 0;
      curl_multi_perform(multi.get(), &running);
      if (ready()) return true;
      if (running == 0) {
        int left = 0;
        while (const CURLMsg* message = curl_multi_info_read(multi.get(), &left))
          if (message->msg == CURLMSG_DONE) result = message->data.result;
        ended = true;
        return true;
      }
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (wait.count() <= 0) return false;
      curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(wait.count()), nullptr);
    }
  }

  ClientRequest request;
  ClientResponse head;
  std::string piece;
  Exchange ex{&request, &head, &piece};
  CurlHandle easy;
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi{curl_multi_init(), curl_multi_cleanup};
  HeaderList headers;
  bool ended = false;
  CURLcode result = CURLE_OK;
};

Download::Download(ClientRequest request) : impl_(std::make_unique<Impl>(std::move(request))) {
  auto& d = *impl_;
  const auto started = std::chrono::steady_clock::now();
  const bool answered = d.drive([&] { return d.ex.head_done; });
  d.head.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!answered || (d.ended && d.result != CURLE_OK) || !d.ex.head_done) {
    d.head.error = answered ? failure(d.result, d.ex) : curl_easy_strerror(CURLE_OPERATION_TIMEDOUT);
    d.head.headers.clear();
    return;
  }
  d.head.status = d.ex.status;
}

Download::~Download() = default;

const ClientResponse& Download::head() const { return impl_->head; }

std::string Download::read() {
  auto& d = *impl_;
  if (d.piece.empty() && !d.ended && d.head.error.empty()) {
    curl_easy_pause(d.easy.handle, CURLPAUSE_CONT);  // the piece handed out last made room
    if (!d.drive([&] { return !d.piece.empty(); }))
      throw std::runtime_error(curl_easy_strerror(CURLE_OPERATION_TIMEDOUT));
  }
  if (d.piece.empty() && d.ended && d.result != CURLE_OK) throw std::runtime_error(failure(d.result, d.ex));
  return std::exchange(d.piece, {});
}

}  // namespace cxco::http
