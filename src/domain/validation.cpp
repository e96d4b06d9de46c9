#include "domain/validation.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "domain/campaign.h"

namespace cxco::domain {

bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  if (domain.find("..") != std::string_view::npos || domain.front() == '-' || domain.back() == '-') return false;
  for (const unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' || c == '<' || c == '>' ||
        c == '[' || c == ']' || c == '\\' || c == '"')
      return false;
  return true;
}

bool is_e164(std::string_view s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_country_code(std::string_view s) {
  // ISO 3166-1 alpha-2 officially assigned codes.
  static const std::set<std::string_view> kCodes = {
      "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
      "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
      "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX",
      "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
      "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
      "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
      "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA",
      "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
      "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE",
      "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
      "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG",
      "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
      "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY",
      "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};
  return kCodes.count(s) > 0;
}

bool is_language_code(std::string_view s) {
  // ISO 639-1 two-letter codes.
  static const std::set<std::string_view> kCodes = {
      "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo",
      "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo",
      "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi",
      "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
      "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
      "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng",
      "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn",
      "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
      "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur",
      "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"};
  return kCodes.count(s) > 0;
}

std::optional<std::string_view> countries_of_number(std::string_view e164) {
  // ITU-T E.164 country calling codes and the ISO 3166-1 countries that share each. The codes
  // are prefix-free, so the first that starts the number is its code.
  static constexpr std::pair<std::string_view, std::string_view> kCallingCodes[] = {
      {"1", "US CA AG AI AS BB BM BS DM DO GD GU JM KN KY LC MP MS PR SX TC TT VC VG VI UM"},
      {"7", "RU KZ"},
      {"20", "EG"},
      {"211", "SS"},
      {"212", "MA EH"},
      {"213", "DZ"},
      {"216", "TN"},
      {"218", "LY"},
      {"220", "GM"},
      {"221", "SN"},
      {"222", "MR"},
      {"223", "ML"},
      {"224", "GN"},
      {"225", "CI"},
      {"226", "BF"},
      {"227", "NE"},
      {"228", "TG"},
      {"229", "BJ"},
      {"230", "MU"},
      {"231", "LR"},
      {"232", "SL"},
      {"233", "GH"},
      {"234", "NG"},
      {"235", "TD"},
      {"236", "CF"},
      {"237", "CM"},
      {"238", "CV"},
      {"239", "ST"},
      {"240", "GQ"},
      {"241", "GA"},
      {"242", "CG"},
      {"243", "CD"},
      {"244", "AO"},
      {"245", "GW"},
      {"246", "IO"},
      {"247", "SH"},
      {"248", "SC"},
      {"249", "SD"},
      {"250", "RW"},
      {"251", "ET"},
      {"252", "SO"},
      {"253", "DJ"},
      {"254", "KE"},
      {"255", "TZ"},
      {"256", "UG"},
      {"257", "BI"},
      {"258", "MZ"},
      {"260", "ZM"},
      {"261", "MG"},
      {"262", "RE YT TF"},
      {"263", "ZW"},
      {"264", "NA"},
      {"265", "MW"},
      {"266", "LS"},
      {"267", "BW"},
      {"268", "SZ"},
      {"269", "KM"},
      {"27", "ZA"},
      {"290", "SH"},
      {"291", "ER"},
      {"297", "AW"},
      {"298", "FO"},
      {"299", "GL"},
      {"30", "GR"},
      {"31", "NL"},
      {"32", "BE"},
      {"33", "FR"},
      {"34", "ES"},
      {"350", "GI"},
      {"351", "PT"},
      {"352", "LU"},
      {"353", "IE"},
      {"354", "IS"},
      {"355", "AL"},
      {"356", "MT"},
      {"357", "CY"},
      {"358", "FI AX"},
      {"359", "BG"},
      {"36", "HU"},
      {"370", "LT"},
      {"371", "LV"},
      {"372", "EE"},
      {"373", "MD"},
      {"374", "AM"},
      {"375", "BY"},
      {"376", "AD"},
      {"377", "MC"},
      {"378", "SM"},
      {"379", "VA"},
      {"380", "UA"},
      {"381", "RS"},
      {"382", "ME"},
      {"385", "HR"},
      {"386", "SI"},
      {"387", "BA"},
      {"389", "MK"},
      {"39", "IT VA"},
      {"40", "RO"},
      {"41", "CH"},
      {"420", "CZ"},
      {"421", "SK"},
      {"423", "LI"},
      {"43", "AT"},
      {"44", "GB GG IM JE"},
      {"45", "DK"},
      {"46", "SE"},
      {"47", "NO SJ BV"},
      {"48", "PL"},
      {"49", "DE"},
      {"500", "FK GS"},
      {"501", "BZ"},
      {"502", "GT"},
      {"503", "SV"},
      {"504", "HN"},
      {"505", "NI"},
      {"506", "CR"},
      {"507", "PA"},
      {"508", "PM"},
      {"509", "HT"},
      {"51", "PE"},
      {"52", "MX"},
      {"53", "CU"},
      {"54", "AR"},
      {"55", "BR"},
      {"56", "CL"},
      {"57", "CO"},
      {"58", "VE"},
      {"590", "GP BL MF"},
      {"591", "BO"},
      {"592", "GY"},
      {"593", "EC"},
      {"594", "GF"},
      {"595", "PY"},
      {"596", "MQ"},
      {"597", "SR"},
      {"598", "UY"},
      {"599", "CW BQ"},
      {"60", "MY"},
      {"61", "AU CX CC"},
      {"62", "ID"},
      {"63", "PH"},
      {"64", "NZ PN"},
      {"65", "SG"},
      {"66", "TH"},
      {"670", "TL"},
      {"672", "NF AQ HM"},
      {"673", "BN"},
      {"674", "NR"},
      {"675", "PG"},
      {"676", "TO"},
      {"677", "SB"},
      {"678", "VU"},
      {"679", "FJ"},
      {"680", "PW"},
      {"681", "WF"},
      {"682", "CK"},
      {"683", "NU"},
      {"685", "WS"},
      {"686", "KI"},
      {"687", "NC"},
      {"688", "TV"},
      {"689", "PF"},
      {"690", "TK"},
      {"691", "FM"},
      {"692", "MH"},
      {"81", "JP"},
      {"82", "KR"},
      {"84", "VN"},
      {"850", "KP"},
      {"852", "HK"},
      {"853", "MO"},
      {"855", "KH"},
      {"856", "LA"},
      {"86", "CN"},
      {"880", "BD"},
      {"886", "TW"},
      {"90", "TR"},
      {"91", "IN"},
      {"92", "PK"},
      {"93", "AF"},
      {"94", "LK"},
      {"95", "MM"},
      {"960", "MV"},
      {"961", "LB"},
      {"962", "JO"},
      {"963", "SY"},
      {"964", "IQ"},
      {"965", "KW"},
      {"966", "SA"},
      {"967", "YE"},
      {"968", "OM"},
      {"970", "PS"},
      {"971", "AE"},
      {"972", "IL"},
      {"973", "BH"},
      {"974", "QA"},
      {"975", "BT"},
      {"976", "MN"},
      {"977", "NP"},
      {"98", "IR"},
      {"992", "TJ"},
      {"993", "TM"},
      {"994", "AZ"},
      {"995", "GE"},
      {"996", "KG"},
      {"998", "UZ"}};
  if (!is_e164(e164)) return std::nullopt;
  for (const auto& [code, countries] : kCallingCodes)
    if (e164.substr(1, code.size()) == code) return countries;
  return std::nullopt;
}

bool is_number_of_country(std::string_view e164, std::string_view country_code) {
  const auto countries = countries_of_number(e164);
  if (!countries) return true;  // a code not in the table: nothing to contradict
  for (std::size_t at = 0; at < countries->size(); at += 3)
    if (countries->substr(at, 2) == country_code) return true;
  return false;
}
bool is_time_zone(std::string_view s) { return find_time_zone(s) != nullptr; }

}  // namespace cxco::domain
