// How far the scheduled reconciler has settled each source's conversations (table
// reconciliation_state). Not a tenant's data: one row per provider of conversations, whose
// workspaces serve every company.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/db.h"

namespace cxco::store::reconciliation_repo {

// Every finished conversation of `source` that started before this (unix seconds) is stored;
// nullopt before the first complete run.
std::optional<std::int64_t> settled_before(Tx& tx, std::string_view source);
void settle(Tx& tx, std::string_view source, std::int64_t settled_before_unix, const std::string& now);

}  // namespace cxco::store::reconciliation_repo
