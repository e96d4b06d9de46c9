// WhatsApp (platform.md sections 3 and 4, providers.md section 2): enabling a published number,
// inbound messages threaded into `whatsapp` conversations, replies written by the LLM in the
// agent's personality and sent through the Cloud API, and the 24-hour rule that closes idle
// conversations. Requests only record; the WhatsAppWorker does everything that calls a provider,
// from durable queues, so a provider outage delays work and never loses it.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "api/context.h"
#include "util/polling_loop.h"
#include "util/worker_pool.h"

namespace cxco::services {

// POST /api/phone-numbers/{id}/enable-whatsapp: the number, now `pending`. 404 when it is not the
// company's; 409 invalid_state unless it serves a published agent and is neither pending nor
// active, and in live mode until the company has stored its `whatsapp` credentials.
boost::json::object enable_whatsapp(api::AppContext& app, std::int64_t company_id, std::int64_t phone_number_id);
// {id, number, whatsapp_status}; nullopt when the number is not the company's.
std::optional<boost::json::object> whatsapp_status(store::Tx& tx, std::int64_t company_id, std::int64_t phone_number_id);

struct InboundReport {
  std::int64_t stored = 0;      // customer messages stored (and queued for a reply when the agent answers)
  std::int64_t duplicates = 0;  // redelivered messages already stored
  std::int64_t ignored = 0;     // messages for numbers that are not WhatsApp-active here, or malformed ones
  std::int64_t statuses = 0;    // status callbacks recorded on our outbound messages
};
// A Cloud API notification (providers.md 2.3 and 2.4) whose signature has been checked. Each
// message is stored in a transaction of its own, before any reply is attempted.
InboundReport ingest_whatsapp(api::AppContext& app, const boost::json::object& payload);

struct WhatsAppWorkerOptions {
  std::chrono::milliseconds poll{100};
  int concurrency = 4;  // replies and verifications in progress at once on this node
  // Seconds before each retry of a reply the LLM or the Cloud API failed; after the last, the
  // reply is given up as failed (the customer's message stays stored).
  std::vector<std::int64_t> retry_seconds = {2, 10, 30, 120, 600};
  // A claimed job not finished within this is taken up again (its node died).
  std::int64_t lease_seconds = 300;
};

// Verifies pending numbers, writes and sends replies, closes conversations silent for 24 hours.
// Work is claimed in the database, so several nodes on PostgreSQL share it.
class WhatsAppWorker {
 public:
  explicit WhatsAppWorker(api::AppContext& app, WhatsAppWorkerOptions options = {});
  ~WhatsAppWorker();
  void start();
  // Stops claiming work and waits for the jobs in progress.
  void stop();

 private:
  enum class Kind { verification, reply };
  void pass();
  void claim_and_post(Kind kind);
  void run(Kind kind, std::int64_t id);

  api::AppContext& app_;
  WhatsAppWorkerOptions options_;
  std::unique_ptr<util::WorkerPool> workers_;
  std::mutex mutex_;  // guards in_flight_
  // Jobs this node is working on: never claimed twice, even if their lease runs out meanwhile.
  std::set<std::pair<Kind, std::int64_t>> in_flight_;
  util::PollingLoop loop_;  // last: stopped before the members its passes use are destroyed
};

}  // namespace cxco::services
