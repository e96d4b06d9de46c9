#include "services/catalog.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

#include "domain/errors.h"

namespace cxco::services {

namespace json = boost::json;

namespace {
json::value nullable(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value nullable(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
}  // namespace

json::object voice_json(const store::Row& row) {
  const auto tags = row.opt_str("tags");
  return json::object{{"id", row.i64("id")},
                      {"provider_id", row.i64("provider_id")},
                      {"external_voice_id", row.str("external_voice_id")},
                      {"name", row.str("name")},
                      {"gender", nullable(row.opt_str("gender"))},
                      {"accent", nullable(row.opt_str("accent"))},
                      {"language", row.str("language")},
                      {"preview_url", nullable(row.opt_str("preview_url"))},
                      {"tags", tags ? json::parse(*tags) : json::value(nullptr)},
                      {"status", row.str("status")}};
}

json::object phone_number_json(const store::Row& row) {
  return json::object{{"id", row.i64("id")},
                      {"number", row.str("number")},
                      {"provider_slug", row.str("provider_slug")},
                      {"country_code", row.str("country_code")},
                      {"status", row.str("status")},
                      {"company_id", nullable(row.opt_i64("company_id"))},
                      {"agent_id", nullable(row.opt_i64("agent_id"))},
                      {"whatsapp_status", row.str("whatsapp_status")},
                      {"whatsapp_external_id", nullable(row.opt_str("whatsapp_external_id"))},
                      {"created_at", row.str("created_at")},
                      {"updated_at", row.str("updated_at")}};
}

json::array add_numbers(store::Tx& tx, const std::string& now, const std::vector<NewNumber>& numbers) {
  std::set<std::string> seen;
  json::array created;
  for (const auto& n : numbers) {
    if (!seen.insert(n.number).second) throw ApiError::conflict("Number " + n.number + " appears twice in the request");
    std::int64_t id = 0;
    try {
      id = tx.insert(
          "INSERT INTO phone_numbers (number, provider_slug, country_code, status, created_at, updated_at) "
          "VALUES (?, ?, ?, 'available', ?, ?) RETURNING id",
          {n.number, n.provider_slug, n.country_code, now, now});
    } catch (const store::ConflictError&) {
      throw ApiError::conflict("Number " + n.number + " is already in the pool");
    }
    const auto row = tx.one(std::string("SELECT ") + kPhoneNumberColumns + " FROM phone_numbers WHERE id = ?", {id});
    created.push_back(phone_number_json(*row));
  }
  return created;
}

json::object upsert_voice(store::Tx& tx, const std::string& now, const NewVoice& v) {
  const store::Params values = {v.name,
                                store::opt(v.gender),
                                store::opt(v.accent),
                                v.language,
                                store::opt(v.preview_url),
                                v.tags ? store::Param(json::serialize(*v.tags)) : store::Param(nullptr),
                                v.status,
                                now};
  const auto existing = tx.one("SELECT id FROM voices WHERE provider_id = ? AND external_voice_id = ?",
                               {v.provider_id, v.external_voice_id});
  std::int64_t id;
  if (existing) {
    id = existing->i64("id");
    auto params = values;
    params.push_back(id);
    tx.exec(
        "UPDATE voices SET name = ?, gender = ?, accent = ?, language = ?, preview_url = ?, tags = ?, status = ?, "
        "updated_at = ? WHERE id = ?",
        params);
  } else {
    store::Params params = {v.provider_id, v.external_voice_id};
    params.insert(params.end(), values.begin(), values.end());
    params.push_back(now);
    id = tx.insert(
        "INSERT INTO voices (provider_id, external_voice_id, name, gender, accent, language, preview_url, tags, status, "
        "updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params);
  }
  return voice_json(*tx.one(std::string("SELECT ") + kVoiceColumns + " FROM voices WHERE id = ?", {id}));
}

std::size_t sync_provider_voices(store::Tx& tx, const std::string& now, const std::vector<providers::ProviderVoice>& voices) {
  for (const auto& pv : voices) {
    NewVoice v;
    v.external_voice_id = pv.voice_id;
    v.name = pv.name;
    v.language = pv.language.empty() ? "en" : pv.language;
    if (!pv.gender.empty()) v.gender = pv.gender;
    if (!pv.accent.empty()) v.accent = pv.accent;
    v.preview_url = pv.preview_url;
    v.tags = pv.labels;
    upsert_voice(tx, now, v);
  }
  return voices.size();
}

}  // namespace cxco::services
