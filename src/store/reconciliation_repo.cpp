#include "store/reconciliation_repo.h"

namespace cxco::store::reconciliation_repo {

namespace {

constexpr std::string_view kSettledBefore = "SELECT settled_before_unix FROM reconciliation_state WHERE source = ?";
constexpr std::string_view kSettle =
    "INSERT INTO reconciliation_state (source, settled_before_unix, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (source) DO UPDATE SET settled_before_unix = excluded.settled_before_unix, "
    "updated_at = excluded.updated_at";

}  // namespace

std::optional<std::int64_t> settled_before(Tx& tx, std::string_view source) {
  const auto row = tx.one(kSettledBefore, {std::string(source)});
  return row ? row->opt_i64("settled_before_unix") : std::nullopt;
}

void settle(Tx& tx, std::string_view source, std::int64_t settled_before_unix, const std::string& now) {
  tx.exec(kSettle, {std::string(source), settled_before_unix, now});
}

}  // namespace cxco::store::reconciliation_repo
