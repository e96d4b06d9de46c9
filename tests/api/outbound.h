// What the outbound call and campaign tests share: a server on a ManualClock with a published
// agent, and a way to let the dialer do all it can at the current time before moving on.
#pragma once

#include <memory>
#include <string>

#include "harness.h"
#include "store/db.h"

namespace cxco::test {

class OutboundTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kStartMs = 1772445600000;  // Monday 2026-03-02 10:00 UTC

  // A server on the manual clock with simulated calls of `sim_seconds`, a company, a user and a
  // published agent.
  void start(std::function<void(std::map<std::string, std::string>&)> tweak = {}, const char* sim_seconds = "2");
  // Waits until no job of the work queue is due or running at the current clock time: all the
  // dialer can do now is done.
  void settle();
  // Settles, then steps the clock by `step_seconds` until `done` holds; false after `max_steps`.
  template <class F>
  bool run_until(F&& done, double step_seconds = 0.5, int max_steps = 2000) {
    for (int i = 0; i < max_steps; ++i) {
      settle();
      if (done()) return true;
      clock.advance_seconds(step_seconds);
    }
    return false;
  }
  // One number of the first result row of `sql` (column n).
  std::int64_t count(const std::string& sql, const store::Params& params = {});

  ManualClock clock{kStartMs};
  std::unique_ptr<TestServer> server;
  std::unique_ptr<store::Database> db;  // the server's database, for checks
  TestServer::Account company{}, user{};
  std::int64_t agent_id = 0;
};

}  // namespace cxco::test
