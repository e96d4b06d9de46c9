#include "store/webhooks_repo.h"

#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::store::webhooks_repo {

namespace {

constexpr std::string_view kSelect =
    "SELECT id, company_id, url, events, status, created_at, updated_at FROM webhooks WHERE company_id = ?";
constexpr std::string_view kById = " AND id = ?";
constexpr std::string_view kActive = " AND status = 'active'";
constexpr std::string_view kOldestFirst = " ORDER BY id";
constexpr std::string_view kInsert =
    "INSERT INTO webhooks (company_id, url, events, status, secret_token, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE webhooks SET url = COALESCE(?, url), events = COALESCE(?, events), status = COALESCE(?, status), "
    "updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kDeleteAttempts =
    "DELETE FROM webhook_attempts WHERE webhook_id = (SELECT id FROM webhooks WHERE id = ? AND company_id = ?)";
constexpr std::string_view kDeleteDeliveries = "DELETE FROM webhook_deliveries WHERE webhook_id = ? AND company_id = ?";
constexpr std::string_view kDelete = "DELETE FROM webhooks WHERE id = ? AND company_id = ?";
constexpr std::string_view kAttempts =
    "SELECT a.id, a.delivery_id, a.event_id, a.event_type, a.attempt, a.status_code, a.error, a.latency_ms, a.outcome, "
    "a.next_retry_at, a.created_at FROM webhook_attempts a JOIN webhooks w ON w.id = a.webhook_id "
    "WHERE w.company_id = ? AND a.webhook_id = ?";
constexpr std::string_view kAttemptBefore = " AND a.id < ?";
constexpr std::string_view kAttemptsNewestFirst = " ORDER BY a.id DESC LIMIT ?";
constexpr std::string_view kInsertDelivery =
    "INSERT INTO webhook_deliveries (webhook_id, company_id, event_id, event_type, payload, status, attempts, "
    "created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id";
constexpr std::string_view kFindDelivery =
    "SELECT d.id, d.company_id, d.webhook_id, d.event_id, d.event_type, d.payload, d.attempts, w.url, "
    "w.status AS webhook_status, w.secret_token FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
    "WHERE d.id = ?";
constexpr std::string_view kUpdateDelivery =
    "UPDATE webhook_deliveries SET attempts = ?, status = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kInsertAttempt =
    "INSERT INTO webhook_attempts (delivery_id, webhook_id, event_id, event_type, attempt, status_code, error, "
    "latency_ms, outcome, next_retry_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kPending = "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'";
constexpr std::string_view kSecretTokens =
    "SELECT id, secret_token FROM webhooks WHERE secret_token IS NOT NULL ORDER BY id";
constexpr std::string_view kReplaceSecretToken = "UPDATE webhooks SET secret_token = ? WHERE id = ?";

std::vector<std::string> events_of(const std::string& text) {
  std::vector<std::string> out;
  const auto document = wire::parse_stored_json(text);
  for (const auto& e : document.as_array()) out.emplace_back(e.as_string());
  return out;
}

domain::Webhook webhook_of(const Row& r) {
  return domain::Webhook{r.i64("id"),        domain::CompanyId(r.i64("company_id")),
                         r.str("url"),       events_of(r.str("events")),
                         r.str("status"),    r.str("created_at"),
                         r.str("updated_at")};
}

std::vector<domain::Webhook> webhooks_of(const Result& result) {
  std::vector<domain::Webhook> out;
  for (const auto& r : result.rows) out.push_back(webhook_of(r));
  return out;
}

}  // namespace

std::vector<domain::Webhook> list(Tx& tx, domain::CompanyId company) {
  return webhooks_of(tx.query(std::string(kSelect) + std::string(kOldestFirst), {company.value}));
}

std::optional<domain::Webhook> find(Tx& tx, domain::CompanyId company, std::int64_t webhook_id) {
  const auto r = tx.one(std::string(kSelect) + std::string(kById), {company.value, webhook_id});
  if (!r) return std::nullopt;
  return webhook_of(*r);
}

std::int64_t insert(Tx& tx, domain::CompanyId company, const std::string& url, const std::vector<std::string>& events,
                    const std::string& status, const std::string& secret_token, const std::string& now) {
  return tx.insert(kInsert, {company.value, url, wire::to_json(events), status, secret_token, now, now});
}

void update(Tx& tx, domain::CompanyId company, std::int64_t webhook_id, const domain::WebhookFields& f,
            const std::string& now) {
  tx.exec(kUpdate, {opt(f.url), f.events ? Param(wire::to_json(*f.events)) : Param(nullptr), opt(f.status), now,
                    webhook_id, company.value});
}

void remove(Tx& tx, domain::CompanyId company, std::int64_t webhook_id) {
  tx.exec(kDeleteAttempts, {webhook_id, company.value});
  tx.exec(kDeleteDeliveries, {webhook_id, company.value});
  tx.exec(kDelete, {webhook_id, company.value});
}

std::vector<domain::Webhook> subscribers(Tx& tx, domain::CompanyId company) {
  return webhooks_of(tx.query(std::string(kSelect) + std::string(kActive), {company.value}));
}

std::vector<domain::DeliveryAttempt> attempts(Tx& tx, domain::CompanyId company, std::int64_t webhook_id,
                                              const domain::PageRequest& page) {
  std::string sql(kAttempts);
  Params params{company.value, webhook_id};
  if (page.before_id) sql += kAttemptBefore, params.emplace_back(*page.before_id);
  sql += kAttemptsNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::DeliveryAttempt> out;
  for (const auto& r : tx.query(sql, params).rows)
    out.push_back(domain::DeliveryAttempt{r.i64("id"), r.i64("delivery_id"), r.str("event_id"), r.str("event_type"),
                                          r.i64("attempt"), r.str("outcome"), r.opt_i64("status_code"),
                                          r.opt_str("error"), r.f64("latency_ms"), r.opt_str("next_retry_at"),
                                          r.str("created_at")});
  return out;
}

std::optional<std::int64_t> insert_delivery(Tx& tx, domain::CompanyId company, std::int64_t webhook_id,
                                            const std::string& event_id, const std::string& event_type,
                                            const std::string& payload, const std::string& now) {
  const auto r = tx.one(kInsertDelivery, {webhook_id, company.value, event_id, event_type, payload, now});
  return r ? r->opt_i64("id") : std::nullopt;
}

std::optional<Delivery> find_delivery(Tx& tx, std::int64_t delivery_id) {
  const auto r = tx.one(kFindDelivery, {delivery_id});
  if (!r) return std::nullopt;
  return Delivery{r->i64("id"),
                  domain::CompanyId(r->i64("company_id")),
                  r->i64("webhook_id"),
                  r->str("event_id"),
                  r->str("event_type"),
                  r->str("payload"),
                  r->i64("attempts"),
                  r->str("url"),
                  r->str("webhook_status"),
                  r->opt_str("secret_token")};
}

void record_attempt(Tx& tx, const Delivery& d, const domain::DeliveryAttempt& a, const std::string& delivery_status) {
  tx.exec(kUpdateDelivery, {a.attempt, delivery_status, d.id, d.company_id.value});
  tx.exec(kInsertAttempt, {d.id, d.webhook_id, d.event_id, d.event_type, a.attempt, opt(a.status_code), opt(a.error),
                           a.latency_ms, a.outcome, opt(a.next_retry_at), a.created_at});
}

std::int64_t pending_deliveries(Tx& tx) { return tx.one(kPending)->i64("n"); }

std::vector<domain::EncryptedSecret> secret_tokens(Tx& tx) {
  std::vector<domain::EncryptedSecret> out;
  for (const auto& r : tx.query(kSecretTokens).rows) out.push_back({r.i64("id"), r.str("secret_token")});
  return out;
}

void replace_secret_token(Tx& tx, std::int64_t webhook_id, const std::string& token) {
  tx.exec(kReplaceSecretToken, {token, webhook_id});
}

}  // namespace cxco::store::webhooks_repo
