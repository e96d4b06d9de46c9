#include "store/outbox.h"

#include "crypto/crypto.h"

namespace cxco::store::outbox {

namespace {

constexpr std::string_view kEmit =
    "INSERT INTO events (event_id, company_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kAnyUndispatched = "SELECT id FROM events WHERE dispatched_at IS NULL LIMIT 1";
constexpr std::string_view kUndispatched =
    "SELECT id, event_id, company_id, type, data, created_at FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT "
    "?";
constexpr std::string_view kMarkDispatched = "UPDATE events SET dispatched_at = ? WHERE id = ?";
constexpr std::string_view kUndispatchedCount = "SELECT count(*) AS n FROM events WHERE dispatched_at IS NULL";

}  // namespace

std::string emit(Tx& tx, domain::CompanyId company, const std::string& type, const std::string& data_json,
                 const std::string& now) {
  std::string event_id = "evt_" + crypto::random_base62(24);
  tx.exec(kEmit, {event_id, company.value, type, data_json, now});
  return event_id;
}

bool any_undispatched(Tx& tx) { return tx.one(kAnyUndispatched).has_value(); }

std::vector<Event> lock_undispatched(Tx& tx, int limit) {
  std::vector<Event> out;
  for (const auto& r :
       tx.query(std::string(kUndispatched) + std::string(tx.lock_rows_clause()), {std::int64_t{limit}}).rows)
    out.push_back({r.i64("id"), r.str("event_id"), domain::CompanyId(r.i64("company_id")), r.str("type"), r.str("data"),
                   r.str("created_at")});
  return out;
}

void mark_dispatched(Tx& tx, std::int64_t id, const std::string& now) { tx.exec(kMarkDispatched, {now, id}); }

std::int64_t undispatched_count(Tx& tx) { return tx.one(kUndispatchedCount)->i64("n"); }

}  // namespace cxco::store::outbox
