// The events outbox (platform.md section 5): an event is written in the transaction of the
// change it reports, so it exists exactly when the change does; the webhook dispatcher fans
// each one out to the subscribed webhooks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/company.h"
#include "store/db.h"

namespace cxco::store::outbox {

// Returns the public event id ("evt_...").
std::string emit(Tx& tx, domain::CompanyId company, const std::string& type, const std::string& data_json,
                 const std::string& now);

struct Event {
  std::int64_t id = 0;
  std::string event_id;
  domain::CompanyId company_id;
  std::string type, data_json, created_at;
};
bool any_undispatched(Tx& tx);
// The oldest events not fanned out yet, locked for this transaction (SKIP LOCKED).
std::vector<Event> lock_undispatched(Tx& tx, int limit);
void mark_dispatched(Tx& tx, std::int64_t id, const std::string& now);
std::int64_t undispatched_count(Tx& tx);

}  // namespace cxco::store::outbox
