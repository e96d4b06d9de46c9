#include "store/campaigns_repo.h"

#include "store/agent_filter.h"
#include "util/json_writer.h"
#include "util/time.h"
#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::store::campaigns_repo {

namespace {

constexpr std::string_view kColumns =
    "SELECT id, company_id, agent_id, name, status, timezone, start_at, start_at_ms, calling_windows, "
    "max_concurrency, retry_max_attempts, retry_backoff_seconds, retry_on, created_at, updated_at, completed_at "
    "FROM campaigns";
constexpr std::string_view kOwned = " WHERE company_id = ? AND id = ?";
constexpr std::string_view kById = " WHERE id = ?";
constexpr std::string_view kOfCompany = " WHERE company_id = ?";
constexpr std::string_view kBefore = " AND id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY id DESC LIMIT ?";
constexpr std::string_view kUnfinishedOfAgent =
    " WHERE company_id = ? AND agent_id = ? AND status NOT IN ('completed', 'canceled') ORDER BY id";
constexpr std::string_view kInsert =
    "INSERT INTO campaigns (company_id, agent_id, name, status, timezone, start_at, start_at_ms, calling_windows, "
    "max_concurrency, retry_max_attempts, retry_backoff_seconds, retry_on, created_at, updated_at) "
    "VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kChangeStatus =
    "UPDATE campaigns SET status = ?, updated_at = ?, completed_at = ? WHERE company_id = ? AND id = ? AND status = ?";
constexpr std::string_view kProgress =
    "SELECT (SELECT 1 FROM campaign_recipients WHERE campaign_id = ? LIMIT 1) AS any_recipient, "
    "(SELECT 1 FROM campaign_recipients WHERE campaign_id = ? AND status IN ('pending', 'in_progress') LIMIT 1) "
    "AS unfinished";
constexpr std::string_view kStatus = "SELECT status FROM campaigns WHERE id = ?";
constexpr std::string_view kCounts =
    "SELECT status, count(*) AS n FROM campaign_recipients WHERE campaign_id = ? GROUP BY status";

constexpr std::string_view kRecipientColumns =
    "SELECT id, campaign_id, phone_number, timezone, external_id, dynamic_variables, status, attempts, last_outcome, "
    "next_attempt_at_ms FROM campaign_recipients";
constexpr std::string_view kOfCampaign = " WHERE campaign_id = ?";
constexpr std::string_view kRecipientStatusIs = " AND status = ?";
constexpr std::string_view kDue =
    " WHERE campaign_id = ? AND status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT ?";
constexpr std::string_view kNextDue =
    "SELECT MIN(next_attempt_at_ms) AS due FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending'";
constexpr std::string_view kPhoneNumbers = "SELECT phone_number FROM campaign_recipients WHERE campaign_id = ?";
constexpr std::string_view kInsertRecipients =
    "INSERT INTO campaign_recipients (campaign_id, phone_number, timezone, external_id, dynamic_variables, status, "
    "attempts, next_attempt_at_ms) VALUES ";
constexpr std::string_view kRecipientRow = "(?, ?, ?, ?, ?, 'pending', 0, ?)";
constexpr std::string_view kClaim =
    "UPDATE campaign_recipients SET status = 'in_progress', attempts = attempts + 1 WHERE id = ? AND status = "
    "'pending'";
constexpr std::string_view kReschedule = "UPDATE campaign_recipients SET next_attempt_at_ms = ? WHERE id = ?";
constexpr std::string_view kRecordOutcome =
    "UPDATE campaign_recipients SET status = CASE WHEN status = 'canceled' THEN status ELSE ? END, last_outcome = ?, "
    "next_attempt_at_ms = COALESCE(?, next_attempt_at_ms) WHERE id = ?";
constexpr std::string_view kSkip =
    "UPDATE campaign_recipients SET status = 'skipped', last_outcome = ? WHERE id = ? AND status = 'pending'";
constexpr std::string_view kCancelUnfinished =
    "UPDATE campaign_recipients SET status = 'canceled' WHERE campaign_id = ? AND status IN ('pending', "
    "'in_progress')";

// Rows a multi-row INSERT carries: few round trips for 100,000 recipients, and few enough
// parameters (6 a row) for SQLite and libpq.
constexpr std::size_t kRowsPerInsert = 500;

std::vector<domain::CallingWindow> windows_of(const std::string& text) {
  std::vector<domain::CallingWindow> out;
  const auto document = wire::parse_stored_json(text);
  for (const auto& item : document.as_array()) {
    const auto& o = item.as_object();
    domain::CallingWindow w;
    for (const auto& day : o.at("days").as_array()) w.days |= 1u << *domain::weekday_of(day.as_string());
    w.start_minute = *domain::parse_clock(o.at("start").as_string());
    w.end_minute = *domain::parse_clock(o.at("end").as_string());
    out.push_back(w);
  }
  return out;
}

std::string outcomes_text(const std::vector<domain::CallStatus>& outcomes) {
  util::JsonWriter w;
  w.begin_array();
  for (const auto s : outcomes) w.value(domain::to_string(s));
  return w.end_array().take();
}

std::vector<domain::CallStatus> outcomes_of(const std::string& text) {
  std::vector<domain::CallStatus> out;
  const auto document = wire::parse_stored_json(text);
  for (const auto& item : document.as_array()) out.push_back(*domain::parse_call_status(item.as_string()));
  return out;
}

domain::Campaign campaign_of(const Row& r) {
  domain::Campaign c;
  c.id = r.i64("id");
  c.company_id = domain::CompanyId(r.i64("company_id"));
  c.agent_id = r.i64("agent_id");
  c.name = r.str("name");
  c.status = domain::parse_campaign_status(r.str("status")).value_or(domain::CampaignStatus::canceled);
  c.timezone = r.str("timezone");
  c.start_at = r.str("start_at");
  c.start_at_ms = r.i64("start_at_ms");
  c.calling_windows = windows_of(r.str("calling_windows"));
  c.max_concurrency = r.i64("max_concurrency");
  c.retry = {r.i64("retry_max_attempts"), r.i64("retry_backoff_seconds"), outcomes_of(r.str("retry_on"))};
  c.created_at = r.str("created_at");
  c.updated_at = r.str("updated_at");
  c.completed_at = r.opt_str("completed_at");
  return c;
}

domain::Recipient recipient_of(const Row& r) {
  domain::Recipient x;
  x.id = r.i64("id");
  x.campaign_id = r.i64("campaign_id");
  x.phone_number = r.str("phone_number");
  x.timezone = r.str("timezone");
  x.external_id = r.opt_str("external_id");
  x.dynamic_variables_json = r.str("dynamic_variables");
  x.status = domain::parse_recipient_status(r.str("status")).value_or(domain::RecipientStatus::canceled);
  x.attempts = r.i64("attempts");
  x.last_outcome = r.opt_str("last_outcome");
  if (x.status == domain::RecipientStatus::pending) x.next_attempt_ms = r.opt_i64("next_attempt_at_ms");
  return x;
}

std::optional<domain::Campaign> first(Tx& tx, std::string_view where, const Params& params, bool with_counts) {
  const auto r = tx.one(std::string(kColumns) + std::string(where), params);
  if (!r) return std::nullopt;
  auto c = campaign_of(*r);
  if (with_counts) c.counts = counts(tx, c.id);
  return c;
}

}  // namespace

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::NewCampaign& c, std::int64_t start_at_ms,
                    const std::string& now) {
  return tx.insert(kInsert, {company.value, c.agent_id, c.name, c.timezone, util::iso8601(start_at_ms / 1000),
                             start_at_ms, wire::to_json(c.calling_windows), c.max_concurrency, c.retry.max_attempts,
                             c.retry.backoff_seconds, outcomes_text(c.retry.on), now, now});
}

std::optional<domain::Campaign> find(Tx& tx, domain::CompanyId company, std::int64_t campaign_id) {
  return first(tx, kOwned, {company.value, campaign_id}, true);
}

std::vector<domain::Campaign> list(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                                   const domain::PageRequest& page) {
  std::string sql = std::string(kColumns) + std::string(kOfCompany);
  Params params{company.value};
  restrict_to_agents(sql, params, "agent_id", visible);
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::Campaign> out;
  for (const auto& r : tx.query(sql, params).rows) {
    out.push_back(campaign_of(r));
    out.back().counts = counts(tx, out.back().id);
  }
  return out;
}

std::optional<domain::Campaign> lock(Tx& tx, std::int64_t campaign_id) {
  return first(tx, std::string(kById) + std::string(tx.lock_row_clause()), {campaign_id}, false);
}

std::optional<domain::Campaign> lock_owned(Tx& tx, domain::CompanyId company, std::int64_t campaign_id) {
  return first(tx, std::string(kOwned) + std::string(tx.lock_row_clause()), {company.value, campaign_id}, true);
}

bool change_status(Tx& tx, domain::CompanyId company, std::int64_t campaign_id, domain::CampaignStatus from,
                   domain::CampaignStatus to, const std::string& now) {
  const Param completed_at = domain::has_ended(to) ? Param(now) : Param(nullptr);
  return tx.exec(kChangeStatus, {std::string(domain::to_string(to)), now, completed_at, company.value, campaign_id,
                                 std::string(domain::to_string(from))}) == 1;
}

std::vector<domain::Campaign> unfinished_of_agent(Tx& tx, domain::CompanyId company, std::int64_t agent_id) {
  std::vector<domain::Campaign> out;
  for (const auto& r :
       tx.query(std::string(kColumns) + std::string(kUnfinishedOfAgent), {company.value, agent_id}).rows)
    out.push_back(campaign_of(r));
  return out;
}

domain::RecipientCounts counts(Tx& tx, std::int64_t campaign_id) {
  domain::RecipientCounts counts;
  for (const auto& r : tx.query(kCounts, {campaign_id}).rows)
    if (const auto status = domain::parse_recipient_status(r.str("status"))) counts.add(*status, r.i64("n"));
  return counts;
}

Progress progress(Tx& tx, std::int64_t campaign_id) {
  const auto r = tx.one(kProgress, {campaign_id, campaign_id});
  return {!r->is_null("any_recipient"), !r->is_null("unfinished")};
}

std::optional<domain::CampaignStatus> status_of(Tx& tx, std::int64_t campaign_id) {
  const auto r = tx.one(kStatus, {campaign_id});
  return r ? domain::parse_campaign_status(r->str("status")) : std::nullopt;
}

std::unordered_set<std::string> phone_numbers(Tx& tx, std::int64_t campaign_id) {
  std::unordered_set<std::string> out;
  for (const auto& r : tx.query(kPhoneNumbers, {campaign_id}).rows) out.insert(r.str("phone_number"));
  return out;
}

void insert_recipients(Tx& tx, std::int64_t campaign_id, const std::vector<domain::NewRecipient>& recipients,
                       const std::string& default_timezone, std::int64_t due_ms) {
  auto add_rows = [&](std::size_t from, std::size_t n) {
    std::string sql(kInsertRecipients);
    Params params;
    params.reserve(n * 6);
    for (std::size_t i = from; i < from + n; ++i) {
      const auto& r = recipients[i];
      if (i > from) sql += ", ";
      sql += kRecipientRow;
      params.insert(params.end(), {campaign_id, r.phone_number, r.timezone.value_or(default_timezone),
                                   opt(r.external_id), r.dynamic_variables_json, due_ms});
    }
    tx.exec(sql, params);
  };
  // Full statements, then the rest one row at a time: two statement shapes in all, so the
  // per-connection statement cache stays small whatever the sizes requests come in.
  std::size_t i = 0;
  for (; i + kRowsPerInsert <= recipients.size(); i += kRowsPerInsert) add_rows(i, kRowsPerInsert);
  for (; i < recipients.size(); ++i) add_rows(i, 1);
}

std::vector<domain::Recipient> list_recipients(Tx& tx, std::int64_t campaign_id,
                                               std::optional<domain::RecipientStatus> status,
                                               const domain::PageRequest& page) {
  std::string sql = std::string(kRecipientColumns) + std::string(kOfCampaign);
  Params params{campaign_id};
  if (status) sql += kRecipientStatusIs, params.emplace_back(std::string(domain::to_string(*status)));
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::Recipient> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(recipient_of(r));
  return out;
}

std::optional<domain::Recipient> find_recipient(Tx& tx, std::int64_t recipient_id) {
  const auto r = tx.one(std::string(kRecipientColumns) + std::string(kById), {recipient_id});
  if (!r) return std::nullopt;
  return recipient_of(*r);
}

std::vector<domain::Recipient> due_recipients(Tx& tx, std::int64_t campaign_id, std::int64_t now_ms, int limit) {
  std::vector<domain::Recipient> out;
  for (const auto& r :
       tx.query(std::string(kRecipientColumns) + std::string(kDue), {campaign_id, now_ms, std::int64_t{limit}}).rows)
    out.push_back(recipient_of(r));
  return out;
}

std::optional<std::int64_t> next_due_ms(Tx& tx, std::int64_t campaign_id) {
  return tx.one(kNextDue, {campaign_id})->opt_i64("due");
}

bool claim_recipient(Tx& tx, std::int64_t recipient_id) { return tx.exec(kClaim, {recipient_id}) == 1; }

void reschedule(Tx& tx, std::int64_t recipient_id, std::int64_t next_attempt_ms) {
  tx.exec(kReschedule, {next_attempt_ms, recipient_id});
}

void record_outcome(Tx& tx, std::int64_t recipient_id, domain::RecipientStatus status, const std::string& outcome,
                    std::optional<std::int64_t> next_attempt_ms) {
  tx.exec(kRecordOutcome, {std::string(domain::to_string(status)), outcome, opt(next_attempt_ms), recipient_id});
}

void skip(Tx& tx, std::int64_t recipient_id, const std::string& reason) { tx.exec(kSkip, {reason, recipient_id}); }

void cancel_unfinished(Tx& tx, std::int64_t campaign_id) { tx.exec(kCancelUnfinished, {campaign_id}); }

}  // namespace cxco::store::campaigns_repo
