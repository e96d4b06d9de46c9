// The composition root: builds the platform's parts once from a Config, in dependency order —
// encryption keys, database (with migrations), providers, services. `cxco serve` (Application)
// and the operator commands that need the whole platform both start here; nothing below app/
// builds anything of its own.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "crypto/fernet.h"
#include "providers/llm.h"
#include "providers/voice_provider.h"
#include "providers/whatsapp_provider.h"
#include "services/services.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::app {

// The Fernet keys: CXCO_ENCRYPTION_KEYS or (SQLite only) the key file beside the database,
// created with mode 0600 on first start. Throws ConfigError.
crypto::MultiFernet load_encryption_keys(const Config& config);
// Opens the configured database and applies pending migrations. Throws ConfigError.
std::unique_ptr<store::Database> open_database(const Config& config);
std::unique_ptr<providers::VoiceProvider> make_voice_provider(const Config& config, const util::Clock& clock);

struct Platform {
  Platform(const Config& config, const util::Clock& clock);
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  services::Services services();
  bool live() const { return config.provider_mode == ProviderMode::live; }

  const Config& config;
  const util::Clock& clock;
  crypto::MultiFernet fernet;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<providers::VoiceProvider> voice;
  std::unique_ptr<providers::WhatsAppProvider> whatsapp_provider;
  std::unique_ptr<providers::Llm> llm;

  services::Credentials credentials;
  services::Accounts accounts;
  services::Keys keys;
  services::AuditLog audit_log;
  services::Catalog catalog;
  services::Agents agents;
  services::Conversations conversations;
  services::Usage usage;
  services::Webhooks webhooks;
  services::WhatsApp whatsapp;
  services::Idempotency idempotency;
  services::Operations operations;
  services::Calls calls;
  services::Campaigns campaigns;
};

}  // namespace cxco::app
