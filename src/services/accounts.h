// Companies, users and their API keys: shared by the HTTP API, the admin CLI and demo seeding.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "store/db.h"

namespace cxco::services {

struct WithKey {
  boost::json::object resource;  // as the API shows it
  std::string api_key;           // plaintext, shown once
};

boost::json::object company_json(const store::Row& row);
boost::json::object user_json(const store::Row& row);

WithKey create_company(store::Tx& tx, const std::string& now, const std::string& name,
                       const std::optional<boost::json::object>& settings);
std::optional<boost::json::object> find_company(store::Tx& tx, std::int64_t company_id);
// Issues a new company key and revokes every earlier one. nullopt if the company does not exist.
std::optional<std::string> rotate_company_key(store::Tx& tx, const std::string& now, std::int64_t company_id);

// Throws ApiError 409 when the email is taken in the company.
WithKey create_user(store::Tx& tx, const std::string& now, std::int64_t company_id, const std::string& email,
                    const std::string& name, const std::string& role);
std::optional<boost::json::object> find_user(store::Tx& tx, std::int64_t company_id, std::int64_t user_id);

}  // namespace cxco::services
