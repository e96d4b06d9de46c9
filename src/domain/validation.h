// Formats the platform accepts (platform.md section 3 "Validation"): pure predicates, used by
// the field reader for request bodies and by the operator commands.
#pragma once

#include <string_view>

namespace cxco::domain {

bool is_email(std::string_view s);
bool is_e164(std::string_view s);
// ISO 3166-1 alpha-2, officially assigned, in capitals.
bool is_country_code(std::string_view s);
// ISO 639-1 two-letter codes.
bool is_language_code(std::string_view s);
// An IANA time zone name the system's tz database knows ("Africa/Johannesburg", "UTC").
bool is_time_zone(std::string_view s);

}  // namespace cxco::domain
