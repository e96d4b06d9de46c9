#include "store/conversations_repo.h"

#include "store/agent_filter.h"

#include "util/json.h"
#include "util/time.h"
#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::store::conversations_repo {

namespace json = boost::json;

namespace {

constexpr std::string_view kSummaryColumns =
    "SELECT id, agent_id, company_id, channel, caller_number, direction, started_at, ended_at, duration_seconds, "
    "message_count, status, call_successful, sip_refer_destination, transcript_summary, source, "
    "external_conversation_id, created_at";
constexpr std::string_view kDetailColumns = ", transcript, metadata";
constexpr std::string_view kFrom = " FROM conversations";
constexpr std::string_view kOwned = " WHERE company_id = ? AND id = ?";
constexpr std::string_view kOfCompany = " WHERE company_id = ?";
constexpr std::string_view kAgentIs = " AND agent_id = ?";
constexpr std::string_view kChannelIs = " AND channel = ?";
constexpr std::string_view kBefore = " AND id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY id DESC LIMIT ?";
constexpr std::string_view kInsertCall =
    "INSERT INTO conversations (company_id, agent_id, channel, caller_number, direction, started_at, ended_at, "
    "duration_seconds, message_count, status, call_successful, sip_refer_destination, sip_refer_seconds, "
    "transcript_summary, source, external_conversation_id, transcript, metadata, created_at) "
    "VALUES (?, ?, 'voice', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (source, external_conversation_id) DO NOTHING RETURNING id";
constexpr std::string_view kByExternalId =
    "SELECT id FROM conversations WHERE source = ? AND external_conversation_id = ?";
constexpr std::string_view kInsertChat =
    "INSERT INTO conversations (company_id, agent_id, channel, caller_number, direction, started_at, message_count, "
    "status, source, transcript, metadata, created_at) "
    "VALUES (?, ?, 'whatsapp', ?, 'inbound', ?, 0, 'in_progress', 'whatsapp', '[]', ?, ?) RETURNING id";
constexpr std::string_view kTranscript = "SELECT transcript FROM conversations WHERE id = ? AND company_id = ?";
constexpr std::string_view kSetTranscript =
    "UPDATE conversations SET transcript = ?, message_count = message_count + 1 WHERE id = ? AND company_id = ?";
constexpr std::string_view kCompleteChat =
    "UPDATE conversations SET status = 'completed', ended_at = ?, duration_seconds = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kMetadata = "SELECT metadata FROM conversations WHERE id = ? AND company_id = ?";
constexpr std::string_view kSetMetadata = "UPDATE conversations SET metadata = ? WHERE id = ? AND company_id = ?";

void fill_summary(domain::ConversationSummary& c, const Row& r) {
  c.id = r.i64("id");
  c.agent_id = r.i64("agent_id");
  c.company_id = domain::CompanyId(r.i64("company_id"));
  c.channel = r.str("channel");
  c.caller_number = r.opt_str("caller_number");
  c.direction = r.str("direction");
  c.started_at = r.str("started_at");
  c.ended_at = r.opt_str("ended_at");
  c.duration_seconds = r.opt_i64("duration_seconds");
  c.message_count = r.opt_i64("message_count");
  c.status = r.str("status");
  c.call_successful = r.opt_bool("call_successful");
  c.sip_refer_destination = r.opt_str("sip_refer_destination");
  c.transcript_summary = r.opt_str("transcript_summary");
  c.source = r.str("source");
  c.external_conversation_id = r.opt_str("external_conversation_id");
  c.created_at = r.str("created_at");
}

// The transcript column: a JSON array of {role, message, timestamp}.
std::vector<domain::TranscriptTurn> transcript_of(const std::string& text) {
  std::vector<domain::TranscriptTurn> turns;
  const auto document = wire::parse_stored_json(text);
  for (const auto& item : document.as_array()) {
    const auto& o = item.as_object();
    domain::TranscriptTurn t;
    t.role = std::string(o.at("role").as_string());
    if (const auto* m = o.if_contains("message"); m && m->is_string()) t.message = std::string(m->as_string());
    t.timestamp = o.at("timestamp").to_number<double>();
    turns.push_back(std::move(t));
  }
  return turns;
}

}  // namespace

std::optional<std::int64_t> insert_call(Tx& tx, domain::CompanyId company, std::int64_t agent_id,
                                        const domain::CallRecord& c, const std::string& source,
                                        const std::string& now) {
  const auto row =
      tx.one(kInsertCall, {company.value, agent_id, opt(c.caller_number), c.direction, util::iso8601(c.started_unix),
                           c.finished() ? Param(util::iso8601(c.started_unix + c.duration_seconds)) : Param(nullptr),
                           c.duration_seconds, static_cast<std::int64_t>(c.transcript.size()), c.status,
                           opt(c.successful), opt(c.sip_refer_destination), c.sip_refer_seconds, opt(c.summary), source,
                           c.external_id, wire::to_json(c.transcript), c.metadata_json, now});
  if (!row) return std::nullopt;
  return row->i64("id");
}

std::optional<std::int64_t> find_by_external_id(Tx& tx, const std::string& source, const std::string& external_id) {
  const auto r = tx.one(kByExternalId, {source, external_id});
  return r ? r->opt_i64("id") : std::nullopt;
}

std::optional<domain::ConversationSummary> find_summary(Tx& tx, domain::CompanyId company, std::int64_t id) {
  const auto r = tx.one(std::string(kSummaryColumns) + std::string(kFrom) + std::string(kOwned), {company.value, id});
  if (!r) return std::nullopt;
  domain::ConversationSummary c;
  fill_summary(c, *r);
  return c;
}

std::optional<domain::ConversationDetail> find_detail(Tx& tx, domain::CompanyId company, std::int64_t id) {
  const auto r =
      tx.one(std::string(kSummaryColumns) + std::string(kDetailColumns) + std::string(kFrom) + std::string(kOwned),
             {company.value, id});
  if (!r) return std::nullopt;
  domain::ConversationDetail c;
  fill_summary(c, *r);
  c.transcript = transcript_of(r->str("transcript"));
  c.metadata_json = r->str("metadata");
  return c;
}

std::vector<domain::ConversationSummary> list(Tx& tx, domain::CompanyId company, const domain::ConversationFilter& f,
                                              const domain::PageRequest& page) {
  std::string sql = std::string(kSummaryColumns) + std::string(kFrom) + std::string(kOfCompany);
  Params params{company.value};
  restrict_to_agents(sql, params, "agent_id", f.visible);
  if (f.agent_id) sql += kAgentIs, params.emplace_back(*f.agent_id);
  if (f.channel) sql += kChannelIs, params.emplace_back(*f.channel);
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::ConversationSummary> out;
  const auto rows = tx.query(sql, params);
  out.resize(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) fill_summary(out[i], rows.rows[i]);
  return out;
}

std::int64_t insert_chat(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& customer_e164,
                         const std::string& started_at, const std::string& metadata_json, const std::string& now) {
  return tx.insert(kInsertChat, {company.value, agent_id, customer_e164, started_at, metadata_json, now});
}

void append_turn(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::TranscriptTurn& turn) {
  auto transcript = transcript_of(tx.one(kTranscript, {id, company.value})->str("transcript"));
  transcript.push_back(turn);
  tx.exec(kSetTranscript, {wire::to_json(transcript), id, company.value});
}

void complete_chat(Tx& tx, domain::CompanyId company, std::int64_t id, const std::string& ended_at,
                   std::int64_t duration_seconds) {
  tx.exec(kCompleteChat, {ended_at, duration_seconds, id, company.value});
}

void record_reply_failure(Tx& tx, domain::CompanyId company, std::int64_t id, const std::string& stage,
                          const std::string& error, const std::string& at, bool retrying) {
  auto metadata = wire::parse_stored_json(tx.one(kMetadata, {id, company.value})->str("metadata")).as_object();
  const auto* failures = metadata.if_contains("reply_failures");
  metadata["reply_failures"] = (failures && failures->is_int64() ? failures->get_int64() : 0) + 1;
  metadata["last_reply_error"] = {{"stage", stage}, {"error", error}, {"at", at}, {"retrying", retrying}};
  tx.exec(kSetMetadata, {util::to_json(metadata), id, company.value});
}

}  // namespace cxco::store::conversations_repo
