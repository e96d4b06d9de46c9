// The phone-number pool: numbers are `available` until a publish assigns one to a company's
// agent, and go back to the pool when the agent is archived or its publish is undone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/keys.h"
#include "domain/whatsapp.h"
#include "store/db.h"

namespace cxco::store::numbers_repo {

// Throws ConflictError when the number is already in the pool.
std::int64_t insert(Tx& tx, const domain::NewNumber& number, const std::string& now);
// Operator views of the pool, any company's numbers.
std::optional<domain::PhoneNumber> find_in_pool(Tx& tx, std::int64_t number_id);
std::vector<domain::PhoneNumber> list_pool(Tx& tx, const domain::NumberFilter& filter);
std::vector<domain::PhoneNumber> list_available(Tx& tx, const std::optional<std::string>& country_code);
bool any(Tx& tx);

std::optional<domain::PhoneNumber> find_owned(Tx& tx, domain::CompanyId company, std::int64_t number_id);
// The same, with the row locked for the transaction.
std::optional<domain::PhoneNumber> lock_owned(Tx& tx, domain::CompanyId company, std::int64_t number_id);
// The company's numbers held by agents `visible` sees.
std::vector<domain::PhoneNumber> list_owned(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible);

struct Reserved {
  std::int64_t id = 0;
  std::string number;
  std::string provider_slug;  // sip_trunk or twilio
};
// Takes a free number of the country for the agent; nullopt when none is free. Twilio numbers
// only when `twilio` (the company has the account to import them with). Concurrent
// reservations each take a different number (SKIP LOCKED on PostgreSQL).
std::optional<Reserved> reserve(Tx& tx, domain::CompanyId company, std::int64_t agent_id,
                                const std::string& country_code, bool twilio, const std::string& now);
// Whether any number of the country is free, of whatever provider.
bool any_free(Tx& tx, const std::string& country_code);
void set_external_id(Tx& tx, domain::CompanyId company, std::int64_t number_id, const std::string& external_id,
                     const std::string& now);
// Back to the pool, with nothing of its holder left (company, agent, provider and WhatsApp
// state), if `agent_id` still holds it.
void release(Tx& tx, domain::CompanyId company, std::int64_t number_id, std::int64_t agent_id, const std::string& now);

struct StaleReservation {
  domain::CompanyId company_id;
  std::int64_t agent_id = 0, number_id = 0;
};
// Numbers reserved by publishes that never finished: held by a draft since before `cutoff`.
std::vector<StaleReservation> stale_reservations(Tx& tx, const std::string& cutoff);

void set_whatsapp_pending(Tx& tx, domain::CompanyId company, std::int64_t number_id, const std::string& now);
// Moves a number still pending for `agent_id` to `status`; false when it is no longer pending
// for that agent (archived meanwhile).
bool finish_whatsapp(Tx& tx, domain::CompanyId company, std::int64_t number_id, std::int64_t agent_id,
                     domain::WhatsAppStatus status, const std::optional<std::string>& external_id,
                     const std::string& now);
// The number WhatsApp traffic is for: by the Cloud API's phone-number id, else by the E.164
// number. `lock` holds the row for the transaction, which serialises everything that changes
// the number's conversations. The tenant is the number's, whoever the sender is.
std::optional<domain::WhatsAppRoute> route_whatsapp(Tx& tx, const std::string& external_id, const std::string& e164,
                                                    bool lock);
void lock_for_whatsapp(Tx& tx, std::int64_t number_id);

}  // namespace cxco::store::numbers_repo
