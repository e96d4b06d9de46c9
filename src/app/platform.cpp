#include "app/platform.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "store/migrations.h"
#include "util/log.h"

namespace cxco::app {

namespace {

std::string encryption_key_list(const Config& config) {
  if (!config.encryption_keys.empty()) return config.encryption_keys;
  if (!config.is_sqlite()) throw ConfigError("CXCO_ENCRYPTION_KEYS", "must be set when the database is PostgreSQL");
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
  if (!out)
    throw ConfigError("CXCO_ENCRYPTION_KEYS", "unset, and cannot write a generated key to " + key_path.string());
  ::chmod(key_path.c_str(), 0600);
  util::log_warn("CXCO_ENCRYPTION_KEYS is unset: generated a key into " + key_path.string() +
                 "; back it up, secrets stored with it cannot be read without it");
  return key;
}

}  // namespace

crypto::MultiFernet load_encryption_keys(const Config& config) {
  std::string error;
  auto fernet = crypto::MultiFernet::from_key_list(encryption_key_list(config), &error);
  if (!fernet) throw ConfigError("CXCO_ENCRYPTION_KEYS", error);
  return std::move(*fernet);
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

std::unique_ptr<providers::VoiceProvider> make_voice_provider(const Config& config, const util::Clock& clock) {
  if (config.provider_mode == ProviderMode::simulated)
    return providers::make_simulated_voice_provider(clock, config.sim_call_seconds);
  return providers::make_elevenlabs_client(config.elevenlabs_base_url);
}

Platform::Platform(const Config& cfg, const util::Clock& clk)
    : config(cfg),
      clock(clk),
      fernet(load_encryption_keys(config)),
      db(open_database(config)),
      voice(make_voice_provider(config, clock)),
      whatsapp_provider(live() ? providers::make_whatsapp_client(config.whatsapp_graph_base_url)
                               : providers::make_simulated_whatsapp()),
      llm(live() ? providers::make_llm_client() : providers::make_simulated_llm()),
      credentials(*db, clock, fernet,
                  {config.elevenlabs_api_key,
                   {config.llm_base_url, config.llm_api_key, config.llm_model},
                   config.webhook_allow_private}),
      accounts(*db, clock),
      keys(*db, clock),
      audit_log(*db),
      catalog(*db, clock),
      agents(*db, clock, *voice, credentials),
      conversations(*db, clock, *voice, *llm, credentials, config.elevenlabs_webhook_secret),
      usage(*db, clock),
      webhooks(*db, clock, fernet, config.webhook_allow_private),
      whatsapp(*db, clock, credentials, live(), config.whatsapp_sim_verify_seconds, config.whatsapp_app_secret),
      idempotency(*db, clock, fernet),
      operations(*db),
      calls(*db, clock),
      campaigns(*db, clock) {}

services::Services Platform::services() {
  return {accounts, keys,     audit_log, catalog,     credentials, agents, conversations,
          usage,    webhooks, whatsapp,  idempotency, operations,  calls,  campaigns};
}

}  // namespace cxco::app
