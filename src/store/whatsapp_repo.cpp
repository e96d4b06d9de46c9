#include "store/whatsapp_repo.h"

#include "wire/field_reader.h"

namespace cxco::store::whatsapp_repo {

namespace {

constexpr std::string_view kThreadColumns =
    "SELECT conversation_id, company_id, agent_id, started_ms, last_message_ms FROM whatsapp_threads";
constexpr std::string_view kOpenThread =
    " WHERE phone_number_id = ? AND customer = ? AND company_id = ? AND agent_id = ? AND is_open = 1";
constexpr std::string_view kThreadById = " WHERE conversation_id = ? AND company_id = ?";
constexpr std::string_view kIdleThreads =
    " WHERE is_open = 1 AND last_message_ms <= ? ORDER BY last_message_ms LIMIT ?";
constexpr std::string_view kInsertThread =
    "INSERT INTO whatsapp_threads (conversation_id, company_id, agent_id, phone_number_id, customer, is_open, "
    "started_ms, "
    "last_message_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
constexpr std::string_view kCloseThread =
    "UPDATE whatsapp_threads SET is_open = 0 WHERE conversation_id = ? AND is_open = 1";
constexpr std::string_view kTouchThread = "UPDATE whatsapp_threads SET last_message_ms = ? WHERE conversation_id = ?";
constexpr std::string_view kMessageExists = "SELECT id FROM whatsapp_messages WHERE external_message_id = ?";
constexpr std::string_view kInsertInbound =
    "INSERT INTO whatsapp_messages (company_id, conversation_id, direction, external_message_id, body, status, "
    "created_at) VALUES (?, ?, 'inbound', ?, ?, 'received', ?) RETURNING id";
constexpr std::string_view kInsertOutbound =
    "INSERT INTO whatsapp_messages (company_id, conversation_id, direction, external_message_id, reply_to_id, body, "
    "status, created_at) VALUES (?, ?, 'outbound', ?, ?, ?, 'accepted', ?)";
constexpr std::string_view kOutboundStatus =
    "SELECT id, status, status_at FROM whatsapp_messages WHERE external_message_id = ? AND company_id = ? "
    "AND direction = 'outbound'";
constexpr std::string_view kSetStatus =
    "UPDATE whatsapp_messages SET status = ?, status_at = ?, status_errors = ? WHERE id = ?";
constexpr std::string_view kHistory =
    "SELECT direction, body FROM whatsapp_messages WHERE conversation_id = ? AND company_id = ? "
    "AND (direction = 'outbound' OR id <= ?) ORDER BY COALESCE(reply_to_id, id), id";
constexpr std::string_view kInsertReply =
    "INSERT INTO whatsapp_replies (company_id, conversation_id, message_id, status, attempts, created_at, updated_at) "
    "VALUES (?, ?, ?, 'pending', 0, ?, ?) RETURNING id";
constexpr std::string_view kPendingReply =
    "SELECT r.company_id, r.conversation_id, r.message_id, r.reply, t.agent_id, t.phone_number_id, "
    "t.customer, a.status AS agent_status, a.personality, a.config, n.whatsapp_status, n.whatsapp_external_id, "
    "n.agent_id AS number_agent_id FROM whatsapp_replies r "
    "JOIN whatsapp_threads t ON t.conversation_id = r.conversation_id AND t.company_id = r.company_id "
    "JOIN agents a ON a.id = t.agent_id AND a.company_id = r.company_id "
    // Not scoped to the company: the number may have been released since, which skips the reply.
    "JOIN phone_numbers n ON n.id = t.phone_number_id WHERE r.id = ? AND r.status = 'pending'";
constexpr std::string_view kSaveReplyText = "UPDATE whatsapp_replies SET reply = ?, updated_at = ? WHERE id = ?";
constexpr std::string_view kRecordReply =
    "UPDATE whatsapp_replies SET status = ?, attempts = attempts + ?, last_error = COALESCE(?, last_error), "
    "updated_at = ? WHERE id = ? AND status = 'pending'";
constexpr std::string_view kInsertVerification =
    "INSERT INTO whatsapp_verifications (company_id, phone_number_id, agent_id, status, give_up_at, created_at, "
    "updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?) RETURNING id";
constexpr std::string_view kPendingVerification =
    "SELECT v.id, v.company_id, v.phone_number_id, v.agent_id, v.external_id, v.registered, v.give_up_at, n.number "
    "FROM whatsapp_verifications v JOIN phone_numbers n ON n.id = v.phone_number_id "
    "WHERE v.id = ? AND v.status = 'pending'";
constexpr std::string_view kRecordFound =
    "UPDATE whatsapp_verifications SET external_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'";
constexpr std::string_view kRecordCheck =
    "UPDATE whatsapp_verifications SET external_id = ?, registered = ?, checks = checks + 1, last_error = ?, "
    "updated_at = ? WHERE id = ? AND status = 'pending'";
constexpr std::string_view kFinishVerification =
    "UPDATE whatsapp_verifications SET status = ?, external_id = COALESCE(?, external_id), last_error = ?, "
    "checks = checks + 1, updated_at = ? WHERE id = ?";

domain::WhatsAppThread thread_of(const Row& r) {
  return {r.i64("conversation_id"), domain::CompanyId(r.i64("company_id")), r.i64("agent_id"), r.i64("started_ms"),
          r.i64("last_message_ms")};
}

std::optional<domain::WhatsAppThread> first_thread(const Result& result) {
  if (result.rows.empty()) return std::nullopt;
  return thread_of(result.rows.front());
}

}  // namespace

std::optional<domain::WhatsAppThread> lock_open_thread(Tx& tx, domain::CompanyId company, std::int64_t phone_number_id,
                                                       const std::string& customer, std::int64_t agent_id) {
  return first_thread(
      tx.query(std::string(kThreadColumns) + std::string(kOpenThread) + std::string(tx.lock_row_clause()),
               {phone_number_id, customer, company.value, agent_id}));
}

std::optional<domain::WhatsAppThread> lock_thread(Tx& tx, domain::CompanyId company, std::int64_t conversation_id) {
  return first_thread(
      tx.query(std::string(kThreadColumns) + std::string(kThreadById) + std::string(tx.lock_row_clause()),
               {conversation_id, company.value}));
}

void insert_thread(Tx& tx, const domain::WhatsAppThread& t, std::int64_t phone_number_id, const std::string& customer) {
  tx.exec(kInsertThread, {t.conversation_id, t.company_id.value, t.agent_id, phone_number_id, customer, t.started_ms,
                          t.last_message_ms});
}

bool close_thread(Tx& tx, std::int64_t conversation_id) { return tx.exec(kCloseThread, {conversation_id}) == 1; }

void touch_thread(Tx& tx, std::int64_t conversation_id, std::int64_t last_message_ms) {
  tx.exec(kTouchThread, {last_message_ms, conversation_id});
}

bool any_idle_thread(Tx& tx, std::int64_t cutoff_ms) {
  return tx.one(std::string(kThreadColumns) + std::string(kIdleThreads), {cutoff_ms, std::int64_t{1}}).has_value();
}

std::vector<domain::WhatsAppThread> lock_idle_threads(Tx& tx, std::int64_t cutoff_ms, int limit) {
  std::vector<domain::WhatsAppThread> out;
  for (const auto& r :
       tx.query(std::string(kThreadColumns) + std::string(kIdleThreads) + std::string(tx.lock_rows_clause()),
                {cutoff_ms, std::int64_t{limit}})
           .rows)
    out.push_back(thread_of(r));
  return out;
}

bool message_exists(Tx& tx, const std::string& external_message_id) {
  return tx.one(kMessageExists, {external_message_id}).has_value();
}

std::int64_t insert_inbound(Tx& tx, domain::CompanyId company, std::int64_t conversation_id,
                            const std::string& external_message_id, const std::string& body, const std::string& now) {
  return tx.insert(kInsertInbound, {company.value, conversation_id, external_message_id, body, now});
}

void insert_outbound(Tx& tx, domain::CompanyId company, std::int64_t conversation_id,
                     const std::string& external_message_id, std::int64_t reply_to_id, const std::string& body,
                     const std::string& now) {
  tx.exec(kInsertOutbound, {company.value, conversation_id, external_message_id, reply_to_id, body, now});
}

std::optional<DeliveryStatus> outbound_status(Tx& tx, domain::CompanyId company,
                                              const std::string& external_message_id) {
  const auto r = tx.one(kOutboundStatus, {external_message_id, company.value});
  if (!r) return std::nullopt;
  return DeliveryStatus{r->i64("id"), r->str("status"), r->i64("status_at")};
}

void set_status(Tx& tx, std::int64_t message_id, const std::string& status, std::int64_t at,
                const std::optional<std::string>& errors_json) {
  tx.exec(kSetStatus, {status, at, opt(errors_json), message_id});
}

std::vector<std::pair<std::string, std::string>> history(Tx& tx, domain::CompanyId company,
                                                         std::int64_t conversation_id, std::int64_t message_id) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : tx.query(kHistory, {conversation_id, company.value, message_id}).rows)
    out.emplace_back(r.str("direction"), r.str("body"));
  return out;
}

std::int64_t insert_reply(Tx& tx, domain::CompanyId company, std::int64_t conversation_id, std::int64_t message_id,
                          const std::string& now) {
  return tx.insert(kInsertReply, {company.value, conversation_id, message_id, now, now});
}

std::optional<domain::ReplyJob> find_pending_reply(Tx& tx, std::int64_t reply_id) {
  const auto r = tx.one(kPendingReply, {reply_id});
  if (!r) return std::nullopt;
  domain::ReplyJob job;
  job.id = reply_id;
  job.company_id = domain::CompanyId(r->i64("company_id"));
  job.conversation_id = r->i64("conversation_id");
  job.message_id = r->i64("message_id");
  job.phone_number_id = r->i64("phone_number_id");
  job.reply = r->opt_str("reply");
  job.customer = r->str("customer");
  job.personality = r->str("personality");
  job.external_number_id = r->str("whatsapp_external_id");
  job.temperature = wire::parse_stored_json(r->str("config")).as_object().at("temperature").to_number<double>();
  if (r->str("agent_status") != "active")
    job.skip_reason = "the agent is " + r->str("agent_status");
  else if (r->str("whatsapp_status") != "active" || r->i64("number_agent_id") != r->i64("agent_id"))
    job.skip_reason = "WhatsApp is no longer active on the agent's number";
  return job;
}

void save_reply_text(Tx& tx, std::int64_t reply_id, const std::string& text, const std::string& now) {
  tx.exec(kSaveReplyText, {text, now, reply_id});
}

void record_reply(Tx& tx, std::int64_t reply_id, const std::string& status, std::int64_t attempts_added,
                  const std::optional<std::string>& error, const std::string& now) {
  tx.exec(kRecordReply, {status, attempts_added, opt(error), now, reply_id});
}

std::int64_t insert_verification(Tx& tx, domain::CompanyId company, std::int64_t phone_number_id, std::int64_t agent_id,
                                 std::int64_t give_up_at_ms, const std::string& now) {
  return tx.insert(kInsertVerification, {company.value, phone_number_id, agent_id, give_up_at_ms, now, now});
}

std::optional<domain::PendingVerification> find_pending_verification(Tx& tx, std::int64_t verification_id) {
  const auto r = tx.one(kPendingVerification, {verification_id});
  if (!r) return std::nullopt;
  return domain::PendingVerification{r->i64("id"),
                                     domain::CompanyId(r->i64("company_id")),
                                     r->i64("phone_number_id"),
                                     r->i64("agent_id"),
                                     r->i64("give_up_at"),
                                     r->str("number"),
                                     r->opt_str("external_id"),
                                     r->boolean("registered")};
}

void record_found(Tx& tx, std::int64_t verification_id, const std::string& external_id, const std::string& now) {
  tx.exec(kRecordFound, {external_id, now, verification_id});
}

void record_check(Tx& tx, std::int64_t verification_id, const std::optional<std::string>& external_id, bool registered,
                  const std::string& error, const std::string& now) {
  tx.exec(kRecordCheck, {opt(external_id), registered, error, now, verification_id});
}

void finish_verification(Tx& tx, std::int64_t verification_id, const std::string& status,
                         const std::optional<std::string>& external_id, const std::optional<std::string>& error,
                         const std::string& now) {
  tx.exec(kFinishVerification, {status, opt(external_id), opt(error), now, verification_id});
}

}  // namespace cxco::store::whatsapp_repo
