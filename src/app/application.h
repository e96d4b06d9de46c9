// Wires a Config into a running server: database and migrations, encryption keys, the API,
// the HTTP listener. `cxco serve` and the in-process API tests both run exactly this.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "providers/voice_provider.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::app {

struct StartOptions {
  bool demo = false;            // seed a demo company, user and number pool into an empty database
  bool handle_signals = false;  // SIGTERM/SIGINT stop the server gracefully
};

class Application {
 public:
  // Opens the database, applies migrations, loads keys and binds the listener.
  // Throws ConfigError for anything the operator must fix (the variable is named).
  Application(Config config, StartOptions options, util::Clock* clock = nullptr);
  ~Application();

  std::uint16_t port() const;
  void run();   // until stop() or a signal, then drains in-flight requests
  void stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Opens the configured database and applies pending migrations. Throws ConfigError.
std::unique_ptr<store::Database> open_database(const Config& config);

std::unique_ptr<providers::VoiceProvider> make_voice_provider(const Config& config);

// The Fernet keys to use: CXCO_ENCRYPTION_KEYS, or (SQLite only) the key file beside the
// database, created with mode 0600 on first start. Throws ConfigError.
std::string resolve_encryption_keys(const Config& config);

}  // namespace cxco::app
