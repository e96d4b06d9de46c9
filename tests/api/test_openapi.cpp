// GET /openapi.json and GET /docs: the document describes exactly the routes the server has,
// with the security each route really demands (the scope a scoped key needs included), and the
// reference page is served from the binary.
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "api/api.h"
#include "harness.h"

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

struct Routed {
  api::Access access;
  const api::RoutePolicy* policy;
};

// Every route, with the access it demands, by method and path.
std::map<Operation, Routed> routed() {
  std::map<Operation, Routed> out;
  for (const auto& r : routed_operations())
    out.emplace(Operation{r.method, without_trailing_slash(r.path)}, Routed{r.access, r.policy});
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

// The roles an operation's scoped_key requirement names: the scope a scoped key needs.
std::set<std::string> scopes_of(const json::object& op) {
  std::set<std::string> out;
  for (const auto& requirement : op.at("security").as_array())
    if (const auto* scopes = requirement.as_object().if_contains("scoped_key"))
      for (const auto& scope : scopes->as_array()) out.insert(std::string(scope.as_string()));
  return out;
}

std::set<std::string> expected_schemes(const Routed& route) {
  std::set<std::string> out;
  switch (route.access) {
    case api::Access::admin: return {"admin_key"};
    case api::Access::company: out = {"company_key"}; break;
    case api::Access::user: out = {"user_key"}; break;
    case api::Access::any_key:
    case api::Access::manager: out = {"company_key", "user_key"}; break;
    case api::Access::open: return {};
  }
  if (route.policy->scoped.kind == api::ScopeRule::Kind::needs) out.insert("scoped_key");
  return out;
}

std::set<std::string> expected_scopes(const Routed& route) {
  if (!route.policy || route.policy->scoped.kind != api::ScopeRule::Kind::needs) return {};
  return {std::string(domain::to_string(route.policy->scoped.scope))};
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
  for (const auto& [name, header] : std::map<std::string, std::string>{{"company_key", "X-API-Key"},
                                                                       {"user_key", "X-API-Key"},
                                                                       {"scoped_key", "X-API-Key"},
                                                                       {"admin_key", "X-Admin-Key"}}) {
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
  const auto routes = routed();
  const auto documented = documented_operations(doc);
  ASSERT_FALSE(routes.empty());
  for (const auto& [op, route] : routes)
    EXPECT_TRUE(documented.count(op)) << op.first << " " << op.second << " is routed but not in /openapi.json";
  for (const auto& [op, operation] : documented)
    EXPECT_TRUE(routes.count(op)) << op.first << " " << op.second << " is in /openapi.json but not routed";
}

// A body that does not validate is 422 on every route that reads one; the WhatsApp webhook
// alone acknowledges whatever Meta sends, as Meta retries anything else.
TEST_F(OpenApi, EveryOperationThatReadsABodyDocumentsItsValidationError) {
  for (const auto& [op, operation] : documented_operations(doc)) {
    if (!operation->contains("requestBody") || op.second == "/api/integrations/whatsapp/webhook") continue;
    EXPECT_TRUE(operation->at("responses").as_object().contains("422")) << op.first << " " << op.second;
  }
}

TEST_F(OpenApi, EveryOperationHasResponsesAndTheSecurityItsRouteDemands) {
  const auto routes = routed();
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

    const auto route = routes.find(op);
    if (route == routes.end()) continue;  // reported by RouterAndDocumentAgreeOnEveryPathAndMethod
    if (route->second.access == api::Access::open) {
      // Open routes take no API or admin key (a provider's signature header may be their credential).
      for (const auto* key : {"company_key", "user_key", "scoped_key", "admin_key"})
        EXPECT_FALSE(accepted.count(key)) << name;
    } else {
      EXPECT_EQ(accepted, expected_schemes(route->second)) << name;
    }
    // The scope a scoped key needs is the one the router checks, and only that one.
    EXPECT_EQ(scopes_of(*operation), expected_scopes(route->second)) << name;
  }
}

TEST_F(OpenApi, EveryOperationThatChangesThingsDocumentsTheStatusItsAuditRowRecords) {
  const auto documented = documented_operations(doc);
  for (const auto& [op, route] : routed()) {
    if (!route.policy || route.policy->audit_status == 0) continue;
    const auto it = documented.find(op);
    if (it == documented.end()) continue;  // reported by RouterAndDocumentAgreeOnEveryPathAndMethod
    EXPECT_TRUE(it->second->at("responses").as_object().contains(std::to_string(route.policy->audit_status)))
        << op.first << " " << op.second << ": the audit status " << route.policy->audit_status
        << " is not a documented answer";
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

// The console: its page and assets from the binary, each under a policy that allows this server
// only and nothing inline, so customer text that slipped past escaping could still run nothing.
TEST_F(OpenApi, ConsoleIsServedFromTheBinaryUnderAStrictPolicy) {
  const auto page = server.get("/console");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/console/assets/console.js"), std::string::npos);
  for (const auto* path : {"/console", "/console/assets/console.js", "/console/assets/console.css",
                           "/console/assets/console.licenses.txt"}) {
    const auto reply = server.get(path);
    ASSERT_EQ(reply.status, 200) << path;
    const auto policy = reply.header("content-security-policy");
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(policy.find("script-src 'self';"), std::string::npos) << path;
    EXPECT_NE(policy.find("style-src 'self';"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(reply.header("x-content-type-options"), "nosniff") << path;
  }
  EXPECT_EQ(server.get("/console/assets/console.js").header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(server.get("/console/assets/console.css").header("content-type"), "text/css; charset=utf-8");
  const auto missing = server.get("/console/assets/docs.html");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json.at("error_type"), "not_found");
}

}  // namespace cxco::test
