// A company's do-not-call list (platform.md section 7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/call.h"
#include "domain/page.h"
#include "store/db.h"

namespace cxco::store::do_not_call_repo {

// Throws ConflictError when the number is listed already.
domain::DoNotCallEntry insert(Tx& tx, domain::CompanyId company, const std::string& phone_number,
                              const std::optional<std::string>& reason, const std::string& now);
bool remove(Tx& tx, domain::CompanyId company, const std::string& phone_number);
bool contains(Tx& tx, domain::CompanyId company, const std::string& phone_number);
// Newest first, up to page.limit + 1.
std::vector<domain::DoNotCallEntry> list(Tx& tx, domain::CompanyId company, const domain::PageRequest& page);

}  // namespace cxco::store::do_not_call_repo
