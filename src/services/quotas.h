// Company quotas inside the transactions that use them (platform.md section 9): what counts
// against them now, and admission of one more active agent.
#pragma once

#include <cstdint>

#include "domain/quotas.h"
#include "store/db.h"

namespace cxco::services::quotas {

// What counts against the company's quotas at `now_unix` (this UTC month's voice minutes come
// from the usage rollups).
domain::QuotaUsage usage(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix);

// Admits one more active agent or throws 429 quota_exceeded (domain::admit_active_agent). It
// locks the company's row before counting, so transactions that would each take the last slot
// take turns, on every node: call it in the transaction that takes the slot (a publish's number
// reservation, a resume's status change).
void admit_active_agent(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix);

// The same for one more outbound call (domain::admit_call), in the transaction that queues it.
void admit_call(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix);

// How many more calls the dialer may start now (domain::calls_allowed), with the company's row
// locked as above when a call quota is set; INT64_MAX, without a lock, when none is.
std::int64_t calls_allowed(store::Tx& tx, domain::CompanyId company, std::int64_t now_unix);

}  // namespace cxco::services::quotas
