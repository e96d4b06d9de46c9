#include "app/application.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/api.h"
#include "events/dispatcher.h"
#include "http/server.h"
#include "services/agents.h"
#include "services/demo.h"
#include "services/whatsapp.h"
#include "store/migrations.h"
#include "util/log.h"

namespace cxco::app {

std::string resolve_encryption_keys(const Config& config) {
  if (!config.encryption_keys.empty()) return config.encryption_keys;
  if (!config.is_sqlite())
    throw ConfigError("CXCO_ENCRYPTION_KEYS", "must be set when the database is PostgreSQL");
  const auto db_path = std::filesystem::path(config.sqlite_path());
  const auto key_path = (db_path.has_parent_path() ? db_path.parent_path() : std::filesystem::path(".")) / "cxco.key";
  std::ifstream in(key_path);
  std::string key;
  if (in && std::getline(in, key) && !key.empty()) return key;
  key = crypto::Fernet::generate_key();
  const auto old_mask = ::umask(0077);
  std::ofstream out(key_path, std::ios::trunc);
  out << key << "\n";
  out.close();
  ::umask(old_mask);
  if (!out) throw ConfigError("CXCO_ENCRYPTION_KEYS", "unset, and cannot write a generated key to " + key_path.string());
  ::chmod(key_path.c_str(), 0600);
  util::log_warn("CXCO_ENCRYPTION_KEYS is unset: generated a key into " + key_path.string() +
                 "; back it up, secrets stored with it cannot be read without it");
  return key;
}

std::unique_ptr<store::Database> open_database(const Config& config) {
  try {
    auto db = store::Database::open(config.database_url, config.db_pool_size);
    for (const auto& name : store::apply_migrations(*db)) util::log_info("applied migration", {{"name", name}});
    return db;
  } catch (const std::invalid_argument& e) {
    throw ConfigError("CXCO_DATABASE_URL", e.what());
  } catch (const store::DatabaseError& e) {
    throw ConfigError("CXCO_DATABASE_URL", e.what());
  }
}

std::unique_ptr<providers::VoiceProvider> make_voice_provider(const Config& config) {
  if (config.provider_mode == ProviderMode::simulated) return providers::make_simulated_voice_provider();
  return providers::make_elevenlabs_client(config.elevenlabs_base_url);
}

struct Application::Impl {
  Impl(Config cfg, StartOptions opts, util::Clock* clock)
      : config(std::move(cfg)), options(opts), clock(clock ? clock : &system_clock) {}

  Config config;
  StartOptions options;
  util::SystemClock system_clock;
  util::Clock* clock;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<api::AppContext> context;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<events::Dispatcher> dispatcher;
  std::unique_ptr<services::WhatsAppWorker> whatsapp_worker;
  std::unique_ptr<http::Server> server;
};

Application::Application(Config config, StartOptions options, util::Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(config), options, clock)) {
  auto& i = *impl_;
  util::set_log_format(i.config.log_json ? util::LogFormat::json : util::LogFormat::text);

  std::string key_error;
  const std::string keys = resolve_encryption_keys(i.config);
  auto fernet = crypto::MultiFernet::from_key_list(keys, &key_error);
  if (!fernet) throw ConfigError("CXCO_ENCRYPTION_KEYS", key_error);

  i.db = open_database(i.config);

  i.context.reset(new api::AppContext{i.config, *i.db, std::move(*fernet), *i.clock, make_voice_provider(i.config)});
  services::release_stale_reservations(*i.context);
  if (i.options.demo) services::seed_demo(*i.context, std::cout);
  i.api = std::make_unique<api::Api>(*i.context);
  i.dispatcher = std::make_unique<events::Dispatcher>(*i.context);
  const bool live = i.config.provider_mode == ProviderMode::live;
  i.context->whatsapp =
      live ? providers::make_whatsapp_client(i.config.whatsapp_graph_base_url) : providers::make_simulated_whatsapp();
  i.context->llm = live ? providers::make_llm_client() : providers::make_simulated_llm();
  i.whatsapp_worker = std::make_unique<services::WhatsAppWorker>(*i.context);

  http::ServerLimits limits;
  // One I/O thread per core: parsing and writing scale with cores; blocking work has its own pool.
  limits.io_threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  limits.max_connections = i.config.max_connections;
  i.server = std::make_unique<http::Server>(
      limits, [api = i.api.get()](http::Request&& req, http::Respond respond) { api->dispatch(std::move(req), std::move(respond)); });
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
  impl_->dispatcher->start();
  impl_->whatsapp_worker->start();
  impl_->server->run(impl_->options.handle_signals);
  impl_->whatsapp_worker->stop();
  impl_->dispatcher->stop();
  util::log_info("stopped");
}

void Application::stop() { impl_->server->stop(); }

}  // namespace cxco::app
