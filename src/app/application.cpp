#include "app/application.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>

#include "api/api.h"
#include "app/demo.h"
#include "app/platform.h"
#include "events/dispatcher.h"
#include "http/server.h"
#include "services/dialer.h"
#include "services/housekeeping.h"
#include "services/reconciler.h"
#include "services/whatsapp_worker.h"
#include "util/log.h"

namespace cxco::app {

namespace {

api::ApiSettings api_settings(const Config& c) {
  return {c.admin_key, c.rate_limit_per_second, c.rate_limit_burst, c.whatsapp_verify_token, c.db_pool_size};
}

services::DialerOptions dialer_options(const Config& c) {
  services::DialerOptions o;
  // Half the database pool at most: the API's requests share it, and must not queue behind calls.
  o.concurrency = std::max(2, c.db_pool_size / 2);
  if (c.provider_mode == ProviderMode::simulated) {
    // A simulated call changes state at its ring and at its end: look a few times per call. A
    // simulated dial dies with its node, so one left dialing is settled at once.
    o.call_poll = std::chrono::milliseconds(std::clamp<std::int64_t>(std::llround(c.sim_call_seconds * 250), 20, 1000));
    o.dial_settle = std::chrono::milliseconds(0);
  }
  return o;
}

events::DispatcherOptions dispatcher_options(const Config& c) {
  events::DispatcherOptions o;
  o.retry.seconds = c.webhook_retry_schedule;
  o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(c.webhook_timeout * 1000));
  o.allow_private = c.webhook_allow_private;
  return o;
}

}  // namespace

struct Application::Impl {
  Impl(Config cfg, StartOptions opts, util::Clock* clk)
      : config(std::move(cfg)),
        options(opts),
        clock(clk ? *clk : system_clock),
        platform(config, clock),
        services(platform.services()),
        api(services, api_settings(config)),
        dispatcher(*platform.db, clock, platform.fernet, dispatcher_options(config)),
        whatsapp_worker(*platform.db, clock, platform.credentials, *platform.whatsapp_provider, *platform.llm,
                        {.live = platform.live()}),
        housekeeping(*platform.db, clock, platform.keys, {.audit_retention_days = config.audit_retention_days}),
        dialer(*platform.db, clock, *platform.voice, platform.credentials, platform.conversations,
               dialer_options(config)) {
    // Simulated calls never miss their webhook: only live mode has anything to reconcile.
    if (platform.live())
      reconciler = std::make_unique<services::Reconciler>(
          *platform.db, clock, platform.conversations,
          services::ReconcilerOptions{.interval = std::chrono::milliseconds(
                                          static_cast<std::int64_t>(config.reconcile_interval_seconds * 1000))});
  }

  Config config;
  StartOptions options;
  util::SystemClock system_clock;
  util::Clock& clock;
  Platform platform;
  services::Services services;
  api::Api api;
  events::Dispatcher dispatcher;
  services::WhatsAppWorker whatsapp_worker;
  services::Housekeeping housekeeping;
  std::unique_ptr<services::Reconciler> reconciler;  // live mode only
  services::Dialer dialer;
  std::unique_ptr<http::Server> server;
};

Application::Application(Config config, StartOptions options, util::Clock* clock) {
  util::set_log_format(config.log_json ? util::LogFormat::json : util::LogFormat::text);
  impl_ = std::make_unique<Impl>(std::move(config), options, clock);
  auto& i = *impl_;
  i.platform.agents.release_stale_reservations();
  if (i.options.demo) seed_demo(i.platform, std::cout);

  http::ServerLimits limits;
  // One I/O thread per core: parsing and writing scale with cores; blocking work has its own pool.
  limits.io_threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  limits.max_connections = i.config.max_connections;
  i.server = std::make_unique<http::Server>(
      limits,
      [&api = i.api](http::Request&& req, http::Respond respond) { api.dispatch(std::move(req), std::move(respond)); },
      [&api = i.api](std::string_view method, std::string_view path) { return api.body_rule(method, path); });
  try {
    i.server->listen(i.config.listen);
  } catch (const std::runtime_error& e) {
    throw ConfigError("CXCO_LISTEN", e.what());
  }
}

Application::~Application() = default;

std::uint16_t Application::port() const { return impl_->server->port(); }

void Application::run() {
  util::log_info("listening", {{"address", impl_->config.listen}, {"port", std::to_string(port())}});
  impl_->dispatcher.start();
  impl_->whatsapp_worker.start();
  impl_->housekeeping.start();
  if (impl_->reconciler) impl_->reconciler->start();
  impl_->dialer.start();
  impl_->server->run(impl_->options.handle_signals);
  impl_->dialer.stop();
  if (impl_->reconciler) impl_->reconciler->stop();
  impl_->housekeeping.stop();
  impl_->whatsapp_worker.stop();
  impl_->dispatcher.stop();
  util::log_info("stopped");
}

void Application::stop() { impl_->server->stop(); }

}  // namespace cxco::app
