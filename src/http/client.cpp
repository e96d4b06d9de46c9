#include "http/client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <boost/url/parse.hpp>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <memory>
#include <mutex>

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
  bool refused_address = false;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const std::size_t bytes = size * n;
  if (bytes > ex->request->max_response_bytes - ex->response->body.size()) {
    ex->too_large = true;
    return 0;  // less than given: libcurl aborts the transfer and drops the connection
  }
  ex->response->body.append(data, bytes);
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
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    static_cast<Exchange*>(user)->response->headers.emplace_back(std::move(name), std::string(value));
  } else if (line.rfind("HTTP/", 0) == 0) {
    static_cast<Exchange*>(user)->response->headers.clear();  // a new response (e.g. after 100 Continue)
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

ClientResponse perform(const ClientRequest& request) {
  thread_local CurlHandle curl;
  CURL* h = curl.handle;
  curl_easy_reset(h);
  ClientResponse response;
  Exchange ex{&request, &response};

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // libcurl adds "Expect: 100-continue" for large bodies; our peers answer directly.
  headers = curl_slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
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

  const CURLcode rc = curl_easy_perform(h);
  double total = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total);
  response.elapsed_ms = total * 1000.0;
  if (rc != CURLE_OK) {
    if (ex.refused_address)
      response.error = "destination address not allowed";
    else if (ex.too_large)
      response.error = "response larger than " + std::to_string(request.max_response_bytes) + " bytes";
    else
      response.error = curl_easy_strerror(rc);
    response.status = 0;
    return response;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace cxco::http
