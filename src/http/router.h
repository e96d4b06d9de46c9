// Method + path-template routing with {params}. Literal segments win over parameters, so
// "/api/users/me" is matched before "/api/users/{user_id}". A trailing slash is optional:
// "/api/agents" and "/api/agents/" name the same route. HEAD is answered by the GET route.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace cxco::http {

template <class Payload>
class Router {
 public:
  struct Match {
    enum Kind { found, not_found, method_not_allowed } kind = not_found;
    const Payload* payload = nullptr;
    std::string allow;  // for method_not_allowed: e.g. "GET, PUT"
  };

  void add(std::string method, std::string path_template, Payload payload) {
    routes_.push_back(Route{std::move(method), path_template, split(path_template), std::move(payload)});
  }

  // Fills request.path_params and request.route on a match. HEAD is GET without the body
  // (RFC 9110 section 9.3.2): the GET route answers it, and the server leaves the body out.
  Match match(Request& request) const {
    const auto segments = split(request.path);
    const std::string_view method = request.method == "HEAD" ? std::string_view("GET") : request.method;
    const Route* best = nullptr;
    int best_score = -1;
    std::string allow;
    for (const auto& r : routes_) {
      const int score = score_of(r.segments, segments);
      if (score < 0) continue;
      if (r.method != method) {
        const std::string methods = r.method == "GET" ? "GET, HEAD" : r.method;
        if (allow.find(r.method) == std::string::npos) allow += allow.empty() ? methods : ", " + methods;
        continue;
      }
      if (score > best_score) best = &r, best_score = score;
    }
    if (!best) return {allow.empty() ? Match::not_found : Match::method_not_allowed, nullptr, allow};
    request.route = best->path_template;
    request.path_params.clear();
    for (std::size_t i = 0; i < best->segments.size(); ++i)
      if (is_param(best->segments[i]))
        request.path_params.emplace_back(best->segments[i].substr(1, best->segments[i].size() - 2), segments[i]);
    return {Match::found, &best->payload, {}};
  }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& r : routes_) f(r.method, r.path_template, r.payload);
  }

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    Payload payload;
  };

  static bool is_param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      const std::size_t j = path.find('/', i);
      out.emplace_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
      if (j == std::string_view::npos) break;
      i = j;
    }
    return out;
  }

  // -1 when the template does not fit; otherwise more literal segments score higher.
  static int score_of(const std::vector<std::string>& tmpl, const std::vector<std::string>& segs) {
    if (tmpl.size() != segs.size()) return -1;
    int score = 0;
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
      if (is_param(tmpl[i])) {
        if (segs[i].empty()) return -1;
        continue;
      }
      if (tmpl[i] != segs[i]) return -1;
      score += 1 << (tmpl.size() - i);
    }
    return score;
  }

  std::vector<Route> routes_;
};

}  // namespace cxco::http
