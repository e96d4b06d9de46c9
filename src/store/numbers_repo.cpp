#include "store/numbers_repo.h"

#include "store/agent_filter.h"

namespace cxco::store::numbers_repo {

namespace {

constexpr std::string_view kSelect =
    "SELECT id, number, provider_slug, country_code, status, company_id, agent_id, external_number_id, "
    "whatsapp_status, whatsapp_external_id, created_at, updated_at FROM phone_numbers";
constexpr std::string_view kInsert =
    "INSERT INTO phone_numbers (number, provider_slug, country_code, status, created_at, updated_at) "
    "VALUES (?, ?, ?, 'available', ?, ?) RETURNING id";
constexpr std::string_view kById = " WHERE id = ?";
constexpr std::string_view kOwned = " WHERE id = ? AND company_id = ?";
constexpr std::string_view kOwnedByCompany = " WHERE company_id = ?";
constexpr std::string_view kIdOrder = " ORDER BY id";
constexpr std::string_view kAvailable = " WHERE status = 'available'";
constexpr std::string_view kAll = " WHERE 1 = 1";
constexpr std::string_view kStatusIs = " AND status = ?";
constexpr std::string_view kCountryIs = " AND country_code = ?";
constexpr std::string_view kAny = "SELECT id FROM phone_numbers LIMIT 1";
constexpr std::string_view kFree =
    "SELECT id, number, provider_slug FROM phone_numbers WHERE status = 'available' AND country_code = ?";
constexpr std::string_view kNotTwilio = " AND provider_slug <> 'twilio'";
constexpr std::string_view kFirstFree = " ORDER BY id LIMIT 1";
constexpr std::string_view kAssign =
    "UPDATE phone_numbers SET status = 'assigned', company_id = ?, agent_id = ?, updated_at = ? "
    "WHERE id = ? AND status = 'available'";
constexpr std::string_view kSetExternalId =
    "UPDATE phone_numbers SET external_number_id = ?, updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kRelease =
    "UPDATE phone_numbers SET status = 'available', company_id = NULL, agent_id = NULL, external_number_id = NULL, "
    "whatsapp_status = 'none', whatsapp_external_id = NULL, updated_at = ? WHERE id = ? AND company_id = ? AND "
    "agent_id = ?";
constexpr std::string_view kStale =
    "SELECT a.company_id, a.id AS agent_id, p.id AS number_id FROM agents a JOIN phone_numbers p ON p.id = "
    "a.phone_number_id "
    "WHERE a.status = 'draft' AND p.agent_id = a.id AND p.updated_at < ?";
constexpr std::string_view kSetWhatsAppPending =
    "UPDATE phone_numbers SET whatsapp_status = 'pending', updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kFinishWhatsApp =
    "UPDATE phone_numbers SET whatsapp_status = ?, whatsapp_external_id = COALESCE(?, whatsapp_external_id), "
    "updated_at = ? WHERE id = ? AND company_id = ? AND agent_id = ? AND whatsapp_status = 'pending'";
constexpr std::string_view kRouteSelect =
    "SELECT id, company_id, agent_id, whatsapp_status, whatsapp_external_id FROM phone_numbers WHERE ";
constexpr std::string_view kByWhatsAppId = "whatsapp_external_id = ?";
constexpr std::string_view kByNumber = "number = ?";
constexpr std::string_view kLock = "SELECT id FROM phone_numbers WHERE id = ?";

domain::PhoneNumber number_of(const Row& r) {
  domain::PhoneNumber n;
  n.id = r.i64("id");
  n.number = r.str("number");
  n.provider_slug = r.str("provider_slug");
  n.country_code = r.str("country_code");
  n.status = r.str("status");
  if (const auto c = r.opt_i64("company_id")) n.company_id = domain::CompanyId(*c);
  n.agent_id = r.opt_i64("agent_id");
  n.external_number_id = r.opt_str("external_number_id");
  n.whatsapp_status = domain::parse_whatsapp_status(r.str("whatsapp_status"));
  n.whatsapp_external_id = r.opt_str("whatsapp_external_id");
  n.created_at = r.str("created_at");
  n.updated_at = r.str("updated_at");
  return n;
}

std::vector<domain::PhoneNumber> numbers_of(const Result& result) {
  std::vector<domain::PhoneNumber> out;
  out.reserve(result.rows.size());
  for (const auto& r : result.rows) out.push_back(number_of(r));
  return out;
}

std::optional<domain::PhoneNumber> first(const Result& result) {
  if (result.rows.empty()) return std::nullopt;
  return number_of(result.rows.front());
}

}  // namespace

std::int64_t insert(Tx& tx, const domain::NewNumber& n, const std::string& now) {
  return tx.insert(kInsert, {n.number, n.provider_slug, n.country_code, now, now});
}

std::optional<domain::PhoneNumber> find_in_pool(Tx& tx, std::int64_t number_id) {
  return first(tx.query(std::string(kSelect) + std::string(kById), {number_id}));
}

std::vector<domain::PhoneNumber> list_pool(Tx& tx, const domain::NumberFilter& f) {
  std::string sql = std::string(kSelect) + std::string(kAll);
  Params params;
  if (f.status) sql += kStatusIs, params.emplace_back(*f.status);
  if (f.country_code) sql += kCountryIs, params.emplace_back(*f.country_code);
  return numbers_of(tx.query(sql + std::string(kIdOrder), params));
}

std::vector<domain::PhoneNumber> list_available(Tx& tx, const std::optional<std::string>& country_code) {
  std::string sql = std::string(kSelect) + std::string(kAvailable);
  Params params;
  if (country_code) sql += kCountryIs, params.emplace_back(*country_code);
  return numbers_of(tx.query(sql + " ORDER BY id LIMIT 100", params));
}

bool any(Tx& tx) { return tx.one(kAny).has_value(); }

std::optional<domain::PhoneNumber> find_owned(Tx& tx, domain::CompanyId company, std::int64_t number_id) {
  return first(tx.query(std::string(kSelect) + std::string(kOwned), {number_id, company.value}));
}

std::optional<domain::PhoneNumber> lock_owned(Tx& tx, domain::CompanyId company, std::int64_t number_id) {
  return first(tx.query(std::string(kSelect) + std::string(kOwned) + std::string(tx.lock_row_clause()),
                        {number_id, company.value}));
}

std::vector<domain::PhoneNumber> list_owned(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible) {
  std::string sql = std::string(kSelect) + std::string(kOwnedByCompany);
  Params params{company.value};
  restrict_to_agents(sql, params, "agent_id", visible);
  return numbers_of(tx.query(sql + std::string(kIdOrder), params));
}

std::optional<Reserved> reserve(Tx& tx, domain::CompanyId company, std::int64_t agent_id,
                                const std::string& country_code, bool twilio, const std::string& now) {
  const auto free = tx.one(std::string(kFree) + std::string(twilio ? "" : kNotTwilio) + std::string(kFirstFree) +
                               std::string(tx.lock_rows_clause()),
                           {country_code});
  if (!free) return std::nullopt;
  if (tx.exec(kAssign, {company.value, agent_id, now, free->i64("id")}) != 1)
    throw DatabaseError("number taken concurrently", true);
  return Reserved{free->i64("id"), free->str("number"), free->str("provider_slug")};
}

bool any_free(Tx& tx, const std::string& country_code) {
  return tx.one(std::string(kFree) + std::string(kFirstFree), {country_code}).has_value();
}

void set_external_id(Tx& tx, domain::CompanyId company, std::int64_t number_id, const std::string& external_id,
                     const std::string& now) {
  tx.exec(kSetExternalId, {external_id, now, number_id, company.value});
}

void release(Tx& tx, domain::CompanyId company, std::int64_t number_id, std::int64_t agent_id, const std::string& now) {
  tx.exec(kRelease, {now, number_id, company.value, agent_id});
}

std::vector<StaleReservation> stale_reservations(Tx& tx, const std::string& cutoff) {
  std::vector<StaleReservation> out;
  for (const auto& r : tx.query(kStale, {cutoff}).rows)
    out.push_back({domain::CompanyId(r.i64("company_id")), r.i64("agent_id"), r.i64("number_id")});
  return out;
}

void set_whatsapp_pending(Tx& tx, domain::CompanyId company, std::int64_t number_id, const std::string& now) {
  tx.exec(kSetWhatsAppPending, {now, number_id, company.value});
}

bool finish_whatsapp(Tx& tx, domain::CompanyId company, std::int64_t number_id, std::int64_t agent_id,
                     domain::WhatsAppStatus status, const std::optional<std::string>& external_id,
                     const std::string& now) {
  return tx.exec(kFinishWhatsApp, {std::string(domain::to_string(status)), opt(external_id), now, number_id,
                                   company.value, agent_id}) == 1;
}

std::optional<domain::WhatsAppRoute> route_whatsapp(Tx& tx, const std::string& external_id, const std::string& e164,
                                                    bool lock) {
  const std::string suffix(lock ? tx.lock_row_clause() : "");
  std::optional<Row> row;
  if (!external_id.empty())
    row = tx.one(std::string(kRouteSelect) + std::string(kByWhatsAppId) + suffix, {external_id});
  if (!row && !e164.empty()) row = tx.one(std::string(kRouteSelect) + std::string(kByNumber) + suffix, {e164});
  if (!row) return std::nullopt;
  domain::WhatsAppRoute route;
  route.phone_number_id = row->i64("id");
  if (const auto c = row->opt_i64("company_id")) route.company_id = domain::CompanyId(*c);
  route.agent_id = row->opt_i64("agent_id");
  route.whatsapp_status = row->str("whatsapp_status");
  route.whatsapp_external_id = row->str("whatsapp_external_id");
  return route;
}

void lock_for_whatsapp(Tx& tx, std::int64_t number_id) {
  tx.one(std::string(kLock) + std::string(tx.lock_row_clause()), {number_id});
}

}  // namespace cxco::store::numbers_repo
