// Users of a company.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/company.h"
#include "store/db.h"

namespace cxco::store::users_repo {

// Throws ConflictError when the email is taken in the company (case-insensitively).
std::int64_t insert(Tx& tx, domain::CompanyId company, const std::string& email, const std::string& name,
                    const std::string& role, const std::string& now);
std::optional<domain::User> find(Tx& tx, domain::CompanyId company, std::int64_t user_id);
void update(Tx& tx, domain::CompanyId company, std::int64_t user_id, const domain::UserChanges& changes,
            const std::string& now);
// Deletes the user and its keys; false when there was no such user.
bool remove(Tx& tx, domain::CompanyId company, std::int64_t user_id);

}  // namespace cxco::store::users_repo
