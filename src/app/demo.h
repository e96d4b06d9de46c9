// Demo data: `cxco serve --demo` (the README's run command) seeds an empty database with a demo
// company, user and number pool and prints their keys once; `cxco dev simulate-call` sends
// signed post-call webhooks to a running server, as the voice provider would.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "app/platform.h"

namespace cxco::app {

void seed_demo(Platform& platform, std::ostream& out);

struct SimulateOptions {
  std::int64_t agent_id = 0;
  std::optional<std::int64_t> duration;
  std::string transfer_to;
  int count = 1;
};
// Returns the process exit status.
int simulate_calls(const Config& config, services::Agents& agents, const util::Clock& clock, const SimulateOptions& o);

// `cxco dev watch-campaign`: prints a campaign's counts (through the running server's API, with
// a user key) every `interval_seconds` until it completes or is canceled. Returns the process
// exit status.
int watch_campaign(const Config& config, std::int64_t campaign_id, const std::string& user_key,
                   double interval_seconds);

}  // namespace cxco::app
