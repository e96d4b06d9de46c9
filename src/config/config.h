// Typed configuration from CXCO_* environment variables, each overridable by a flag of the
// same name (--database-url for CXCO_DATABASE_URL). Invalid values fail fast, naming the variable.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace cxco {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string variable, const std::string& message)
      : std::runtime_error(variable + ": " + message), variable(std::move(variable)) {}
  std::string variable;
};

enum class ProviderMode { simulated, live };

struct Config {
  std::string listen = "127.0.0.1:8000";
  std::string database_url = "sqlite://cxco.db";
  std::string admin_key;        // empty: admin HTTP API answers 404
  std::string encryption_keys;  // comma-separated Fernet keys, first encrypts
  ProviderMode provider_mode = ProviderMode::simulated;
  std::string elevenlabs_base_url = "https://api.elevenlabs.io";
  std::string elevenlabs_api_key;
  std::string elevenlabs_webhook_secret;
  std::string whatsapp_graph_base_url = "https://graph.facebook.com/v23.0";
  std::string whatsapp_app_secret;
  std::string whatsapp_verify_token;
  std::string llm_base_url, llm_api_key, llm_model;
  std::vector<double> webhook_retry_schedule = {10, 30, 90, 270, 810};
  double webhook_timeout = 10;
  bool webhook_allow_private = false;
  double whatsapp_sim_verify_seconds = 5;
  double reconcile_interval_seconds = 600;  // live mode: between runs of the conversation reconciler
  double sim_call_seconds = 3;              // simulated mode: how long an answered outbound call lasts
  bool log_json = false;
  double rate_limit_per_second = 100;  // per API key and node; 0 turns rate limiting off
  double rate_limit_burst = 200;
  int db_pool_size = 4;                 // CXCO_DB_POOL_SIZE: connections, and so threads that run requests
  std::size_t max_connections = 10000;  // CXCO_MAX_CONNECTIONS: open HTTP connections at most
  int audit_retention_days = 365;       // CXCO_AUDIT_RETENTION_DAYS: older audit rows are pruned; 0 keeps them

  bool is_sqlite() const { return database_url.rfind("sqlite://", 0) == 0; }
  // Path of the SQLite file (empty for PostgreSQL).
  std::string sqlite_path() const;
};

struct ConfigVariable {
  const char* env;
  const char* default_value;
  const char* help;
};
// Every variable, in the order the README documents them.
const std::vector<ConfigVariable>& config_variables();

// values: variable name -> raw value (environment first, then flags on top).
Config load_config(const std::map<std::string, std::string>& values);
std::map<std::string, std::string> config_values_from_environment();
// CXCO_DB_POOL_SIZE when unset, for a machine with `cores` cores (0: unknown).
int default_db_pool_size(unsigned cores);
// "CXCO_DATABASE_URL" -> "database-url"
std::string flag_name(const std::string& env);

}  // namespace cxco
