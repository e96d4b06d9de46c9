// Request and response as handlers see them: plain data, no Beast or Asio.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cxco::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  Fields query;        // decoded, in order
  Fields headers;      // names lowercased
  std::string body;
  std::string request_id;
  std::string remote_address;  // the peer's IP address, as the socket has it
  Fields path_params;  // filled by the router
  std::string route;   // template that matched, e.g. "/api/users/{user_id}"

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  Fields headers;
};

}  // namespace cxco::http
