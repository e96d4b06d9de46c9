#include "store/calls_repo.h"

#include "store/agent_filter.h"

namespace cxco::store::calls_repo {

namespace {

constexpr std::string_view kColumns =
    "SELECT c.id, c.company_id, c.agent_id, c.campaign_id, c.recipient_id, c.from_number, c.to_number, c.status, "
    "c.end_reason, c.attempt, c.dial_token, c.dial_started_ms, c.external_conversation_id, c.conversation_id, "
    "c.dynamic_variables, c.first_message, c.metadata, c.created_at, c.updated_at, c.started_at, c.ended_at";
constexpr std::string_view kFrom = " FROM calls c";
constexpr std::string_view kOwned = " WHERE c.company_id = ? AND c.id = ?";
constexpr std::string_view kOfCompany = " WHERE c.company_id = ?";
constexpr std::string_view kStatusIs = " AND c.status = ?";
// `initiated` as customers see it includes the internal `dialing`.
constexpr std::string_view kInitiatedIs = " AND c.status IN ('initiated', 'dialing')";
constexpr std::string_view kAgentIs = " AND c.agent_id = ?";
constexpr std::string_view kCampaignIs = " AND c.campaign_id = ?";
constexpr std::string_view kBefore = " AND c.id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY c.id DESC LIMIT ?";
constexpr std::string_view kInsert =
    "INSERT INTO calls (company_id, agent_id, campaign_id, recipient_id, from_number, to_number, status, attempt, "
    "dial_token, dynamic_variables, first_message, metadata, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kChangeStatus =
    "UPDATE calls SET status = ?, end_reason = COALESCE(?, end_reason), "
    "external_conversation_id = COALESCE(?, external_conversation_id), started_at = COALESCE(?, started_at), "
    "ended_at = COALESCE(?, ended_at), dial_started_ms = COALESCE(?, dial_started_ms), "
    "conversation_id = COALESCE(?, conversation_id), updated_at = ? WHERE id = ? AND company_id = ? AND status = ?";
constexpr std::string_view kDialJob =
    ", a.external_agent_id AS agent_external_id, a.status AS agent_status, p.external_number_id AS number_external_id, "
    "p.provider_slug AS telephony "
    "FROM calls c JOIN agents a ON a.id = c.agent_id LEFT JOIN phone_numbers p ON p.id = a.phone_number_id "
    "WHERE c.id = ?";
constexpr std::string_view kLockCall = " FOR UPDATE OF c";
constexpr std::string_view kByConversation = " WHERE c.external_conversation_id = ? OR c.dial_token = ?";
constexpr std::string_view kCountActive =
    "SELECT count(*) AS n FROM calls WHERE campaign_id = ? AND status IN ('queued', 'dialing', 'initiated', "
    "'in_progress')";
constexpr std::string_view kCountUnfinished =
    "SELECT count(*) AS n FROM calls WHERE company_id = ? AND status IN ('queued', 'dialing', 'initiated', "
    "'in_progress')";
// Every call created since, but for those that ended without being dialed (canceled while queued).
constexpr std::string_view kCountCreatedSince =
    "SELECT count(*) AS n FROM calls WHERE company_id = ? AND created_at >= ? "
    "AND (dial_started_ms IS NOT NULL OR status = 'queued')";
constexpr std::string_view kIdsByRecipient = "SELECT id, recipient_id FROM calls WHERE recipient_id IN (";
constexpr std::string_view kIdsByRecipientOrder = ") ORDER BY id";
constexpr std::string_view kCampaignUsage =
    "SELECT count(c.external_conversation_id) AS calls, count(v.id) AS conversations, "
    "COALESCE(SUM(v.duration_seconds), 0) AS duration_seconds FROM calls c "
    "LEFT JOIN conversations v ON v.id = c.conversation_id WHERE c.company_id = ? AND c.campaign_id = ?";

domain::Call call_of(const Row& r) {
  domain::Call c;
  c.id = r.i64("id");
  c.company_id = domain::CompanyId(r.i64("company_id"));
  c.agent_id = r.i64("agent_id");
  c.campaign_id = r.opt_i64("campaign_id");
  c.recipient_id = r.opt_i64("recipient_id");
  c.from_number = r.opt_str("from_number");
  c.to_number = r.str("to_number");
  c.status = domain::parse_call_status(r.str("status")).value_or(domain::CallStatus::failed);
  c.end_reason = r.opt_str("end_reason");
  c.attempt = r.i64("attempt");
  c.dial_token = r.str("dial_token");
  c.dial_started_ms = r.opt_i64("dial_started_ms");
  c.external_conversation_id = r.opt_str("external_conversation_id");
  c.conversation_id = r.opt_i64("conversation_id");
  c.dynamic_variables_json = r.str("dynamic_variables");
  c.first_message = r.opt_str("first_message");
  c.metadata_json = r.opt_str("metadata");
  c.created_at = r.str("created_at");
  c.updated_at = r.str("updated_at");
  c.started_at = r.opt_str("started_at");
  c.ended_at = r.opt_str("ended_at");
  return c;
}

std::string select(std::string_view where) { return std::string(kColumns) + std::string(kFrom) + std::string(where); }

}  // namespace

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::Call& c, const std::string& now) {
  return tx.insert(kInsert, {company.value, c.agent_id, opt(c.campaign_id), opt(c.recipient_id), opt(c.from_number),
                             c.to_number, std::string(domain::to_string(c.status)), c.attempt, c.dial_token,
                             c.dynamic_variables_json, opt(c.first_message), opt(c.metadata_json), now, now});
}

std::optional<domain::Call> find(Tx& tx, domain::CompanyId company, std::int64_t call_id) {
  const auto r = tx.one(select(kOwned), {company.value, call_id});
  if (!r) return std::nullopt;
  return call_of(*r);
}

std::vector<domain::Call> list(Tx& tx, domain::CompanyId company, const domain::CallFilter& f,
                               const domain::PageRequest& page) {
  std::string sql = select(kOfCompany);
  Params params{company.value};
  restrict_to_agents(sql, params, "c.agent_id", f.visible);
  if (f.status) {
    if (*f.status == domain::CallStatus::initiated)
      sql += kInitiatedIs;
    else
      sql += kStatusIs, params.emplace_back(std::string(domain::to_string(*f.status)));
  }
  if (f.agent_id) sql += kAgentIs, params.emplace_back(*f.agent_id);
  if (f.campaign_id) sql += kCampaignIs, params.emplace_back(*f.campaign_id);
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::Call> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(call_of(r));
  return out;
}

bool change_status(Tx& tx, domain::CompanyId company, std::int64_t call_id, domain::CallStatus from,
                   const StatusChange& c, const std::string& now) {
  return tx.exec(kChangeStatus,
                 {std::string(domain::to_string(c.to)), opt(c.end_reason), opt(c.external_conversation_id),
                  opt(c.started_at), opt(c.ended_at), opt(c.dial_started_ms), opt(c.conversation_id), now, call_id,
                  company.value, std::string(domain::to_string(from))}) == 1;
}

std::optional<domain::DialJob> lock_for_dial(Tx& tx, std::int64_t call_id) {
  // FOR UPDATE OF: the agent and number rows are read, not locked.
  const auto r = tx.one(std::string(kColumns) + std::string(kDialJob) +
                            std::string(tx.dialect() == Dialect::postgres ? kLockCall : std::string_view()),
                        {call_id});
  if (!r) return std::nullopt;
  return domain::DialJob{call_of(*r), r->str("agent_external_id"), r->opt_str("number_external_id"),
                         r->str("telephony"), r->str("agent_status")};
}

std::optional<domain::Call> lock_by_conversation(Tx& tx, const std::string& external_conversation_id,
                                                 const std::optional<std::string>& dial_token) {
  const auto r = tx.one(select(kByConversation) + std::string(tx.lock_row_clause()),
                        {external_conversation_id, dial_token.value_or(std::string())});
  if (!r) return std::nullopt;
  return call_of(*r);
}

std::int64_t count_active_in_campaign(Tx& tx, std::int64_t campaign_id) {
  return tx.one(kCountActive, {campaign_id})->i64("n");
}

std::int64_t count_unfinished(Tx& tx, domain::CompanyId company) {
  return tx.one(kCountUnfinished, {company.value})->i64("n");
}

std::int64_t count_created_since(Tx& tx, domain::CompanyId company, const std::string& since) {
  return tx.one(kCountCreatedSince, {company.value, since})->i64("n");
}

std::map<std::int64_t, std::vector<std::int64_t>> ids_by_recipient(Tx& tx,
                                                                   const std::vector<std::int64_t>& recipient_ids) {
  std::map<std::int64_t, std::vector<std::int64_t>> out;
  if (recipient_ids.empty()) return out;
  // One statement per page of recipients (at most 100 placeholders).
  std::string sql(kIdsByRecipient);
  Params params;
  for (const auto id : recipient_ids) {
    sql += params.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  for (const auto& r : tx.query(sql + std::string(kIdsByRecipientOrder), params).rows)
    out[r.i64("recipient_id")].push_back(r.i64("id"));
  return out;
}

domain::CampaignUsage campaign_usage(Tx& tx, domain::CompanyId company, std::int64_t campaign_id) {
  const auto r = tx.one(kCampaignUsage, {company.value, campaign_id});
  return {r->i64("calls"), r->i64("conversations"), r->i64("duration_seconds")};
}

}  // namespace cxco::store::calls_repo
