// The voice catalogue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "store/db.h"

namespace cxco::store::voices_repo {

std::vector<domain::Voice> list_active(Tx& tx, const domain::VoiceFilter& filter);
std::optional<domain::Voice> find(Tx& tx, std::int64_t voice_id);
std::optional<domain::Voice> find_active(Tx& tx, std::int64_t voice_id);
std::optional<std::int64_t> find_by_external_id(Tx& tx, std::int64_t provider_id, const std::string& external_voice_id);
std::int64_t insert(Tx& tx, const domain::Voice& voice, const std::string& now);
void update(Tx& tx, std::int64_t voice_id, const domain::Voice& voice, const std::string& now);

}  // namespace cxco::store::voices_repo
