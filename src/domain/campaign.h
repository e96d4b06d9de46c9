// Campaigns (platform.md section 7): recipients called by the dialer inside calling windows in
// each recipient's own time zone, at most max_concurrency at once, retried per outcome.
//
// Campaign lifecycle:  scheduled --start_at reached--> running --every recipient finished--> completed
//                      scheduled | running --pause--> paused --resume--> scheduled | running
//                      scheduled | running | paused --cancel--> canceled
// Recipient:           pending --dialed--> in_progress --outcome--> completed | failed | pending (retry)
//                      pending --on the do-not-call list when its turn came--> skipped
//                      pending | in_progress --campaign canceled--> canceled
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/call.h"
#include "domain/company.h"

namespace date {
class time_zone;
}

namespace cxco::domain {

enum class CampaignStatus { scheduled, running, paused, completed, canceled };
std::string_view to_string(CampaignStatus s);
std::optional<CampaignStatus> parse_campaign_status(std::string_view s);

enum class CampaignAction { start, pause, resume, complete, cancel };
// The status `action` leads to; nullopt when not allowed. `started` says whether start_at has
// passed (resume goes back to scheduled before it).
std::optional<CampaignStatus> transition(CampaignStatus from, CampaignAction action, bool started = true);
std::string refusal(CampaignStatus from, CampaignAction action);
inline bool has_ended(CampaignStatus s) { return s == CampaignStatus::completed || s == CampaignStatus::canceled; }

enum class RecipientStatus { pending, in_progress, completed, failed, skipped, canceled };
std::string_view to_string(RecipientStatus s);
std::optional<RecipientStatus> parse_recipient_status(std::string_view s);

// A window of local time on some weekdays: [start, end) in minutes of the day, end <= 1440
// ("24:00"); a window never crosses midnight.
struct CallingWindow {
  unsigned days = 0;  // bit d set: weekday d (0 = Sunday ... 6 = Saturday)
  int start_minute = 0;
  int end_minute = 0;
};
// The system tz database's zone of an IANA name; nullptr for an unknown name.
const date::time_zone* find_time_zone(std::string_view name);

// "mon".."sun" -> 1..6,0; nullopt otherwise.
std::optional<unsigned> weekday_of(std::string_view day);
std::string_view weekday_name(unsigned weekday);
// "HH:MM" in 00:00..24:00 -> minutes; nullopt otherwise.
std::optional<int> parse_clock(std::string_view text);
std::string format_clock(int minutes);

// The earliest instant at or after `now_ms` (unix ms) that falls inside a window in `zone`'s
// local time; `now_ms` itself when inside one (or when there are no windows). Local times a
// daylight-saving change skips do not exist, and a window is open only for local times that do;
// nullopt when no window opens within the next eight days (e.g. all its hours are skipped).
std::optional<std::int64_t> next_window_opening(const std::vector<CallingWindow>& windows, const date::time_zone& zone,
                                                std::int64_t now_ms);

struct RetryPolicy {
  std::int64_t max_attempts = 3;
  std::int64_t backoff_seconds = 3600;
  std::vector<CallStatus> on = {CallStatus::busy, CallStatus::no_answer};
};

// Where a recipient goes when its call ends: completed, failed (no retry left or wanted),
// canceled (the call was stopped before dialing: do-not-call), or pending again at
// `next_attempt_ms`. A dial that was never placed is always tried again while attempts remain:
// nobody was called.
struct RecipientDecision {
  RecipientStatus status = RecipientStatus::pending;
  std::optional<std::int64_t> next_attempt_ms;
};
RecipientDecision after_call(const RetryPolicy& retry, std::int64_t attempts, CallStatus outcome,
                             std::optional<std::string_view> end_reason, std::int64_t now_ms);

struct RecipientCounts {
  std::int64_t total = 0, pending = 0, in_progress = 0, completed = 0, failed = 0, skipped = 0, canceled = 0;
  void add(RecipientStatus status, std::int64_t n);
};

// What the campaign's calls used: calls placed and their conversations' minutes.
struct CampaignUsage {
  std::int64_t calls = 0;
  std::int64_t conversations = 0;
  std::int64_t duration_seconds = 0;
};

struct Campaign {
  std::int64_t id = 0;
  CompanyId company_id;
  std::int64_t agent_id = 0;
  std::string name;
  CampaignStatus status = CampaignStatus::scheduled;
  std::string timezone = "UTC";
  std::string start_at;
  std::int64_t start_at_ms = 0;
  std::vector<CallingWindow> calling_windows;
  std::int64_t max_concurrency = 5;
  RetryPolicy retry;
  RecipientCounts counts;
  CampaignUsage usage;
  std::string created_at, updated_at;
  std::optional<std::string> completed_at;
};

struct NewRecipient {
  std::string phone_number;
  std::optional<std::string> timezone;  // the campaign's when absent
  std::optional<std::string> external_id;
  std::string dynamic_variables_json = "{}";
};

struct NewCampaign {
  std::string name;
  std::int64_t agent_id = 0;
  std::string timezone = "UTC";
  std::optional<std::int64_t> start_at_ms;  // now when absent
  std::vector<CallingWindow> calling_windows;
  std::int64_t max_concurrency = 5;
  RetryPolicy retry;
  std::vector<NewRecipient> recipients;
};

struct Recipient {
  std::int64_t id = 0;
  std::int64_t campaign_id = 0;
  std::string phone_number, timezone;
  std::optional<std::string> external_id;
  std::string dynamic_variables_json = "{}";
  RecipientStatus status = RecipientStatus::pending;
  std::int64_t attempts = 0;
  std::optional<std::string> last_outcome;
  std::optional<std::int64_t> next_attempt_ms;  // shown while pending
  std::vector<std::int64_t> call_ids;
};

}  // namespace cxco::domain
