// The providers CXCo works with and a company's stored credentials for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/company.h"

namespace cxco::domain {

struct ProviderInfo {
  std::int64_t id = 0;
  std::string slug, name, type, status;
  std::optional<std::string> config_json;
};

// What GET/POST answers about stored credentials: never the credentials themselves.
struct StoredCredentials {
  std::int64_t id = 0;
  CompanyId company_id;
  std::int64_t provider_id = 0;
  std::string status, created_at;
};

// A stored secret (a Fernet token) and the row it belongs to, for key rotation.
struct EncryptedSecret {
  std::int64_t id = 0;
  std::string token;
};

struct RotationReport {
  std::int64_t rotated = 0;     // re-encrypted under the first key
  std::int64_t current = 0;     // already under the first key
  std::int64_t unreadable = 0;  // no configured key decrypts them: left as they were
};

}  // namespace cxco::domain
