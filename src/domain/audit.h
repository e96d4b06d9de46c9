// The audit log (platform.md section 9): one entry per changing request (POST, PUT, DELETE)
// answered 2xx, with any key. Never a body or a secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cxco::domain {

// What the API knows of such a request before it runs: who called, how, and what a success
// answers.
struct AuditRequest {
  std::optional<std::int64_t> key_id;  // none for the platform admin key
  std::string key_type;                // company, user, scoped or admin
  std::optional<std::int64_t> user_id;
  std::string method;
  std::string route;  // the route template, e.g. "/api/agents/{agent_id}/publish"
  std::string request_id;
  // The client's address: null until the listener hands the API the peer's address.
  std::optional<std::string> ip;
  int status = 0;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::string created_at;
  AuditRequest request;
  std::string resource_type;               // agent, user, webhook, api_key, company, ...
  std::optional<std::string> resource_id;  // as text: credentials are named by their provider's slug
};

struct AuditFilter {
  std::optional<std::string> resource_type;
  std::optional<std::int64_t> key_id;
};

}  // namespace cxco::domain
