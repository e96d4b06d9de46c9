#include "store/voices_repo.h"

namespace cxco::store::voices_repo {

namespace {

constexpr std::string_view kSelect =
    "SELECT id, provider_id, external_voice_id, name, gender, accent, language, preview_url, tags, status FROM voices";
constexpr std::string_view kActive = " WHERE status = 'active'";
constexpr std::string_view kLanguageIs = " AND lower(language) = lower(?)";
constexpr std::string_view kGenderIs = " AND lower(gender) = lower(?)";
constexpr std::string_view kAccentIs = " AND lower(accent) = lower(?)";
constexpr std::string_view kById = " WHERE id = ?";
constexpr std::string_view kActiveById = " WHERE id = ? AND status = 'active'";
constexpr std::string_view kFindByExternal = "SELECT id FROM voices WHERE provider_id = ? AND external_voice_id = ?";
constexpr std::string_view kInsert =
    "INSERT INTO voices (provider_id, external_voice_id, name, gender, accent, language, preview_url, tags, status, "
    "updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE voices SET name = ?, gender = ?, accent = ?, language = ?, preview_url = ?, tags = ?, status = ?, "
    "updated_at = ? WHERE id = ?";

domain::Voice voice_of(const Row& r) {
  return domain::Voice{r.i64("id"),       r.i64("provider_id"), r.str("external_voice_id"), r.str("name"),
                       r.str("language"), r.opt_str("gender"),  r.opt_str("accent"),        r.opt_str("preview_url"),
                       r.opt_str("tags"), r.str("status")};
}

std::optional<domain::Voice> one_voice(Tx& tx, std::string_view where, std::int64_t id) {
  const auto r = tx.one(std::string(kSelect) + std::string(where), {id});
  if (!r) return std::nullopt;
  return voice_of(*r);
}

}  // namespace

std::vector<domain::Voice> list_active(Tx& tx, const domain::VoiceFilter& f) {
  std::string sql = std::string(kSelect) + std::string(kActive);
  Params params;
  for (const auto& [value, clause] :
       {std::pair{&f.language, kLanguageIs}, {&f.gender, kGenderIs}, {&f.accent, kAccentIs}})
    if (*value) sql += clause, params.emplace_back(**value);
  sql += " ORDER BY id";
  std::vector<domain::Voice> out;
  for (const auto& r : tx.query(sql, params).rows) out.push_back(voice_of(r));
  return out;
}

std::optional<domain::Voice> find(Tx& tx, std::int64_t voice_id) { return one_voice(tx, kById, voice_id); }

std::optional<domain::Voice> find_active(Tx& tx, std::int64_t voice_id) { return one_voice(tx, kActiveById, voice_id); }

std::optional<std::int64_t> find_by_external_id(Tx& tx, std::int64_t provider_id,
                                                const std::string& external_voice_id) {
  const auto r = tx.one(kFindByExternal, {provider_id, external_voice_id});
  return r ? std::optional<std::int64_t>(r->i64("id")) : std::nullopt;
}

std::int64_t insert(Tx& tx, const domain::Voice& v, const std::string& now) {
  return tx.insert(kInsert, {v.provider_id, v.external_voice_id, v.name, opt(v.gender), opt(v.accent), v.language,
                             opt(v.preview_url), opt(v.tags_json), v.status, now, now});
}

void update(Tx& tx, std::int64_t voice_id, const domain::Voice& v, const std::string& now) {
  tx.exec(kUpdate, {v.name, opt(v.gender), opt(v.accent), v.language, opt(v.preview_url), opt(v.tags_json), v.status,
                    now, voice_id});
}

}  // namespace cxco::store::voices_repo
