// Companies (tenants), their users and the API keys that act for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cxco::domain {

// The tenant a request or a job acts for. Every repository query that reads or changes a
// tenant's rows takes one, so a query without its scope does not compile.
struct CompanyId {
  std::int64_t value = 0;
  constexpr CompanyId() = default;
  constexpr explicit CompanyId(std::int64_t v) : value(v) {}
  friend constexpr bool operator==(CompanyId, CompanyId) = default;
  friend constexpr auto operator<=>(CompanyId, CompanyId) = default;
};

// Limits the platform operator sets per company (platform.md section 9); nullopt is unlimited.
struct Quotas {
  std::optional<std::int64_t> max_active_agents;
  std::optional<std::int64_t> max_concurrent_calls;
  std::optional<std::int64_t> monthly_voice_minutes;
  std::optional<std::int64_t> monthly_outbound_calls;
};

struct Company {
  CompanyId id;
  std::string name;
  std::string status;
  std::optional<std::string> meta_business_id;
  std::optional<std::string> settings_json;  // the caller's settings object, as JSON text
  std::string created_at, updated_at;
  Quotas quotas;
};

struct CompanyChanges {
  std::optional<std::string> name;
  std::optional<std::string> settings_json;
};

struct User {
  std::int64_t id = 0;
  CompanyId company_id;
  std::string email, name, role, status;
  std::string created_at, updated_at;
};

struct UserChanges {
  std::optional<std::string> name, role;
};

// A resource created together with its API key, which is shown this once.
template <class T>
struct WithKey {
  T resource;
  std::string api_key;
};

}  // namespace cxco::domain
