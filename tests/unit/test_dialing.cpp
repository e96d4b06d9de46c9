// The dial state machine, the campaign lifecycle, the retry decisions and calling windows across
// time zones and daylight-saving changes (platform.md section 7).
#include <date/tz.h>
#include <gtest/gtest.h>

#include "domain/call.h"
#include "domain/campaign.h"
#include "util/time.h"
#include "wire/csv.h"

namespace cxco::domain {

namespace {

using S = CallStatus;
using E = CallEvent;

std::int64_t at(std::string_view iso) { return *util::parse_timestamp_ms(iso); }

std::string iso(std::optional<std::int64_t> ms) { return ms ? util::iso8601(*ms / 1000) : "never"; }

const date::time_zone& zone(std::string_view name) { return *find_time_zone(name); }

CallingWindow every_day(std::string_view start, std::string_view end) {
  return {0x7F, *parse_clock(start), *parse_clock(end)};
}

}  // namespace

TEST(DialStateMachine, AllowsExactlyTheTableAndNothingFromATerminalStatus) {
  struct Step {
    S from;
    E event;
    std::optional<S> to;
  };
  const std::vector<Step> table = {
      {S::queued, E::dial, S::dialing},
      {S::queued, E::cancel, S::canceled},
      {S::queued, E::accepted, std::nullopt},
      {S::queued, E::ended, std::nullopt},
      {S::dialing, E::accepted, S::initiated},
      {S::dialing, E::dial_failed, S::failed},
      {S::dialing, E::cancel, std::nullopt},
      {S::dialing, E::dial, std::nullopt},
      {S::dialing, E::answered, S::in_progress},
      {S::initiated, E::answered, S::in_progress},
      {S::initiated, E::dial, std::nullopt},
      {S::initiated, E::cancel, std::nullopt},
      {S::in_progress, E::answered, std::nullopt},
  };
  for (const auto& step : table)
    EXPECT_EQ(next_status(step.from, step.event), step.to)
        << to_string(step.from) << " event " << static_cast<int>(step.event);
  for (const auto from : {S::completed, S::failed, S::no_answer, S::busy, S::voicemail, S::canceled})
    for (const auto event : {E::dial, E::accepted, E::dial_failed, E::answered, E::ended, E::cancel})
      EXPECT_EQ(next_status(from, event, S::completed), std::nullopt) << to_string(from);
}

TEST(DialStateMachine, EndedLeadsToTheReportedOutcomeOnly) {
  for (const auto from : {S::dialing, S::initiated, S::in_progress}) {
    for (const auto outcome : {S::completed, S::failed, S::no_answer, S::busy, S::voicemail})
      EXPECT_EQ(next_status(from, E::ended, outcome), outcome) << to_string(from);
    for (const auto not_outcome : {S::queued, S::dialing, S::initiated, S::in_progress, S::canceled})
      EXPECT_EQ(next_status(from, E::ended, not_outcome), std::nullopt) << to_string(not_outcome);
  }
}

TEST(DialStateMachine, DialingReadsAsInitiated) {
  EXPECT_EQ(public_name(S::dialing), "initiated");
  EXPECT_EQ(to_string(S::dialing), "dialing");
  EXPECT_EQ(public_name(S::no_answer), "no_answer");
  EXPECT_EQ(parse_call_status("in_progress"), S::in_progress);
  EXPECT_EQ(parse_call_status("ringing"), std::nullopt);
}

TEST(DialStateMachine, OutcomeOfAConversation) {
  CallRecord r;
  r.status = "in_progress";
  EXPECT_EQ(outcome_of(r), std::nullopt);
  r.status = "completed";
  EXPECT_EQ(outcome_of(r), S::completed);
  r.voicemail = true;
  EXPECT_EQ(outcome_of(r), S::voicemail);
  r = {};
  r.status = "failed";
  EXPECT_EQ(outcome_of(r), S::failed);
  r.failure_reason = "busy";
  EXPECT_EQ(outcome_of(r), S::busy);
  r.failure_reason = "no-answer";
  EXPECT_EQ(outcome_of(r), S::no_answer);
  r.failure_reason = "SIP 503 Service Unavailable";
  EXPECT_EQ(outcome_of(r), S::failed);
}

TEST(CampaignLifecycle, AllowsExactlyTheDocumentedSteps) {
  using C = CampaignStatus;
  using A = CampaignAction;
  EXPECT_EQ(transition(C::scheduled, A::start), C::running);
  EXPECT_EQ(transition(C::running, A::start), std::nullopt);
  EXPECT_EQ(transition(C::scheduled, A::pause), C::paused);
  EXPECT_EQ(transition(C::running, A::pause), C::paused);
  EXPECT_EQ(transition(C::paused, A::pause), std::nullopt);
  EXPECT_EQ(transition(C::paused, A::resume, true), C::running);
  EXPECT_EQ(transition(C::paused, A::resume, false), C::scheduled);
  EXPECT_EQ(transition(C::running, A::resume), std::nullopt);
  EXPECT_EQ(transition(C::running, A::complete), C::completed);
  EXPECT_EQ(transition(C::paused, A::complete), std::nullopt);
  for (const auto from : {C::scheduled, C::running, C::paused}) EXPECT_EQ(transition(from, A::cancel), C::canceled);
  for (const auto from : {C::completed, C::canceled})
    for (const auto action : {A::start, A::pause, A::resume, A::complete, A::cancel})
      EXPECT_EQ(transition(from, action), std::nullopt);
}

TEST(RetryPolicy, RetriesListedOutcomesAfterTheBackoffUntilAttemptsRunOut) {
  const RetryPolicy retry{3, 600, {S::busy, S::no_answer}};
  const auto now = at("2026-03-02T10:00:00Z");
  EXPECT_EQ(after_call(retry, 1, S::completed, std::nullopt, now).status, RecipientStatus::completed);
  const auto busy = after_call(retry, 1, S::busy, std::nullopt, now);
  EXPECT_EQ(busy.status, RecipientStatus::pending);
  EXPECT_EQ(busy.next_attempt_ms, now + 600'000);
  EXPECT_EQ(after_call(retry, 2, S::no_answer, std::nullopt, now).status, RecipientStatus::pending);
  EXPECT_EQ(after_call(retry, 3, S::busy, std::nullopt, now).status, RecipientStatus::failed);
  EXPECT_EQ(after_call(retry, 1, S::voicemail, std::nullopt, now).status, RecipientStatus::failed);
  EXPECT_EQ(after_call(retry, 1, S::failed, std::string_view("provider_error"), now).status, RecipientStatus::failed);
  // Nobody was called: tried again at once while attempts remain, whatever `on` says.
  const auto not_placed = after_call(retry, 1, S::failed, kNotPlaced, now);
  EXPECT_EQ(not_placed.status, RecipientStatus::pending);
  EXPECT_EQ(not_placed.next_attempt_ms, now);
  EXPECT_EQ(after_call(retry, 3, S::failed, kNotPlaced, now).status, RecipientStatus::failed);
  EXPECT_EQ(after_call(retry, 1, S::canceled, std::nullopt, now).status, RecipientStatus::canceled);
}

TEST(CallingWindows, ClockTimesAndDays) {
  EXPECT_EQ(parse_clock("09:30"), 570);
  EXPECT_EQ(parse_clock("24:00"), 1440);
  EXPECT_EQ(parse_clock("00:00"), 0);
  for (const auto* bad : {"24:01", "25:00", "9:30", "09:60", "0930", "09:3a", ""})
    EXPECT_EQ(parse_clock(bad), std::nullopt) << bad;
  EXPECT_EQ(format_clock(1440), "24:00");
  EXPECT_EQ(weekday_of("mon"), 1u);
  EXPECT_EQ(weekday_of("sun"), 0u);
  EXPECT_EQ(weekday_of("Mon"), std::nullopt);
  EXPECT_EQ(find_time_zone("Mars/Olympus"), nullptr);
  EXPECT_EQ(find_time_zone("../../etc/passwd"), nullptr);
  EXPECT_NE(find_time_zone("Africa/Johannesburg"), nullptr);
}

TEST(CallingWindows, OpenNowOrAtTheNextOpeningInTheRecipientsZone) {
  const std::vector<CallingWindow> weekdays = {{0b0111110, 9 * 60, 17 * 60}};
  const auto& jhb = zone("Africa/Johannesburg");  // UTC+2, no DST
  // Monday 2026-03-02 10:00 in Johannesburg is inside.
  EXPECT_EQ(next_window_opening(weekdays, jhb, at("2026-03-02T08:00:00Z")), at("2026-03-02T08:00:00Z"));
  // 08:00 local: opens at 09:00 local the same day.
  EXPECT_EQ(iso(next_window_opening(weekdays, jhb, at("2026-03-02T06:00:00Z"))), "2026-03-02T07:00:00Z");
  // The end is exclusive: 17:00 local on Friday opens on Monday.
  EXPECT_EQ(iso(next_window_opening(weekdays, jhb, at("2026-03-06T15:00:00Z"))), "2026-03-09T07:00:00Z");
  // The same instant is inside for one recipient and outside for another.
  const auto instant = at("2026-03-02T16:00:00Z");  // 18:00 in Johannesburg, 11:00 in New York
  EXPECT_EQ(next_window_opening(weekdays, zone("America/New_York"), instant), instant);
  EXPECT_EQ(iso(next_window_opening(weekdays, jhb, instant)), "2026-03-03T07:00:00Z");
  // No windows: any time.
  EXPECT_EQ(next_window_opening({}, jhb, instant), instant);
}

TEST(CallingWindows, FollowTheClockAcrossDaylightSavingChanges) {
  const auto& ny = zone("America/New_York");
  // Saturday 2025-03-08 18:00 EST; the clocks go forward that night: Sunday 09:00 is EDT (UTC-4).
  EXPECT_EQ(iso(next_window_opening({every_day("09:00", "17:00")}, ny, at("2025-03-08T23:00:00Z"))),
            "2025-03-09T13:00:00Z");
  // 02:00-03:00 does not exist on 2025-03-09 in New York: the window opens a week later.
  const std::vector<CallingWindow> sunday_small_hours = {{1u << 0, 2 * 60, 3 * 60}};
  EXPECT_EQ(iso(next_window_opening(sunday_small_hours, ny, at("2025-03-09T05:00:00Z"))), "2025-03-16T06:00:00Z");
  // 02:30-04:00 that night opens when the clocks reach 03:00 EDT.
  const std::vector<CallingWindow> half_skipped = {{1u << 0, 150, 240}};
  EXPECT_EQ(iso(next_window_opening(half_skipped, ny, at("2025-03-09T05:00:00Z"))), "2025-03-09T07:00:00Z");

  // Berlin goes back from 03:00 CEST to 02:00 CET on 2025-10-26: 02:00-02:30 happens twice.
  const auto& berlin = zone("Europe/Berlin");
  const std::vector<CallingWindow> twice = {{1u << 0, 120, 150}};
  EXPECT_EQ(next_window_opening(twice, berlin, at("2025-10-26T00:10:00Z")), at("2025-10-26T00:10:00Z"));
  EXPECT_EQ(iso(next_window_opening(twice, berlin, at("2025-10-26T00:40:00Z"))), "2025-10-26T01:00:00Z");
  EXPECT_EQ(next_window_opening(twice, berlin, at("2025-10-26T01:10:00Z")), at("2025-10-26T01:10:00Z"));
}

TEST(Timestamps, NeedAnOffset) {
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12T14:30:00Z"), at("2026-03-12T14:30:00Z"));
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12T16:30:00+02:00"), at("2026-03-12T14:30:00Z"));
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12T09:30-05:00"), at("2026-03-12T14:30:00Z"));
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12T14:30:00.250Z"), at("2026-03-12T14:30:00Z") + 250);
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12T14:00:00-00:30"), at("2026-03-12T14:30:00Z"));
  EXPECT_EQ(util::parse_timestamp_ms("2026-03-12t14:30:00z"), at("2026-03-12T14:30:00Z"));
  for (const auto* bad :
       {"2026-03-12T14:30:00", "2026-03-12", "2026-03-12 14:30:00Z", "2026-02-30T10:00:00Z", "2026-03-12T24:00:00Z",
        "2026-03-12T14:30:00+2", "2026-03-12T14:30:00+2:00", "2026-03-12T14:30:00.Z", "2026-03-12T14:30:00Zjunk",
        "2026-03-12T14:30:00Z ", "2026-03-12T14:30:00+24:00", ""})
    EXPECT_EQ(util::parse_timestamp_ms(bad), std::nullopt) << bad;
}

}  // namespace cxco::domain

namespace cxco::wire {

TEST(Csv, QuotedFieldsLineBreaksAndRowNumbers) {
  std::vector<FieldError> errors;
  const auto table = parse_csv(
      "\xEF\xBB\xBFphone_number,name,note\r\n+27211234561,\"Smith, Jane\",\"said \"\"hi\"\"\"\r\n\r\n"
      "+27211234562,Bob,\"two\nlines\"\n+27211234563,Ann,x",
      errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(table.header.fields, (std::vector<std::string>{"phone_number", "name", "note"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].fields[1], "Smith, Jane");
  EXPECT_EQ(table.rows[0].fields[2], "said \"hi\"");
  EXPECT_EQ(table.rows[1].number, 4u);
  EXPECT_EQ(table.rows[1].fields[2], "two\nlines");
  EXPECT_EQ(table.rows[2].number, 6u);
}

TEST(Csv, RaggedRowsAndBadEncodingAreNamedByRow) {
  std::vector<FieldError> errors;
  const auto table = parse_csv("phone_number,name\n+27211234561,Jane\n+27211234562\n+27211234563,Caf\xE9\n", errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].loc, (std::vector<std::string>{"body", "3"}));
  EXPECT_EQ(errors[1].loc, (std::vector<std::string>{"body", "4"}));
  EXPECT_NE(errors[1].msg.find("UTF-8"), std::string::npos);
  EXPECT_EQ(table.rows.size(), 1u);
  errors.clear();
  parse_csv("phone_number\n\"+2721", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].loc, (std::vector<std::string>{"body", "2"}));
}

}  // namespace cxco::wire
