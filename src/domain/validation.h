// Formats the platform accepts (platform.md section 3 "Validation"): pure predicates, used by
// the field reader for request bodies and by the operator commands.
#pragma once

#include <optional>
#include <string_view>

namespace cxco::domain {

bool is_email(std::string_view s);
bool is_e164(std::string_view s);
// ISO 3166-1 alpha-2, officially assigned, in capitals.
bool is_country_code(std::string_view s);
// ISO 639-1 two-letter codes.
bool is_language_code(std::string_view s);
// The ISO 3166-1 countries that share the calling code an E.164 number starts with ("ZA" for
// +27, "RU KZ" for +7), separated by spaces; nullopt when the code is not a known one.
std::optional<std::string_view> countries_of_number(std::string_view e164);
// False when the number's calling code belongs to other countries (+27... is not a US number).
bool is_number_of_country(std::string_view e164, std::string_view country_code);
// An IANA time zone name the system's tz database knows ("Africa/Johannesburg", "UTC").
bool is_time_zone(std::string_view s);

}  // namespace cxco::domain
