// The voice catalogue and the phone-number pool, for the API, the operator commands and demo mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/keys.h"
#include "providers/voice_provider.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Catalog {
 public:
  Catalog(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  std::vector<domain::Voice> voices(const domain::VoiceFilter& filter);
  domain::Voice voice(std::int64_t voice_id);  // 404 when missing
  // 422 for an unknown provider, 409 when the provider voice is catalogued already.
  domain::Voice add_voice(const domain::Voice& voice);
  // Catalogues the provider's voices (cxco admin sync-voices): new ones added, known ones
  // refreshed. The language comes from the voice's `language` label, else English.
  std::size_t sync_provider_voices(const std::vector<providers::ProviderVoice>& voices);

  // Adds numbers to the pool as `available`. All or nothing: if any is already in the pool (or
  // repeated in the list) it is 409 and none is added.
  std::vector<domain::PhoneNumber> add_numbers(const std::vector<domain::NewNumber>& numbers);
  bool pool_is_empty();
  std::vector<domain::PhoneNumber> pool(const domain::NumberFilter& filter);
  std::vector<domain::PhoneNumber> available_numbers(const std::optional<std::string>& country_code);
  // The company's numbers held by agents `visible` sees.
  std::vector<domain::PhoneNumber> company_numbers(domain::CompanyId company, const domain::AgentScope& visible);

 private:
  std::string now() const { return util::iso8601(clock_.now()); }

  store::Database& db_;
  const util::Clock& clock_;
};

}  // namespace cxco::services
