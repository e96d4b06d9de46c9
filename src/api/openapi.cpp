// GET /openapi.json (the OpenAPI 3.1 document, src/api/openapi/openapi.json), GET /docs, the
// API reference page that renders it with Redoc, and GET /console, the web app of console/. All
// of it is compiled into the binary, so it works offline from the one binary. No key: the pages
// describe and call the public API with the visitor's own key; they grant nothing.
#include "api/api.h"
#include "api/openapi/assets.h"
#include "domain/errors.h"

namespace cxco::api {

namespace {

std::string_view asset(std::string_view name) {
  for (const auto& a : docs::assets())
    if (a.name == name) return a.content;
  return {};
}

http::Response file_response(std::string_view content, std::string content_type) {
  http::Response r;
  r.body = std::string(content);
  r.content_type = std::move(content_type);
  // Fixed for the life of a binary; an hour keeps an upgraded server's docs from lagging long.
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

http::Response openapi_document(Call&) { return file_response(asset("openapi.json"), "application/json"); }

// The page loads only what this server serves: no third-party requests (Redoc's footer logo
// would come from a CDN otherwise), so reading the docs tells no one else about it.
constexpr const char* kDocsPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'";

http::Response docs_page(Call&) {
  auto r = file_response(asset("docs.html"), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Security-Policy", kDocsPolicy);
  return r;
}

// Only the page's own scripts and their licence notice; the document and the page have routes of their own.
http::Response docs_file(Call& call) {
  const auto name = call.request.path_param("file");
  std::string content_type;
  if (name == "redoc.standalone.js")
    content_type = "text/javascript; charset=utf-8";
  else if (name == "redoc.standalone.js.LICENSE.txt")
    content_type = "text/plain; charset=utf-8";
  else
    throw ApiError::not_found("Not Found");
  return file_response(asset(name), std::move(content_type));
}

// The console (platform.md section 10): a web app on the public API, signed in with the user's
// own key. Nothing inline and nothing from elsewhere: a transcript that smuggles markup past the
// app's escaping still cannot run script or load anything. Recordings play from blob: URLs.
constexpr const char* kConsolePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

http::Response console_response(std::string_view content, std::string content_type) {
  http::Response r;
  r.body = std::string(content);
  r.content_type = std::move(content_type);
  // Small files: revalidated every time, so a tab never runs an old bundle against a new server.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy", kConsolePolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

http::Response console_page(Call&) { return console_response(asset("console.html"), "text/html; charset=utf-8"); }

http::Response console_file(Call& call) {
  const auto name = call.request.path_param("file");
  std::string content_type;
  if (name == "console.js")
    content_type = "text/javascript; charset=utf-8";
  else if (name == "console.css")
    content_type = "text/css; charset=utf-8";
  else if (name == "console.licenses.txt")
    content_type = "text/plain; charset=utf-8";
  else
    throw ApiError::not_found("Not Found");
  return console_response(asset(name), std::move(content_type));
}

}  // namespace

void add_openapi_routes(Routes& routes) {
  // Answered on the I/O thread: constant bytes, no database.
  routes.add("GET", "/openapi.json", {Access::open, openapi_document, false});
  routes.add("GET", "/docs", {Access::open, docs_page, false});
  routes.add("GET", "/docs/assets/{file}", {Access::open, docs_file, false});
  routes.add("GET", "/console", {Access::open, console_page, false});
  routes.add("GET", "/console/assets/{file}", {Access::open, console_file, false});
}

}  // namespace cxco::api
