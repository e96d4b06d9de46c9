// GET /openapi.json and GET /docs: the document describes exactly the routes the server has,
// with the security each route really demands, and the reference page is served from the binary.
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "api/api.h"
#include "app/platform.h"
#include "crypto/fernet.h"
#include "harness.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

using Operation = std::pair<std::string, std::string>;  // {"GET", "/api/agents"}

// The router treats a trailing slash as optional, so "/api/agents/" and "/api/agents" are one path.
std::string without_trailing_slash(std::string path) {
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const std::set<std::string> kHttpMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

// Every route of a real api::Api, with the access it demands: the same constructor the server runs.
std::map<Operation, api::Access> routed_operations() {
  TestPlatform test;
  auto services = test.platform->services();
  api::Api api(services, {});
  std::map<Operation, api::Access> out;
  api.routes().for_each([&](const std::string& method, const std::string& path, const api::Route& route) {
    out.emplace(Operation{method, without_trailing_slash(path)}, route.access);
  });
  return out;
}

// Every operation of the document's `paths`, by method and path.
std::map<Operation, const json::object*> documented_operations(const json::object& doc) {
  std::map<Operation, const json::object*> out;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object())
      if (kHttpMethods.count(std::string(method)))
        out.emplace(Operation{upper(method), without_trailing_slash(std::string(path))}, &op.as_object());
  return out;
}

// The security schemes an operation accepts, across all its alternatives.
std::set<std::string> schemes_of(const json::object& op) {
  std::set<std::string> out;
  for (const auto& requirement : op.at("security").as_array())
    for (const auto& [name, scopes] : requirement.as_object()) out.insert(std::string(name));
  return out;
}

std::set<std::string> expected_schemes(api::Access access) {
  switch (access) {
    case api::Access::admin: return {"admin_key"};
    case api::Access::company: return {"company_key"};
    case api::Access::user: return {"user_key"};
    case api::Access::any_key: return {"company_key", "user_key"};
    case api::Access::open: break;
  }
  return {};
}

}  // namespace

class OpenApi : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto reply = server.get("/openapi.json");
    ASSERT_EQ(reply.status, 200) << reply.body;
    ASSERT_EQ(reply.header("content-type"), "application/json");
    ASSERT_TRUE(reply.json.is_object()) << "GET /openapi.json is not a JSON object";
    doc = reply.json.as_object();
  }

  TestServer server;
  json::object doc;
};

TEST_F(OpenApi, IsAnOpenApi31DocumentWithTheThreeKeys) {
  ASSERT_TRUE(doc.at("openapi").is_string());
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).rfind("3.1.", 0), 0u) << doc.at("openapi");
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
  EXPECT_TRUE(doc.at("info").as_object().contains("version"));

  const auto& schemes = doc.at("components").at("securitySchemes").as_object();
  for (const auto& [name, header] : std::map<std::string, std::string>{
           {"company_key", "X-API-Key"}, {"user_key", "X-API-Key"}, {"admin_key", "X-Admin-Key"}}) {
    ASSERT_TRUE(schemes.contains(name)) << name;
    EXPECT_EQ(schemes.at(name).at("type"), "apiKey") << name;
    EXPECT_EQ(schemes.at(name).at("in"), "header") << name;
    EXPECT_EQ(schemes.at(name).at("name"), header.c_str()) << name;
  }
}

TEST_F(OpenApi, DescribesTheErrorShapes) {
  const auto& schemas = doc.at("components").at("schemas").as_object();
  const auto required = [&](const char* schema) {
    std::set<std::string> out;
    for (const auto& r : schemas.at(schema).at("required").as_array()) out.insert(std::string(r.as_string()));
    return out;
  };
  EXPECT_EQ(required("Error"), (std::set<std::string>{"detail", "error_type"}));
  EXPECT_EQ(required("ValidationError"), (std::set<std::string>{"detail", "error_type", "errors"}));
  EXPECT_EQ(required("FieldError"), (std::set<std::string>{"loc", "msg", "type"}));
}

TEST_F(OpenApi, RouterAndDocumentAgreeOnEveryPathAndMethod) {
  const auto routed = routed_operations();
  const auto documented = documented_operations(doc);
  ASSERT_FALSE(routed.empty());
  for (const auto& [op, access] : routed)
    EXPECT_TRUE(documented.count(op)) << op.first << " " << op.second << " is routed but not in /openapi.json";
  for (const auto& [op, operation] : documented)
    EXPECT_TRUE(routed.count(op)) << op.first << " " << op.second << " is in /openapi.json but not routed";
}

TEST_F(OpenApi, EveryOperationHasResponsesAndTheSecurityItsRouteDemands) {
  const auto routed = routed_operations();
  const auto& schemes = doc.at("components").at("securitySchemes").as_object();
  std::set<std::string> operation_ids;
  for (const auto& [op, operation] : documented_operations(doc)) {
    const std::string name = op.first + " " + op.second;
    ASSERT_TRUE(operation->contains("responses")) << name;
    EXPECT_FALSE(operation->at("responses").as_object().empty()) << name;
    ASSERT_TRUE(operation->contains("operationId")) << name;
    EXPECT_TRUE(operation_ids.insert(std::string(operation->at("operationId").as_string())).second)
        << name << ": operationId used twice";

    // Explicit on every operation, `security: []` included, so none inherits a default by accident.
    ASSERT_TRUE(operation->contains("security")) << name;
    const auto accepted = schemes_of(*operation);
    for (const auto& scheme : accepted) EXPECT_TRUE(schemes.contains(scheme)) << name << ": unknown scheme " << scheme;

    const auto route = routed.find(op);
    if (route == routed.end()) continue;  // reported by RouterAndDocumentAgreeOnEveryPathAndMethod
    if (route->second == api::Access::open) {
      // Open routes take no API or admin key (a provider's signature header may be their credential).
      for (const auto* key : {"company_key", "user_key", "admin_key"}) EXPECT_FALSE(accepted.count(key)) << name;
    } else {
      EXPECT_EQ(accepted, expected_schemes(route->second)) << name;
    }
  }
}

TEST_F(OpenApi, DocsPageAndItsBundleAreServedFromTheBinary) {
  const auto page = server.get("/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/docs/assets/redoc.standalone.js"), std::string::npos);
  EXPECT_NE(page.body.find("/openapi.json"), std::string::npos);

  const auto bundle = server.get("/docs/assets/redoc.standalone.js");
  ASSERT_EQ(bundle.status, 200);
  EXPECT_EQ(bundle.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_GT(bundle.body.size(), 500'000u);
  EXPECT_NE(bundle.body.find("Redoc"), std::string::npos);

  EXPECT_EQ(server.get("/docs/assets/redoc.standalone.js.LICENSE.txt").status, 200);
  const auto missing = server.get("/docs/assets/missing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json.at("error_type"), "not_found");
}

}  // namespace cxco::test
