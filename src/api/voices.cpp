// The voice catalogue (reference "Voices"), Any Key; operators add voices via the admin API.
#include "api/api.h"
#include "api/validation.h"
#include "services/catalog.h"

namespace cxco::api {

namespace {

http::Response list_voices(Call& call) {
  auto q = Input::query(call.request);
  const auto language = q.string("language", false, 16);
  const auto gender = q.string("gender", false, 32);
  const auto accent = q.string("accent", false, 64);
  q.check();
  std::string sql = std::string("SELECT ") + services::kVoiceColumns + " FROM voices WHERE status = 'active'";
  store::Params params;
  auto filter = [&](const std::optional<std::string>& v, const char* column) {
    if (!v) return;
    sql += std::string(" AND lower(") + column + ") = lower(?)";
    params.emplace_back(*v);
  };
  filter(language, "language");
  filter(gender, "gender");
  filter(accent, "accent");
  sql += " ORDER BY id";
  auto rows = call.app.db.read([&](store::Tx& tx) { return tx.query(sql, params); });
  boost::json::array out;
  for (const auto& r : rows.rows) out.push_back(services::voice_json(r));
  return json_response(200, out);
}

http::Response get_voice(Call& call) {
  const auto id = id_param(call.request, "voice_id");
  auto row = call.app.db.read([&](store::Tx& tx) {
    return tx.one(std::string("SELECT ") + services::kVoiceColumns + " FROM voices WHERE id = ?", {id});
  });
  if (!row) throw ApiError::not_found("Voice not found");
  return json_response(200, services::voice_json(*row));
}

http::Response create_voice(Call& call) {
  auto in = Input::body(call.request);
  services::NewVoice v;
  const auto provider_id = in.integer("provider_id", false, 1, INT64_MAX);
  const auto external = in.string("external_voice_id", true, 128);
  const auto name = in.string("name", true, 255);
  const auto language = in.language("language", true);
  v.gender = in.string("gender", false, 32);
  v.accent = in.string("accent", false, 64);
  v.preview_url = in.string("preview_url", false, 2048);
  v.tags = in.object("tags", false);
  const auto status = in.one_of("status", false, {"active", "inactive"});
  in.check();
  v.provider_id = provider_id.value_or(1);
  v.external_voice_id = *external;
  v.name = *name;
  v.language = *language;
  v.status = status.value_or("active");
  auto voice = call.app.db.write([&](store::Tx& tx) {
    if (!tx.one("SELECT id FROM providers WHERE id = ?", {v.provider_id}))
      throw ApiError::validation({FieldError{{"body", "provider_id"}, "Unknown provider", "value_error"}});
    if (tx.one("SELECT id FROM voices WHERE provider_id = ? AND external_voice_id = ?", {v.provider_id, v.external_voice_id}))
      throw ApiError::conflict("This provider voice is already in the catalogue");
    return services::upsert_voice(tx, call.app.now_iso(), v);
  });
  return json_response(201, voice);
}

}  // namespace

void add_voice_routes(Routes& routes) {
  routes.add("GET", "/api/voices/", {Access::any_key, list_voices});
  routes.add("GET", "/api/voices/{voice_id}", {Access::any_key, get_voice});
  routes.add("POST", "/api/admin/voices", {Access::admin, create_voice});
}

}  // namespace cxco::api
