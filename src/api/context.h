// What request handlers and background workers share: configuration, storage, keys, clock.
#pragma once

#include <memory>

#include "config/config.h"
#include "crypto/fernet.h"
#include "providers/llm.h"
#include "providers/voice_provider.h"
#include "providers/whatsapp_provider.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::api {

struct AppContext {
  Config config;
  store::Database& db;
  crypto::MultiFernet fernet;
  util::Clock& clock;
  std::unique_ptr<providers::VoiceProvider> voice;
  // Set by the Application per CXCO_PROVIDER_MODE; commands that do not chat leave them unset.
  std::unique_ptr<providers::WhatsAppProvider> whatsapp = nullptr;
  std::unique_ptr<providers::Llm> llm = nullptr;

  std::string now_iso() const { return util::iso8601(clock.now()); }
};

}  // namespace cxco::api
