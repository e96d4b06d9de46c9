#include "domain/call.h"

#include <array>
#include <cctype>

namespace cxco::domain {

namespace {

constexpr std::array kNames = {"queued", "dialing",   "initiated", "in_progress", "completed",
                               "failed", "no_answer", "busy",      "voicemail",   "canceled"};

// The transition table: every (from, event) the machine allows and where it leads. `ended`
// rows lead to the reported outcome (kOutcome marks them).
constexpr auto kOutcome = CallStatus::completed;
struct Edge {
  CallStatus from;
  CallEvent event;
  CallStatus to;
};
constexpr Edge kEdges[] = {
    {CallStatus::queued, CallEvent::dial, CallStatus::dialing},
    {CallStatus::queued, CallEvent::cancel, CallStatus::canceled},
    {CallStatus::dialing, CallEvent::accepted, CallStatus::initiated},
    {CallStatus::dialing, CallEvent::dial_failed, CallStatus::failed},
    // A recovered dial can find the call already over at the provider.
    {CallStatus::dialing, CallEvent::answered, CallStatus::in_progress},
    {CallStatus::dialing, CallEvent::ended, kOutcome},
    {CallStatus::initiated, CallEvent::answered, CallStatus::in_progress},
    {CallStatus::initiated, CallEvent::ended, kOutcome},
    {CallStatus::in_progress, CallEvent::ended, kOutcome},
};

}  // namespace

std::string_view to_string(CallStatus s) { return kNames[static_cast<std::size_t>(s)]; }

std::optional<CallStatus> parse_call_status(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<CallStatus>(i);
  return std::nullopt;
}

std::string_view public_name(CallStatus s) { return to_string(s == CallStatus::dialing ? CallStatus::initiated : s); }

bool is_terminal(CallStatus s) { return is_outcome(s) || s == CallStatus::canceled; }

bool is_outcome(CallStatus s) {
  return s == CallStatus::completed || s == CallStatus::failed || s == CallStatus::no_answer || s == CallStatus::busy ||
         s == CallStatus::voicemail;
}

std::optional<CallStatus> outcome_of(const CallRecord& record) {
  if (!record.finished()) return std::nullopt;
  if (record.status == "completed") return record.voicemail ? CallStatus::voicemail : CallStatus::completed;
  // The provider's words (providers.md 1.5: "busy", "no-answer"), read loosely: the reasons are
  // not enumerated anywhere.
  std::string reason = record.failure_reason.value_or("");
  for (auto& c : reason) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (reason.find("busy") != std::string::npos) return CallStatus::busy;
  for (const auto* no_answer : {"no-answer", "no_answer", "no answer"})
    if (reason.find(no_answer) != std::string::npos) return CallStatus::no_answer;
  return CallStatus::failed;
}

std::optional<CallStatus> next_status(CallStatus from, CallEvent event, CallStatus outcome) {
  if (event == CallEvent::ended && !is_outcome(outcome)) return std::nullopt;
  for (const auto& edge : kEdges)
    if (edge.from == from && edge.event == event) return event == CallEvent::ended ? outcome : edge.to;
  return std::nullopt;
}

}  // namespace cxco::domain
