#include "events/dispatcher.h"

#include <boost/json/parse.hpp>

#include <cmath>

#include "crypto/signatures.h"
#include "events/ssrf.h"
#include "http/client.h"
#include "util/json.h"
#include "util/log.h"
#include "util/metrics.h"

namespace cxco::events {

namespace json = boost::json;

Dispatcher::Dispatcher(api::AppContext& app, DispatcherOptions options)
    : app_(app), options_(options), loop_("webhook dispatcher", options.poll, [this] { pass(); }) {}

Dispatcher::~Dispatcher() { stop(); }

std::int64_t Dispatcher::lease_ms() const {
  // Long enough for one attempt to time out and be recorded; then another node may take over.
  return static_cast<std::int64_t>(app_.config.webhook_timeout * 1000) + 5000;
}

void Dispatcher::start() {
  if (workers_) return;
  // A single SQLite node owns every delivery: leases left by a crash are void at start.
  if (app_.db.dialect() == store::Dialect::sqlite)
    app_.db.write([](store::Tx& tx) {
      tx.exec("UPDATE webhook_deliveries SET claimed_until = NULL WHERE status = 'pending' AND claimed_until IS NOT NULL");
    });
  workers_ = std::make_unique<util::WorkerPool>(options_.concurrency);
  loop_.start();
}

void Dispatcher::stop() {
  loop_.stop();
  workers_.reset();  // finishes the deliveries in flight
}

void Dispatcher::pass() {
  fan_out();
  int slots;
  {
    std::lock_guard lock(mutex_);
    slots = options_.concurrency - in_flight_;
  }
  if (slots > 0)
    for (const auto& c : claim(slots)) workers_->post([this, c] { deliver(c); });
}

void Dispatcher::fan_out() {
  const bool pending = app_.db.read(
      [](store::Tx& tx) { return tx.one("SELECT id FROM events WHERE dispatched_at IS NULL LIMIT 1").has_value(); });
  if (!pending) return;
  app_.db.write([&](store::Tx& tx) {
    const auto events = tx.query(
        "SELECT id, event_id, company_id, type, data, created_at FROM events WHERE dispatched_at IS NULL ORDER BY id "
        "LIMIT 200" + std::string(tx.lock_rows_clause()));
    const auto now = app_.now_iso();
    const auto now_ms = app_.clock.now_ms();
    std::map<std::int64_t, store::Result> webhooks_of;
    for (const auto& e : events.rows) {
      const auto company = e.i64("company_id");
      auto it = webhooks_of.find(company);
      if (it == webhooks_of.end())
        it = webhooks_of
                 .emplace(company, tx.query("SELECT id, events, created_at FROM webhooks WHERE company_id = ? AND status = 'active'",
                                            {company}))
                 .first;
      const std::string type = e.str("type");
      std::string payload;
      for (const auto& w : it->second.rows) {
        // A webhook hears about events from its registration on, not about older ones.
        if (w.str("created_at") > e.str("created_at")) continue;
        const auto subscribed = json::parse(w.str("events")).as_array();
        if (std::find(subscribed.begin(), subscribed.end(), json::value(type)) == subscribed.end()) continue;
        if (payload.empty())
          payload = util::to_json(json::object{{"id", e.str("event_id")},
                                               {"type", type},
                                               {"created_at", e.str("created_at")},
                                               {"company_id", company},
                                               {"data", json::parse(e.str("data"))}});
        tx.exec(
            "INSERT INTO webhook_deliveries (webhook_id, company_id, event_id, event_type, payload, status, attempts, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
            "ON CONFLICT (webhook_id, event_id) DO NOTHING",
            {w.i64("id"), company, e.str("event_id"), type, payload, now_ms, now});
      }
      tx.exec("UPDATE events SET dispatched_at = ? WHERE id = ?", {now, e.i64("id")});
    }
  });
}

std::vector<Dispatcher::Claimed> Dispatcher::claim(int slots) {
  const auto now_ms = app_.clock.now_ms();
  const std::string due =
      "FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND "
      "(claimed_until IS NULL OR claimed_until < ?)";
  const bool any = app_.db.read([&](store::Tx& tx) {
    return tx.one("SELECT id " + due + " LIMIT 1", {now_ms, now_ms}).has_value();
  });
  if (!any) return {};
  std::lock_guard lock(mutex_);
  auto claimed = app_.db.write([&](store::Tx& tx) {
    const auto candidates =
        tx.query("SELECT id, webhook_id " + due + " ORDER BY next_attempt_at, id LIMIT 100" + std::string(tx.lock_rows_clause()),
                 {now_ms, now_ms});
    std::vector<Claimed> out;
    std::map<std::int64_t, int> taken = in_flight_by_webhook_;
    const auto lease = now_ms + lease_ms();
    for (const auto& row : candidates.rows) {
      if (static_cast<int>(out.size()) >= slots) break;
      const auto webhook = row.i64("webhook_id");
      if (taken[webhook] >= options_.per_webhook) continue;
      ++taken[webhook];
      tx.exec("UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ?", {lease, row.i64("id")});
      out.push_back({row.i64("id"), webhook, lease});
    }
    return out;
  });
  for (const auto& c : claimed) ++in_flight_, ++in_flight_by_webhook_[c.webhook_id];
  return claimed;
}

void Dispatcher::deliver(const Claimed& c) {
  try {
    const auto row = app_.db.read([&](store::Tx& tx) {
      return tx.one(
          "SELECT d.event_id, d.event_type, d.payload, d.attempts, w.url, w.status, w.secret_token "
          "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?",
          {c.id});
    });
    if (row) {
      const int attempt = static_cast<int>(row->i64("attempts")) + 1;
      const auto& schedule = app_.config.webhook_retry_schedule;
      http::ClientResponse res;
      std::string outcome;
      if (row->str("status") != "active") {
        res.error = "webhook is disabled";
        outcome = "skipped";
      } else {
        const std::string payload = row->str("payload");
        http::ClientRequest req{.max_response_bytes = 16 * 1024};  // receivers only acknowledge; keep it small
        req.method = "POST";
        req.url = row->str("url");
        req.body = payload;
        req.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(app_.config.webhook_timeout * 1000));
        req.headers = {{"Content-Type", "application/json"},
                       {"User-Agent", "CXCo-Webhooks/1"},
                       {"X-CXCo-Event", row->str("event_type")},
                       {"X-CXCo-Delivery", row->str("event_id")}};
        if (const auto token = row->opt_str("secret_token")) {
          const auto secret = app_.fernet.decrypt(*token);
          if (secret) req.headers.emplace_back("X-CXCo-Signature", crypto::sign_cxco_webhook(*secret, app_.clock.now(), payload));
        }
        if (!app_.config.webhook_allow_private) req.allow_address = [](const std::string& ip) { return is_public_address(ip); };
        res = http::perform(req);
        outcome = res.ok() ? "succeeded" : "failed";
      }
      metrics::increment("cxco_webhook_deliveries_total", {{"outcome", outcome}});

      const bool done = outcome == "succeeded";
      const bool give_up = !done && (outcome == "skipped" || attempt > static_cast<int>(schedule.size()));
      const auto now_ms = app_.clock.now_ms();
      const std::int64_t next_ms =
          done || give_up ? 0 : now_ms + static_cast<std::int64_t>(std::llround(schedule[attempt - 1] * 1000));
      app_.db.write([&](store::Tx& tx) {
        // Only the holder of the lease records the attempt; a node whose lease ran out must not.
        const auto updated = tx.exec(
            "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, claimed_until = NULL "
            "WHERE id = ? AND claimed_until = ?",
            {std::int64_t{attempt}, std::string(done ? "delivered" : give_up ? "failed" : "pending"),
             done || give_up ? now_ms : next_ms, c.id, c.lease});
        if (updated != 1) return;
        tx.exec(
            "INSERT INTO webhook_attempts (delivery_id, webhook_id, event_id, event_type, attempt, status_code, error, "
            "latency_ms, outcome, next_retry_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {c.id, c.webhook_id, row->str("event_id"), row->str("event_type"), std::int64_t{attempt},
             res.status ? store::Param(std::int64_t{res.status}) : store::Param(nullptr),
             res.error.empty() ? store::Param(nullptr) : store::Param(res.error), res.elapsed_ms, outcome,
             next_ms ? store::Param(util::iso8601(next_ms / 1000)) : store::Param(nullptr), app_.now_iso()});
      });
    }
  } catch (const std::exception& e) {
    // The lease runs out and the delivery is tried again; nothing is lost.
    util::log_error("webhook delivery failed to run", {{"delivery_id", std::to_string(c.id)}, {"error", e.what()}});
  }
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (--in_flight_by_webhook_[c.webhook_id] == 0) in_flight_by_webhook_.erase(c.webhook_id);
  }
  loop_.kick();  // a slot is free: look for more work now rather than at the next poll
}

}  // namespace cxco::events
