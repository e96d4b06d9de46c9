#include "store/agents_repo.h"

#include "store/agent_filter.h"
#include "util/json_writer.h"
#include "wire/field_reader.h"
#include "wire/serializers.h"

namespace cxco::store::agents_repo {

namespace {

constexpr std::string_view kSelect =
    "SELECT a.id, a.company_id, a.name, a.personality, a.opening_line, a.voice_id, v.name AS voice_name, "
    "v.external_voice_id, a.language, a.status, a.voice_enabled, a.whatsapp_enabled, a.external_agent_id, "
    "a.phone_number_id, p.number AS pn_number, p.whatsapp_status AS pn_whatsapp_status, "
    "p.external_number_id AS pn_external_id, a.config, a.analysis, a.created_at, a.updated_at "
    "FROM agents a JOIN voices v ON v.id = a.voice_id LEFT JOIN phone_numbers p ON p.id = a.phone_number_id";
constexpr std::string_view kOwned = " WHERE a.company_id = ? AND a.id = ?";
constexpr std::string_view kOfCompany = " WHERE a.company_id = ?";
constexpr std::string_view kStatusIs = " AND a.status = ?";
constexpr std::string_view kBefore = " AND a.id < ?";
constexpr std::string_view kNewestFirst = " ORDER BY a.id DESC LIMIT ?";
constexpr std::string_view kActiveAnyCompany =
    " WHERE a.id = ? AND a.status = 'active' AND a.external_agent_id IS NOT NULL";
constexpr std::string_view kExists = "SELECT id FROM agents WHERE company_id = ? AND id = ?";
constexpr std::string_view kAnalysisSettings = "SELECT id, analysis FROM agents WHERE company_id = ?";
constexpr std::string_view kIdIs = " AND id = ?";
constexpr std::string_view kOldestFirst = " ORDER BY id";
constexpr std::string_view kNames = "SELECT id, name FROM agents WHERE company_id = ?";
// Counted from the (company_id, status, id) index alone.
constexpr std::string_view kCountWithStatus = "SELECT count(*) AS n FROM agents WHERE company_id = ? AND status = ?";
// Active agents, and drafts a publish has reserved a number for: each holds a slot.
constexpr std::string_view kCountHoldingSlots =
    "SELECT COUNT(*) AS n FROM agents WHERE company_id = ? AND (status = 'active' OR (status = 'draft' AND "
    "phone_number_id IS NOT NULL))";
constexpr std::string_view kInsert =
    "INSERT INTO agents (company_id, name, personality, opening_line, voice_id, language, status, config, "
    "analysis, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE agents SET name = ?, personality = ?, opening_line = ?, language = ?, voice_id = ?, config = ?, "
    "analysis = ?, updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kHoldNumber =
    "UPDATE agents SET phone_number_id = ? WHERE id = ? AND company_id = ? AND status = 'draft' AND phone_number_id IS "
    "NULL";
constexpr std::string_view kDropNumber =
    "UPDATE agents SET phone_number_id = NULL WHERE id = ? AND company_id = ? AND status = 'draft'";
constexpr std::string_view kChangeStatus =
    "UPDATE agents SET status = ?, updated_at = ? WHERE id = ? AND company_id = ? AND status = ?";
constexpr std::string_view kArchive =
    "UPDATE agents SET status = 'archived', phone_number_id = NULL, whatsapp_enabled = 0, updated_at = ? "
    "WHERE id = ? AND company_id = ? AND status = ?";
constexpr std::string_view kSetExternalId =
    "UPDATE agents SET external_agent_id = ?, updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kEnableWhatsApp =
    "UPDATE agents SET whatsapp_enabled = 1, updated_at = ? WHERE id = ? AND company_id = ?";
constexpr std::string_view kByExternalId = "SELECT id, company_id FROM agents WHERE external_agent_id = ?";
constexpr std::string_view kCompaniesAtProvider =
    "SELECT DISTINCT company_id FROM agents WHERE external_agent_id IS NOT NULL ORDER BY company_id";

// The agent's `config` column: {"temperature", "max_call_duration_seconds"}.
domain::AgentConfig config_of(const std::string& text) {
  const auto v = wire::parse_stored_json(text);
  const auto& o = v.as_object();
  return {o.at("temperature").to_number<double>(), o.at("max_call_duration_seconds").to_number<std::int64_t>()};
}

std::string config_text(const domain::AgentConfig& c) {
  util::JsonWriter w;
  w.begin_object().field("temperature", c.temperature).field("max_call_duration_seconds", c.max_call_duration_seconds);
  return w.end_object().take();
}

// The agent's `analysis` column, as wire::write(AnalysisSettings) wrote it.
domain::AnalysisSettings analysis_of(const std::string& text) {
  const auto v = wire::parse_stored_json(text);
  const auto& o = v.as_object();
  domain::AnalysisSettings s;
  for (const auto& item : o.at("criteria").as_array()) {
    const auto& c = item.as_object();
    s.criteria.push_back({std::string(c.at("id").as_string()), std::string(c.at("name").as_string()),
                          std::string(c.at("prompt").as_string())});
  }
  for (const auto& item : o.at("data_fields").as_array()) {
    const auto& f = item.as_object();
    domain::DataField field;
    field.id = std::string(f.at("id").as_string());
    field.type = domain::parse_field_type(f.at("type").as_string()).value_or(domain::FieldType::string);
    field.description = std::string(f.at("description").as_string());
    if (const auto* values = f.if_contains("enum"))
      for (const auto& value : values->as_array()) field.enum_values.emplace_back(value.as_string());
    s.data_fields.push_back(std::move(field));
  }
  return s;
}

domain::Agent agent_of(const Row& r) {
  domain::Agent a;
  a.id = r.i64("id");
  a.company_id = domain::CompanyId(r.i64("company_id"));
  a.name = r.str("name");
  a.personality = r.str("personality");
  a.opening_line = r.str("opening_line");
  a.language = r.str("language");
  a.voice_id = r.i64("voice_id");
  a.voice_name = r.str("voice_name");
  a.external_voice_id = r.str("external_voice_id");
  a.status = domain::parse_agent_status(r.str("status")).value_or(domain::AgentStatus::draft);
  a.voice_enabled = r.boolean("voice_enabled");
  a.whatsapp_enabled = r.boolean("whatsapp_enabled");
  a.external_agent_id = r.opt_str("external_agent_id");
  a.phone_number_id = r.opt_i64("phone_number_id");
  a.number = r.str("pn_number");
  a.external_number_id = r.opt_str("pn_external_id");
  a.whatsapp_status = domain::parse_whatsapp_status(r.str("pn_whatsapp_status"));
  a.config = config_of(r.str("config"));
  a.analysis = analysis_of(r.str("analysis"));
  a.created_at = r.str("created_at");
  a.updated_at = r.str("updated_at");
  return a;
}

std::optional<domain::Agent> first(const Result& result) {
  if (result.rows.empty()) return std::nullopt;
  return agent_of(result.rows.front());
}

}  // namespace

std::optional<domain::Agent> find(Tx& tx, domain::CompanyId company, std::int64_t agent_id) {
  return first(tx.query(std::string(kSelect) + std::string(kOwned), {company.value, agent_id}));
}

std::vector<domain::Agent> list(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                                std::optional<domain::AgentStatus> status, const domain::PageRequest& page) {
  std::string sql = std::string(kSelect) + std::string(kOfCompany);
  Params params{company.value};
  restrict_to_agents(sql, params, "a.id", visible);
  if (status) sql += kStatusIs, params.emplace_back(std::string(domain::to_string(*status)));
  if (page.before_id) sql += kBefore, params.emplace_back(*page.before_id);
  sql += kNewestFirst;
  params.emplace_back(page.limit + 1);
  std::vector<domain::Agent> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(agent_of(r));
  return out;
}

bool exists(Tx& tx, domain::CompanyId company, std::int64_t agent_id) {
  return tx.one(kExists, {company.value, agent_id}).has_value();
}

std::int64_t count_holding_slots(Tx& tx, domain::CompanyId company) {
  return tx.one(kCountHoldingSlots, {company.value})->i64("n");
}

std::map<std::int64_t, std::string> names(Tx& tx, domain::CompanyId company) {
  std::map<std::int64_t, std::string> out;
  for (const auto& r : tx.query(kNames, {company.value}).rows) out.emplace(r.i64("id"), r.str("name"));
  return out;
}

std::int64_t count_with_status(Tx& tx, domain::CompanyId company, const domain::AgentScope& visible,
                               domain::AgentStatus status) {
  std::string sql(kCountWithStatus);
  Params params{company.value, std::string(domain::to_string(status))};
  restrict_to_agents(sql, params, "id", visible);
  return tx.one(sql, params)->i64("n");
}

std::vector<domain::AnalysisSettings> analysis_settings(Tx& tx, domain::CompanyId company,
                                                        const domain::AgentScope& visible,
                                                        std::optional<std::int64_t> agent_id) {
  std::string sql(kAnalysisSettings);
  Params params{company.value};
  restrict_to_agents(sql, params, "id", visible);
  if (agent_id) sql += kIdIs, params.emplace_back(*agent_id);
  sql += kOldestFirst;
  std::vector<domain::AnalysisSettings> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(analysis_of(r.str("analysis")));
  return out;
}

std::int64_t insert(Tx& tx, domain::CompanyId company, const domain::Agent& a, const std::string& now) {
  return tx.insert(kInsert, {company.value, a.name, a.personality, a.opening_line, a.voice_id, a.language,
                             config_text(a.config), wire::to_json(a.analysis), now, now});
}

void update(Tx& tx, const domain::Agent& a, const std::string& now) {
  tx.exec(kUpdate, {a.name, a.personality, a.opening_line, a.language, a.voice_id, config_text(a.config),
                    wire::to_json(a.analysis), now, a.id, a.company_id.value});
}

bool hold_number(Tx& tx, domain::CompanyId company, std::int64_t agent_id, std::int64_t number_id) {
  return tx.exec(kHoldNumber, {number_id, agent_id, company.value}) == 1;
}

void drop_number(Tx& tx, domain::CompanyId company, std::int64_t agent_id) {
  tx.exec(kDropNumber, {agent_id, company.value});
}

bool change_status(Tx& tx, domain::CompanyId company, std::int64_t agent_id, domain::AgentStatus from,
                   domain::AgentStatus to, const std::string& now) {
  const std::string from_text(domain::to_string(from));
  if (to == domain::AgentStatus::archived) return tx.exec(kArchive, {now, agent_id, company.value, from_text}) == 1;
  return tx.exec(kChangeStatus, {std::string(domain::to_string(to)), now, agent_id, company.value, from_text}) == 1;
}

void set_external_id(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& external_agent_id,
                     const std::string& now) {
  tx.exec(kSetExternalId, {external_agent_id, now, agent_id, company.value});
}

void enable_whatsapp(Tx& tx, domain::CompanyId company, std::int64_t agent_id, const std::string& now) {
  tx.exec(kEnableWhatsApp, {now, agent_id, company.value});
}

std::optional<ExternalAgent> find_by_external_id(Tx& tx, const std::string& external_agent_id) {
  const auto r = tx.one(kByExternalId, {external_agent_id});
  if (!r) return std::nullopt;
  return ExternalAgent{domain::CompanyId(r->i64("company_id")), r->i64("id")};
}

std::vector<domain::CompanyId> companies_with_provider_agents(Tx& tx) {
  std::vector<domain::CompanyId> out;
  for (const auto& r : tx.query(kCompaniesAtProvider).rows) out.emplace_back(r.i64("company_id"));
  return out;
}

std::optional<domain::Agent> find_active_any_company(Tx& tx, std::int64_t agent_id) {
  return first(tx.query(std::string(kSelect) + std::string(kActiveAnyCompany), {agent_id}));
}

}  // namespace cxco::store::agents_repo
