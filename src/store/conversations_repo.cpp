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
constexpr std::string_view kDetailColumns = ", transcript, metadata, analysis";
constexpr std::string_view kFrom = " FROM conversations";
constexpr std::string_view kOwned = " WHERE company_id = ? AND id = ?";
constexpr std::string_view kOfCompany = " WHERE company_id = ?";
constexpr std::string_view kAgentIs = " AND agent_id = ?";
constexpr std::string_view kChannelIs = " AND channel = ?";
constexpr std::string_view kBefore = " AND id < ?";
constexpr std::string_view kStatusIs = " AND status = ?";
constexpr std::string_view kDirectionIs = " AND direction = ?";
constexpr std::string_view kCallerIs = " AND caller_number = ?";
constexpr std::string_view kStartedFrom = " AND started_at >= ?";
constexpr std::string_view kStartedBefore = " AND started_at < ?";
constexpr std::string_view kOfCampaign =
    " AND id IN (SELECT conversation_id FROM calls WHERE company_id = ? AND campaign_id = ? AND conversation_id IS NOT "
    "NULL)";
// Analysis filters probe each candidate's rows by primary key (conversation_id, item id), so a
// page of newest matches stops reading as soon as it is full.
constexpr std::string_view kCriterionIs =
    " AND EXISTS (SELECT 1 FROM conversation_criteria r WHERE r.conversation_id = conversations.id AND "
    "r.company_id = ? AND r.criterion_id = ? AND r.result = ?)";
constexpr std::string_view kDataWhere =
    " AND EXISTS (SELECT 1 FROM conversation_data r WHERE r.conversation_id = conversations.id AND r.company_id = ? "
    "AND r.field_id = ? AND ";
constexpr std::string_view kDataExists = "value_text IS NOT NULL)";
constexpr std::string_view kDataTextEq = "value_text = ?)";
constexpr std::string_view kDataTextNeq = "value_text IS NOT NULL AND value_text <> ?)";
constexpr std::string_view kDataNumberEq = "(value_number = ? OR value_text = ?))";
constexpr std::string_view kDataNumberNeq =
    "value_text IS NOT NULL AND value_text <> ? AND (value_number IS NULL OR value_number <> ?))";
constexpr std::string_view kDataGt = "value_number > ?)";
constexpr std::string_view kDataGte = "value_number >= ?)";
constexpr std::string_view kDataLt = "value_number < ?)";
constexpr std::string_view kDataLte = "value_number <= ?)";
// Full-text search: the words as one bound parameter, each quoted as an FTS5 string (SQLite) or
// read by plainto_tsquery, which knows no operators (PostgreSQL).
// On SQLite the full-text index drives a search: its matches come newest first (FTS5 serves
// rowid order itself), each joined to its conversation, until the page is full.
constexpr std::string_view kSearchFromSqlite =
    " FROM conversations_fts CROSS JOIN conversations ON conversations.id = conversations_fts.rowid "
    "WHERE conversations_fts MATCH ? AND company_id = ?";
constexpr std::string_view kSearchBeforeSqlite = " AND conversations_fts.rowid < ?";
constexpr std::string_view kSearchNewestFirstSqlite = " ORDER BY conversations_fts.rowid DESC LIMIT ?";
constexpr std::string_view kMatchesPostgres = " AND search @@ plainto_tsquery('simple', ?)";
constexpr std::string_view kFtsDelete = "DELETE FROM conversations_fts WHERE rowid = ?";
constexpr std::string_view kFtsInsert = "INSERT INTO conversations_fts (rowid, body) VALUES (?, ?)";
constexpr std::string_view kSetSearch =
    "UPDATE conversations SET search = to_tsvector('simple', ?) WHERE id = ? AND company_id = ?";
constexpr std::string_view kSearchSource =
    "SELECT transcript_summary FROM conversations WHERE id = ? AND company_id = ?";
constexpr std::string_view kSetAnalysis = "UPDATE conversations SET analysis = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kDeleteCriteria =
    "DELETE FROM conversation_criteria WHERE conversation_id = ? AND company_id = ?";
constexpr std::string_view kDeleteData = "DELETE FROM conversation_data WHERE conversation_id = ? AND company_id = ?";
constexpr std::string_view kInsertCriterion =
    "INSERT INTO conversation_criteria (conversation_id, company_id, criterion_id, result) VALUES (?, ?, ?, ?)";
constexpr std::string_view kInsertData =
    "INSERT INTO conversation_data (conversation_id, company_id, field_id, value_text, value_number) VALUES (?, ?, ?, "
    "?, ?)";
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

// The stored `analysis` column, as wire::write(Analysis) wrote it.
domain::Analysis analysis_of(const std::string& text) {
  domain::Analysis a;
  const auto document = wire::parse_stored_json(text);
  const auto& o = document.as_object();
  for (const auto& [id, item] : o.at("criteria").as_object()) {
    const auto& c = item.as_object();
    a.criteria[std::string(id)] = {
        domain::parse_criterion_result(c.at("result").as_string()).value_or(domain::CriterionResult::unknown),
        std::string(c.at("rationale").as_string())};
  }
  for (const auto& [id, item] : o.at("data").as_object()) {
    const auto& d = item.as_object();
    domain::DataOutcome out;
    const auto& v = d.at("value");
    if (v.is_string())
      out.value = std::string(v.get_string());
    else if (v.is_bool())
      out.value = v.get_bool();
    else if (v.is_int64())
      out.value = v.get_int64();
    else if (v.is_number())
      out.value = v.to_number<double>();
    out.rationale = std::string(d.at("rationale").as_string());
    a.data[std::string(id)] = std::move(out);
  }
  return a;
}

// What full-text search reads of a conversation: its summary and every message.
std::string search_text(const std::optional<std::string>& summary, const std::vector<domain::TranscriptTurn>& turns) {
  std::string text = summary.value_or("");
  for (const auto& t : turns)
    if (t.message) text.append("\n").append(*t.message);
  return text;
}

// `fresh`: the conversation was just inserted, so it has no entry to replace.
void index_text(Tx& tx, domain::CompanyId company, std::int64_t id, const std::string& text, bool fresh) {
  if (tx.dialect() == Dialect::sqlite) {
    if (!fresh) tx.exec(kFtsDelete, {id});
    tx.exec(kFtsInsert, {id, text});
  } else {
    tx.exec(kSetSearch, {text, id, company.value});
  }
}

void append_data_filter(std::string& sql, Params& params, domain::CompanyId company, const domain::DataFilter& f) {
  sql += kDataWhere;
  params.emplace_back(company.value);
  params.emplace_back(f.id);
  switch (f.op) {
    case domain::DataOp::exists: sql += kDataExists; return;
    case domain::DataOp::eq:
      if (f.number) {
        sql += kDataNumberEq;
        params.emplace_back(*f.number);
      } else {
        sql += kDataTextEq;
      }
      params.emplace_back(f.text);
      return;
    case domain::DataOp::neq:
      sql += f.number ? kDataNumberNeq : kDataTextNeq;
      params.emplace_back(f.text);
      if (f.number) params.emplace_back(*f.number);
      return;
    case domain::DataOp::gt: sql += kDataGt; break;
    case domain::DataOp::gte: sql += kDataGte; break;
    case domain::DataOp::lt: sql += kDataLt; break;
    case domain::DataOp::lte: sql += kDataLte; break;
  }
  params.emplace_back(f.number.value_or(0));
}

// The words as an FTS5 query: each a quoted string (the words hold no quote), all required.
std::string fts5_query(const std::vector<std::string>& words) {
  std::string q;
  for (const auto& w : words) q.append(q.empty() ? "" : " ").append("\"").append(w).append("\"");
  return q;
}

std::string plain_query(const std::vector<std::string>& words) {
  std::string q;
  for (const auto& w : words) q.append(q.empty() ? "" : " ").append(w);
  return q;
}

void filter_sql(Tx& tx, std::string& sql, Params& params, domain::CompanyId company,
                const domain::ConversationFilter& f) {
  restrict_to_agents(sql, params, "agent_id", f.visible);
  if (f.agent_id) sql += kAgentIs, params.emplace_back(*f.agent_id);
  if (f.channel) sql += kChannelIs, params.emplace_back(*f.channel);
  if (f.status) sql += kStatusIs, params.emplace_back(*f.status);
  if (f.direction) sql += kDirectionIs, params.emplace_back(*f.direction);
  if (f.caller_number) sql += kCallerIs, params.emplace_back(*f.caller_number);
  if (f.started_from) sql += kStartedFrom, params.emplace_back(*f.started_from);
  if (f.started_before) sql += kStartedBefore, params.emplace_back(*f.started_before);
  if (f.campaign_id) {
    sql += kOfCampaign;
    params.emplace_back(company.value);
    params.emplace_back(*f.campaign_id);
  }
  for (const auto& c : f.criteria) {
    sql += kCriterionIs;
    params.emplace_back(company.value);
    params.emplace_back(c.id);
    params.emplace_back(std::string(domain::to_string(c.result)));
  }
  for (const auto& d : f.data) append_data_filter(sql, params, company, d);
  if (!f.words.empty() && tx.dialect() == Dialect::postgres) {
    sql += kMatchesPostgres;
    params.emplace_back(plain_query(f.words));
  }
}

// `columns` of `f`'s conversations before `before_id`, newest first, up to `limit`.
std::string select_sql(Tx& tx, std::string_view columns, Params& params, domain::CompanyId company,
                       const domain::ConversationFilter& f, std::optional<std::int64_t> before_id, std::int64_t limit) {
  const bool fts5 = !f.words.empty() && tx.dialect() == Dialect::sqlite;
  std::string sql(columns);
  if (fts5) {
    sql += kSearchFromSqlite;
    params.emplace_back(fts5_query(f.words));
  } else {
    sql += kFrom;
    sql += kOfCompany;
  }
  params.emplace_back(company.value);
  filter_sql(tx, sql, params, company, f);
  if (before_id) sql += fts5 ? kSearchBeforeSqlite : kBefore, params.emplace_back(*before_id);
  sql += fts5 ? kSearchNewestFirstSqlite : kNewestFirst;
  params.emplace_back(limit);
  return sql;
}

// The analysis of a conversation that has none yet.
void add_analysis(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::Analysis& analysis) {
  tx.exec(kSetAnalysis, {wire::to_json(analysis), id, company.value});
  for (const auto& [criterion, outcome] : analysis.criteria)
    tx.exec(kInsertCriterion, {id, company.value, criterion, std::string(domain::to_string(outcome.result))});
  for (const auto& [field, outcome] : analysis.data)
    tx.exec(kInsertData,
            {id, company.value, field, opt(domain::text_of(outcome.value)), opt(domain::number_of(outcome.value))});
}

}  // namespace

void store_analysis(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::Analysis& analysis) {
  tx.exec(kDeleteCriteria, {id, company.value});
  tx.exec(kDeleteData, {id, company.value});
  add_analysis(tx, company, id, analysis);
}

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
  const auto id = row->i64("id");
  index_text(tx, company, id, search_text(c.summary, c.transcript), true);
  if (c.analysis) add_analysis(tx, company, id, *c.analysis);
  return id;
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
  if (const auto analysis = r->opt_str("analysis")) c.analysis = analysis_of(*analysis);
  return c;
}

std::vector<domain::ConversationSummary> list(Tx& tx, domain::CompanyId company, const domain::ConversationFilter& f,
                                              const domain::PageRequest& page) {
  Params params;
  const auto sql = select_sql(tx, kSummaryColumns, params, company, f, page.before_id, page.limit + 1);
  std::vector<domain::ConversationSummary> out;
  const auto rows = tx.query(sql, params);
  out.resize(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) fill_summary(out[i], rows.rows[i]);
  return out;
}

std::int64_t insert_chat(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& customer_e164,
                         const std::string& started_at, const std::string& metadata_json, const std::string& now) {
  const auto id = tx.insert(kInsertChat, {company.value, agent_id, customer_e164, started_at, metadata_json, now});
  index_text(tx, company, id, "", true);
  return id;
}

void append_turn(Tx& tx, domain::CompanyId company, std::int64_t id, const domain::TranscriptTurn& turn) {
  auto transcript = transcript_of(tx.one(kTranscript, {id, company.value})->str("transcript"));
  transcript.push_back(turn);
  tx.exec(kSetTranscript, {wire::to_json(transcript), id, company.value});
  const auto summary = tx.one(kSearchSource, {id, company.value})->opt_str("transcript_summary");
  index_text(tx, company, id, search_text(summary, transcript), false);
}

std::vector<domain::ConversationDetail> list_details(Tx& tx, domain::CompanyId company,
                                                     const domain::ConversationFilter& f,
                                                     std::optional<std::int64_t> before_id, std::int64_t limit) {
  Params params;
  const auto sql =
      select_sql(tx, std::string(kSummaryColumns) + std::string(kDetailColumns), params, company, f, before_id, limit);
  std::vector<domain::ConversationDetail> out;
  for (const auto& r : tx.query(sql, params).rows) {
    domain::ConversationDetail c;
    fill_summary(c, r);
    c.transcript = transcript_of(r.str("transcript"));
    c.metadata_json = r.str("metadata");
    if (const auto analysis = r.opt_str("analysis")) c.analysis = analysis_of(*analysis);
    out.push_back(std::move(c));
  }
  return out;
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
