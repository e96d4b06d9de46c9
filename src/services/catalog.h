// The voice catalogue and the phone-number pool, shared by the API, the admin CLI and demo mode.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "providers/voice_provider.h"
#include "store/db.h"

namespace cxco::services {

boost::json::object voice_json(const store::Row& row);
boost::json::object phone_number_json(const store::Row& row);
inline constexpr const char* kPhoneNumberColumns =
    "id, number, provider_slug, country_code, status, company_id, agent_id, whatsapp_status, whatsapp_external_id, "
    "created_at, updated_at";
inline constexpr const char* kVoiceColumns =
    "id, provider_id, external_voice_id, name, gender, accent, language, preview_url, tags, status";

struct NewNumber {
  std::string number;        // E.164
  std::string country_code;  // ISO 3166-1 alpha-2
  std::string provider_slug = "sip_trunk";
};

// Adds numbers to the pool as `available`. All or nothing: if any is already in the pool
// (or repeated in the list) it throws ApiError 409 and adds none.
boost::json::array add_numbers(store::Tx& tx, const std::string& now, const std::vector<NewNumber>& numbers);

struct NewVoice {
  std::int64_t provider_id = 1;
  std::string external_voice_id, name, language;
  std::optional<std::string> gender, accent, preview_url;
  std::optional<boost::json::object> tags;
  std::string status = "active";
};
// Inserts or, when the provider voice is already catalogued, updates it. Returns the voice.
boost::json::object upsert_voice(store::Tx& tx, const std::string& now, const NewVoice& voice);

// Catalogues the provider's voices (cxco admin sync-voices): new ones added, known ones
// refreshed. The language comes from the voice's `language` label, else English.
std::size_t sync_provider_voices(store::Tx& tx, const std::string& now, const std::vector<providers::ProviderVoice>& voices);

}  // namespace cxco::services
