// http::Router: method + path templates, literal segments before parameters, 404 and 405.
#include <gtest/gtest.h>

#include "http/router.h"

namespace cxco::http {

namespace {

Router<int> routes() {
  Router<int> r;
  r.add("GET", "/api/users/{user_id}", 1);
  r.add("GET", "/api/users/me", 2);
  r.add("PUT", "/api/users/{user_id}", 3);
  r.add("GET", "/api/agents/{agent_id}/conversations", 4);
  r.add("POST", "/api/agents/", 5);
  return r;
}

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

}  // namespace

TEST(Router, FindsTheRouteAndItsParameters) {
  const auto r = routes();
  auto req = request("GET", "/api/agents/42/conversations");
  const auto m = r.match(req);
  ASSERT_EQ(m.kind, Router<int>::Match::found);
  EXPECT_EQ(*m.payload, 4);
  EXPECT_EQ(req.route, "/api/agents/{agent_id}/conversations");
  EXPECT_EQ(req.path_param("agent_id"), "42");
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  const auto r = routes();
  auto me = request("GET", "/api/users/me");
  EXPECT_EQ(*r.match(me).payload, 2);
  auto other = request("GET", "/api/users/7");
  EXPECT_EQ(*r.match(other).payload, 1);
  EXPECT_EQ(other.path_param("user_id"), "7");
}

TEST(Router, TrailingSlashIsOptional) {
  const auto r = routes();
  for (const char* path : {"/api/agents", "/api/agents/"}) {
    auto req = request("POST", path);
    const auto m = r.match(req);
    ASSERT_EQ(m.kind, Router<int>::Match::found) << path;
    EXPECT_EQ(*m.payload, 5);
  }
}

TEST(Router, KnownPathWithAnotherMethodListsTheAllowedOnes) {
  const auto r = routes();
  auto req = request("DELETE", "/api/users/7");
  const auto m = r.match(req);
  EXPECT_EQ(m.kind, Router<int>::Match::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, PUT");  // HEAD is served by every GET route
}

TEST(Router, HeadIsServedByTheGetRoute) {
  const auto r = routes();
  auto req = request("HEAD", "/api/users/me");
  const auto m = r.match(req);
  ASSERT_EQ(m.kind, Router<int>::Match::found);
  EXPECT_EQ(*m.payload, 2);
}

TEST(Router, UnknownPathsAndEmptyParametersAreNotFound) {
  const auto r = routes();
  for (const char* path : {"/api/nothing", "/api/users", "/api/agents//conversations", "/api/users/7/extra"}) {
    auto req = request("GET", path);
    EXPECT_EQ(r.match(req).kind, Router<int>::Match::not_found) << path;
  }
}

}  // namespace cxco::http
