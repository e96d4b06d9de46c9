// The voice catalogue and the phone-number pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/company.h"

namespace cxco::domain {

struct Voice {
  std::int64_t id = 0;
  std::int64_t provider_id = 1;
  std::string external_voice_id, name, language;
  std::optional<std::string> gender, accent, preview_url;
  std::optional<std::string> tags_json;  // the provider's labels object, as JSON text
  std::string status = "active";
};

struct VoiceFilter {
  std::optional<std::string> language, gender, accent;  // case-insensitive
};

enum class WhatsAppStatus { none, pending, active, failed };
std::string_view to_string(WhatsAppStatus s);
WhatsAppStatus parse_whatsapp_status(std::string_view s);

struct PhoneNumber {
  std::int64_t id = 0;
  std::string number;  // E.164
  std::string provider_slug, country_code;
  std::string status;  // available | assigned
  std::optional<CompanyId> company_id;
  std::optional<std::int64_t> agent_id;
  std::optional<std::string> external_number_id;  // the voice provider's id once imported there
  WhatsAppStatus whatsapp_status = WhatsAppStatus::none;
  std::optional<std::string> whatsapp_external_id;  // the Cloud API's phone-number id
  std::string created_at, updated_at;
};

struct NewNumber {
  std::string number;        // E.164
  std::string country_code;  // ISO 3166-1 alpha-2
  std::string provider_slug = "sip_trunk";
};

struct NumberFilter {
  std::optional<std::string> status, country_code;
};

}  // namespace cxco::domain
