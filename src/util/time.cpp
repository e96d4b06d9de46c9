#include "util/time.h"

#include <chrono>
#include <cstdio>

namespace cxco::util {

std::int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Howard Hinnant's civil-from-days / days-from-civil (proleptic Gregorian, UTC).
struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The number in t[from, from + n), all decimal digits; nullopt otherwise.
std::optional<unsigned> digits(std::string_view t, std::size_t from, std::size_t n) {
  if (from + n > t.size()) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(t[i] - '0');
  }
  return v;
}

}  // namespace

std::string iso8601(std::int64_t unix_seconds) {
  const std::int64_t days = floor_div(unix_seconds, 86400);
  const std::int64_t secs = unix_seconds - days * 86400;
  const Civil c = civil_from_days(days);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year), c.month,
                c.day, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

std::string date_from_days(std::int64_t days) {
  const Civil c = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string utc_date(std::int64_t unix_seconds) { return date_from_days(floor_div(unix_seconds, 86400)); }

std::optional<std::int64_t> parse_timestamp_ms(std::string_view t) {
  if (t.size() < 17 || (t[10] != 'T' && t[10] != 't')) return std::nullopt;
  const auto day = parse_date(t.substr(0, 10));
  if (!day) return std::nullopt;
  std::size_t i = 11;
  auto number = [&](std::size_t n, unsigned max) -> std::optional<std::int64_t> {
    if (i + n > t.size()) return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v <= max ? std::optional<std::int64_t>(v) : std::nullopt;
  };
  const auto hour = number(2, 23);
  if (!hour || i >= t.size() || t[i++] != ':') return std::nullopt;
  const auto minute = number(2, 59);
  if (!minute) return std::nullopt;
  std::int64_t ms = (*day * 86400 + *hour * 3600 + *minute * 60) * 1000;
  if (i < t.size() && t[i] == ':') {
    ++i;
    const auto second = number(2, 59);
    if (!second) return std::nullopt;
    ms += *second * 1000;
    if (i < t.size() && t[i] == '.') {
      std::int64_t scale = 100;
      const auto first_digit = ++i;
      for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, scale /= 10) ms += (t[i] - '0') * scale;
      if (i == first_digit) return std::nullopt;
    }
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z'))
    return i + 1 == t.size() ? std::optional<std::int64_t>(ms) : std::nullopt;
  if (i >= t.size() || (t[i] != '+' && t[i] != '-')) return std::nullopt;
  const int sign = t[i++] == '+' ? 1 : -1;
  const auto offset_hours = number(2, 14);
  if (!offset_hours || i >= t.size() || t[i++] != ':') return std::nullopt;
  const auto offset_minutes = number(2, 59);
  if (!offset_minutes || i != t.size()) return std::nullopt;
  ms -= sign * (*offset_hours * 3600 + *offset_minutes * 60) * 1000;
  return ms >= 0 ? std::optional<std::int64_t>(ms) : std::nullopt;
}

std::optional<std::int64_t> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  const auto y = digits(t, 0, 4), m = digits(t, 5, 2), d = digits(t, 8, 2);
  // Year 0000 is ISO 8601's 1 BC: no usage or call predates the epoch, so years start at 1970.
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  const unsigned max_day = *m == 2 && leap ? 29 : kDays[*m - 1];
  if (*d > max_day) return std::nullopt;
  return days_from_civil(*y, *m, *d);
}

}  // namespace cxco::util
