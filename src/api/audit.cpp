// GET /api/audit-log (platform.md section 9): the company's changes, newest first, for a company
// key, an owner's or admin's user key, or a scoped key with audit:read.
#include "api/api.h"
#include "api/input.h"

namespace cxco::api {

namespace {

http::Response list_audit_log(Call& call) {
  auto q = Input::query(call.request);
  domain::AuditFilter filter;
  filter.resource_type = q.string("resource_type", wire::kOptional, 64);
  filter.key_id = q.integer("key_id", wire::kOptional, 1);
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.audit_log.list(call.principal.company, filter, page));
}

}  // namespace

void add_audit_routes(Routes& routes) { routes.add("GET", "/api/audit-log", {Access::manager, list_audit_log}); }

}  // namespace cxco::api
