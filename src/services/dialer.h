// The dialer (platform.md section 7): runs in every `cxco serve` on the work queue. One job per
// campaign claims due recipients inside their calling windows, never past the campaign's
// max_concurrency (counted in the database, in the claim's transaction, under the campaign's
// row lock, so nodes sharing a PostgreSQL database together stay under it). One job per call
// dials it and follows it until the provider's conversation settles it.
//
// A call is marked `dialing` in the database before the provider is asked to call; a node that
// dies (or whose request times out) leaves it there, and whichever node takes the job up next
// looks the dial up at the provider by its dial token rather than dialing again.
#pragma once

#include <chrono>
#include <cstdint>

#include "domain/call.h"
#include "providers/voice_provider.h"
#include "services/conversations.h"
#include "services/credentials.h"
#include "services/queue_worker.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

struct DialerOptions {
  // Dial and follow-up jobs in progress at once on this node; `serve` gives the dialer half the
  // database pool, so API requests never queue behind it for a connection.
  int concurrency = 4;
  std::chrono::milliseconds poll{100};
  // Between looks at a call in progress. The post-call webhook normally settles a live call;
  // polling is what settles one whose webhook is lost (and every simulated call).
  std::chrono::milliseconds call_poll{30000};
  // How long a dial whose answer was lost may take to show at the provider before it counts as
  // never placed: past the client's whole retry schedule.
  std::chrono::milliseconds dial_settle{60000};
  // A call the provider never reports the end of is given up after this.
  std::chrono::milliseconds give_up{std::chrono::hours(3)};
  // A claimed job not finished within this is taken up again (its node died). Short, so a
  // dead node's campaigns go on soon: a node that is merely slow can do no harm, because a
  // campaign pass commits only while it holds the lease, and every step of a call is guarded by
  // the call's status (a second node finds a dial in progress `dialing` and looks it up).
  std::chrono::milliseconds campaign_lease{std::chrono::seconds(10)};
  std::chrono::milliseconds call_lease{std::chrono::seconds(15)};
};

class Dialer {
 public:
  Dialer(store::Database& db, const util::Clock& clock, providers::VoiceProvider& voice, Credentials& credentials,
         Conversations& conversations, DialerOptions options);
  void start() { worker_.start(); }
  // Stops claiming work and waits for the jobs in progress.
  void stop() { worker_.stop(); }

 private:
  void run_campaign(const store::work_queue::Job& job);
  void run_call(const store::work_queue::Job& job);
  void dial(const store::work_queue::Job& job, const domain::DialJob& dial, const std::string& api_key);
  void recover(const store::work_queue::Job& job, const domain::DialJob& dial, const std::string& api_key);
  void follow(const store::work_queue::Job& job, const domain::DialJob& dial, const std::string& api_key);
  // Postpones the job to `at_ms` (nothing, if its lease was lost).
  void postpone(const store::work_queue::Job& job, std::int64_t at_ms);

  store::Database& db_;
  const util::Clock& clock_;
  providers::VoiceProvider& voice_;
  Credentials& credentials_;
  Conversations& conversations_;
  DialerOptions options_;
  QueueWorker worker_;  // last: stopped before the members its jobs use are destroyed
};

}  // namespace cxco::services
