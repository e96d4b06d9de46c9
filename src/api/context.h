// What request handlers and background workers share: configuration, storage, keys, clock.
#pragma once

#include <memory>

#include "config/config.h"
#include "crypto/fernet.h"
#include "providers/voice_provider.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::api {

struct AppContext {
  Config config;
  store::Database& db;
  crypto::MultiFernet fernet;
  util::Clock& clock;
  std::unique_ptr<providers::VoiceProvider> voice;

  std::string now_iso() const { return util::iso8601(clock.now()); }
};

}  // namespace cxco::api
