#include "services/catalog.h"

#include <set>

#include "domain/errors.h"
#include "store/audit_repo.h"
#include "store/credentials_repo.h"
#include "store/numbers_repo.h"
#include "store/voices_repo.h"
#include "util/json.h"

namespace cxco::services {

std::vector<domain::Voice> Catalog::voices(const domain::VoiceFilter& filter) {
  return db_.read([&](store::Tx& tx) { return store::voices_repo::list_active(tx, filter); });
}

domain::Voice Catalog::voice(std::int64_t voice_id) {
  auto found = db_.read([&](store::Tx& tx) { return store::voices_repo::find(tx, voice_id); });
  if (!found) throw ApiError::not_found("Voice not found");
  return *found;
}

domain::Voice Catalog::add_voice(const domain::Voice& voice) {
  return db_.write([&](store::Tx& tx) {
    if (!store::credentials_repo::provider_exists(tx, voice.provider_id))
      throw ApiError::validation({FieldError{{"body", "provider_id"}, "Unknown provider", "value_error"}});
    if (store::voices_repo::find_by_external_id(tx, voice.provider_id, voice.external_voice_id))
      throw ApiError::conflict("This provider voice is already in the catalogue");
    const auto at = now();
    const auto id = store::voices_repo::insert(tx, voice, at);
    store::audit_repo::record_platform(tx, "voice", std::to_string(id), at);
    return *store::voices_repo::find(tx, id);
  });
}

std::size_t Catalog::sync_provider_voices(const std::vector<providers::ProviderVoice>& voices) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    for (const auto& pv : voices) {
      domain::Voice v;
      v.external_voice_id = pv.voice_id;
      v.name = pv.name;
      v.language = pv.language.empty() ? "en" : pv.language;
      if (!pv.gender.empty()) v.gender = pv.gender;
      if (!pv.accent.empty()) v.accent = pv.accent;
      v.preview_url = pv.preview_url;
      v.tags_json = util::to_json(pv.labels);
      if (const auto id = store::voices_repo::find_by_external_id(tx, v.provider_id, v.external_voice_id))
        store::voices_repo::update(tx, *id, v, at);
      else
        store::voices_repo::insert(tx, v, at);
    }
    return voices.size();
  });
}

std::vector<domain::PhoneNumber> Catalog::add_numbers(const std::vector<domain::NewNumber>& numbers) {
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    std::set<std::string> seen;
    std::vector<domain::PhoneNumber> created;
    for (const auto& n : numbers) {
      if (!seen.insert(n.number).second)
        throw ApiError::conflict("Number " + n.number + " appears twice in the request");
      std::int64_t id = 0;
      try {
        id = store::numbers_repo::insert(tx, n, at);
      } catch (const store::ConflictError&) {
        throw ApiError::conflict("Number " + n.number + " is already in the pool");
      }
      created.push_back(*store::numbers_repo::find_in_pool(tx, id));
    }
    // One row for the whole import: it names no single number.
    store::audit_repo::record_platform(tx, "phone_number", std::nullopt, at);
    return created;
  });
}

bool Catalog::pool_is_empty() {
  return db_.read([&](store::Tx& tx) { return !store::numbers_repo::any(tx); });
}

std::vector<domain::PhoneNumber> Catalog::pool(const domain::NumberFilter& filter) {
  return db_.read([&](store::Tx& tx) { return store::numbers_repo::list_pool(tx, filter); });
}

std::vector<domain::PhoneNumber> Catalog::available_numbers(const std::optional<std::string>& country_code) {
  return db_.read([&](store::Tx& tx) { return store::numbers_repo::list_available(tx, country_code); });
}

std::vector<domain::PhoneNumber> Catalog::company_numbers(domain::CompanyId company,
                                                          const domain::AgentScope& visible) {
  return db_.read([&](store::Tx& tx) { return store::numbers_repo::list_owned(tx, company, visible); });
}

}  // namespace cxco::services
