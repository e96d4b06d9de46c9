// What the voice provider sends after a call, made up for demos, benchmarks and the simulated
// provider: a realistic post_call_transcription body (providers.md 1.5).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "domain/analysis.h"

namespace cxco::providers {

struct SimulatedCall {
  std::string external_agent_id;
  std::string agent_number;  // E.164; empty when the agent has none
  std::int64_t started_unix = 0;
  std::int64_t duration_seconds = 180;
  bool successful = true;
  std::optional<std::string> transfer_to;  // E.164: the agent transfers by SIP REFER mid-call
  // A call CXCo placed (platform.md section 7): the number called, the conversation id the
  // provider gave the dial and the dial token the conversation carries (its user_id); whether a
  // voicemail system answered. Absent: a caller rang the agent.
  struct Outbound {
    std::string to_number, conversation_id, dial_token;
    bool voicemail = false;
  };
  std::optional<Outbound> outbound;
  // The agent's analysis settings: the call carries a plausible result for each criterion and
  // field (criteria follow `successful`, values fit their type and enum).
  domain::AnalysisSettings analysis;
};

boost::json::object simulated_post_call(const SimulatedCall& call);

}  // namespace cxco::providers
