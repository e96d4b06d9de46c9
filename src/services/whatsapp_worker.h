// The WhatsApp worker: verifies pending numbers, writes replies with the LLM and sends them
// through the Cloud API, and closes chats silent for 24 hours. Work comes from the work queue,
// so several nodes on PostgreSQL share it and a provider outage delays work, never loses it.
#pragma once

#include <chrono>
#include <cstdint>

#include "domain/retry.h"
#include "providers/llm.h"
#include "providers/whatsapp_provider.h"
#include "services/credentials.h"
#include "services/queue_worker.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

struct WhatsAppWorkerOptions {
  bool live = false;  // simulated mode needs no account for the Cloud API
  std::chrono::milliseconds poll{100};
  int concurrency = 4;  // replies and verifications in progress at once on this node
  // Before each retry of a reply the LLM or the Cloud API failed; after the last, the reply is
  // given up as failed (the customer's message stays stored).
  domain::RetrySchedule reply_retry{{2, 10, 30, 120, 600}};
  // A claimed job not finished within this is taken up again (its node died).
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
};

class WhatsAppWorker {
 public:
  WhatsAppWorker(store::Database& db, const util::Clock& clock, Credentials& credentials,
                 providers::WhatsAppProvider& whatsapp, providers::Llm& llm, WhatsAppWorkerOptions options);
  void start() { worker_.start(); }
  // Stops claiming work and waits for the jobs in progress.
  void stop() { worker_.stop(); }

 private:
  void close_idle_conversations();
  void verify(const store::work_queue::Job& job);
  void answer(const store::work_queue::Job& job);

  store::Database& db_;
  const util::Clock& clock_;
  Credentials& credentials_;
  providers::WhatsAppProvider& whatsapp_;
  providers::Llm& llm_;
  WhatsAppWorkerOptions options_;
  QueueWorker worker_;  // last: stopped before the members its jobs use are destroyed
};

}  // namespace cxco::services
