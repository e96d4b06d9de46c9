// `cxco serve`: the platform (app/platform.h), the HTTP API, the background workers and the
// listener. The in-process API tests run exactly this.
#pragma once

#include <cstdint>
#include <memory>

#include "config/config.h"
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
  void run();   // until stop() or a signal, then drains in-flight requests and stops the workers
  void stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxco::app
