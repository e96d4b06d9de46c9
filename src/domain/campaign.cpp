#include "domain/campaign.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace cxco::domain {

namespace {

constexpr std::array kCampaignNames = {"scheduled", "running", "paused", "completed", "canceled"};
constexpr std::array kRecipientNames = {"pending", "in_progress", "completed", "failed", "skipped", "canceled"};
// Indexed by C weekday (0 = Sunday), as the API spells them.
constexpr std::array kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
// Windows repeat weekly, so an opening is at most a week away, plus the rest of today.
constexpr int kDaysAhead = 8;

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<const char*, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(CampaignStatus s) { return kCampaignNames[static_cast<std::size_t>(s)]; }
std::optional<CampaignStatus> parse_campaign_status(std::string_view s) {
  return parse_name<CampaignStatus>(kCampaignNames, s);
}
std::string_view to_string(RecipientStatus s) { return kRecipientNames[static_cast<std::size_t>(s)]; }
std::optional<RecipientStatus> parse_recipient_status(std::string_view s) {
  return parse_name<RecipientStatus>(kRecipientNames, s);
}

std::optional<CampaignStatus> transition(CampaignStatus from, CampaignAction action, bool started) {
  switch (action) {
    case CampaignAction::start:
      if (from == CampaignStatus::scheduled) return CampaignStatus::running;
      break;
    case CampaignAction::pause:
      if (from == CampaignStatus::scheduled || from == CampaignStatus::running) return CampaignStatus::paused;
      break;
    case CampaignAction::resume:
      if (from == CampaignStatus::paused) return started ? CampaignStatus::running : CampaignStatus::scheduled;
      break;
    case CampaignAction::complete:
      if (from == CampaignStatus::running) return CampaignStatus::completed;
      break;
    case CampaignAction::cancel:
      if (!has_ended(from)) return CampaignStatus::canceled;
      break;
  }
  return std::nullopt;
}

std::string refusal(CampaignStatus from, CampaignAction action) {
  const std::string status(to_string(from));
  switch (action) {
    case CampaignAction::pause: return "Only a scheduled or running campaign can be paused (status is " + status + ")";
    case CampaignAction::resume: return "Only a paused campaign can be resumed (status is " + status + ")";
    case CampaignAction::cancel: return "The campaign has already ended (status is " + status + ")";
    case CampaignAction::start:
    case CampaignAction::complete: break;
  }
  return "The campaign cannot do that now (status is " + status + ")";
}

const date::time_zone* find_time_zone(std::string_view name) {
  // Names only: a path-like name must not reach the tz database's file lookup.
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos || name.front() == '/')
    return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return nullptr;
  }
}

std::optional<unsigned> weekday_of(std::string_view day) {
  for (unsigned i = 0; i < kDays.size(); ++i)
    if (kDays[i] == day) return i;
  return std::nullopt;
}

std::string_view weekday_name(unsigned weekday) { return kDays[weekday % 7]; }

std::optional<int> parse_clock(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  for (const auto i : {0, 1, 3, 4})
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string format_clock(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60 % 100, minutes % 60);
  return buf;
}

std::optional<std::int64_t> next_window_opening(const std::vector<CallingWindow>& windows, const date::time_zone& zone,
                                                std::int64_t now_ms) {
  using namespace std::chrono;
  if (windows.empty()) return now_ms;
  const date::sys_time<milliseconds> now{milliseconds(now_ms)};
  const auto local_now = zone.to_local(now);
  const auto today = date::floor<date::days>(local_now);
  // Whether a local time on `day` lies in one of that weekday's windows.
  auto open_at = [&](date::local_days day, long minute) {
    const auto weekday = date::weekday(day).c_encoding();
    return std::any_of(windows.begin(), windows.end(), [&](const CallingWindow& w) {
      return (w.days >> weekday & 1u) && minute >= w.start_minute && minute < w.end_minute;
    });
  };
  if (open_at(today, duration_cast<minutes>(local_now - today).count())) return now_ms;

  std::optional<std::int64_t> best;
  for (int k = 0; k < kDaysAhead && !best; ++k) {
    const auto day = today + date::days(k);
    const auto weekday = date::weekday(day).c_encoding();
    for (const auto& w : windows) {
      if (!(w.days >> weekday & 1u)) continue;
      const auto local_open = day + minutes(w.start_minute);
      // A skipped local time maps to the instant of the change; a repeated one has two instants.
      for (const auto choice : {date::choose::earliest, date::choose::latest}) {
        const auto at = zone.to_sys(local_open, choice);
        const auto at_ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
        if (at_ms <= now_ms || (best && at_ms >= *best)) continue;
        // Only an instant whose local time is really inside this window (not past a gap).
        const auto local_at = zone.to_local(at);
        const auto local_day = date::floor<date::days>(local_at);
        if (local_day == day && open_at(day, duration_cast<minutes>(local_at - local_day).count())) best = at_ms;
      }
    }
  }
  return best;
}

RecipientDecision after_call(const RetryPolicy& retry, std::int64_t attempts, CallStatus outcome,
                             std::optional<std::string_view> end_reason, std::int64_t now_ms) {
  if (outcome == CallStatus::completed) return {RecipientStatus::completed, std::nullopt};
  if (outcome == CallStatus::canceled) return {RecipientStatus::canceled, std::nullopt};
  const bool not_placed = end_reason == kNotPlaced;
  const bool wanted = not_placed || std::find(retry.on.begin(), retry.on.end(), outcome) != retry.on.end();
  if (wanted && attempts < retry.max_attempts)
    return {RecipientStatus::pending, now_ms + (not_placed ? 0 : retry.backoff_seconds * 1000)};
  return {RecipientStatus::failed, std::nullopt};
}

void RecipientCounts::add(RecipientStatus status, std::int64_t n) {
  total += n;
  switch (status) {
    case RecipientStatus::pending: pending += n; break;
    case RecipientStatus::in_progress: in_progress += n; break;
    case RecipientStatus::completed: completed += n; break;
    case RecipientStatus::failed: failed += n; break;
    case RecipientStatus::skipped: skipped += n; break;
    case RecipientStatus::canceled: canceled += n; break;
  }
}

}  // namespace cxco::domain
