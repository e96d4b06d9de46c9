#include "domain/usage.h"

#include "util/time.h"

namespace cxco::domain {

namespace {

// round(numerator / denominator * scale) / scale, half up, in integers so that sums of whole
// seconds never meet binary-fraction surprises.
double rounded(std::int64_t numerator, std::int64_t denominator, std::int64_t scale) {
  const std::int64_t scaled = (2 * numerator * scale + denominator) / (2 * denominator);
  return static_cast<double>(scaled) / static_cast<double>(scale);
}

}  // namespace

UsageTotals& UsageTotals::operator+=(const UsageTotals& o) {
  conversations += o.conversations;
  duration_seconds += o.duration_seconds;
  sip_refer_seconds += o.sip_refer_seconds;
  messages += o.messages;
  successful += o.successful;
  known_outcomes += o.known_outcomes;
  outbound_conversations += o.outbound_conversations;
  outbound_duration_seconds += o.outbound_duration_seconds;
  return *this;
}

double minutes(std::int64_t seconds) { return rounded(seconds, 60, 10); }

std::optional<double> average_duration_seconds(const UsageTotals& t) {
  if (t.conversations == 0) return std::nullopt;
  return rounded(t.duration_seconds, t.conversations, 10);
}

std::optional<double> success_rate(const UsageTotals& t) {
  if (t.known_outcomes == 0) return std::nullopt;
  return rounded(t.successful, t.known_outcomes, 10000);
}

std::int64_t first_of_month(std::int64_t day) {
  return *util::parse_date(util::date_from_days(day).substr(0, 8) + "01");
}

}  // namespace cxco::domain
