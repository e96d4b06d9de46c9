#include "config/config.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace cxco {

const std::vector<ConfigVariable>& config_variables() {
  static const std::vector<ConfigVariable> vars = {
      {"CXCO_LISTEN", "127.0.0.1:8000", "address and port to listen on"},
      {"CXCO_DATABASE_URL", "sqlite://cxco.db", "sqlite://PATH or postgresql://user:pass@host:port/db"},
      {"CXCO_ADMIN_KEY", "",
       "platform operator key for /api/admin/*, at least 16 characters; unset: the admin API answers 404"},
      {"CXCO_ENCRYPTION_KEYS", "", "comma-separated Fernet keys; the first encrypts, all decrypt"},
      {"CXCO_PROVIDER_MODE", "simulated", "simulated or live"},
      {"CXCO_ELEVENLABS_BASE_URL", "https://api.elevenlabs.io", "voice AI provider API"},
      {"CXCO_ELEVENLABS_API_KEY", "", "platform default ElevenLabs key"},
      {"CXCO_ELEVENLABS_WEBHOOK_SECRET", "", "secret of the post-call webhook; required in live mode"},
      {"CXCO_WHATSAPP_GRAPH_BASE_URL", "https://graph.facebook.com/v23.0", "WhatsApp Business Cloud API"},
      {"CXCO_WHATSAPP_APP_SECRET", "", "verifies X-Hub-Signature-256 on inbound WhatsApp webhooks"},
      {"CXCO_WHATSAPP_VERIFY_TOKEN", "", "answers the WhatsApp webhook verification handshake"},
      {"CXCO_LLM_BASE_URL", "", "OpenAI-compatible chat completions endpoint"},
      {"CXCO_LLM_API_KEY", "", "key for CXCO_LLM_BASE_URL"},
      {"CXCO_LLM_MODEL", "", "model for CXCO_LLM_BASE_URL"},
      {"CXCO_WEBHOOK_RETRY_SCHEDULE", "10,30,90,270,810", "seconds between webhook delivery attempts"},
      {"CXCO_WEBHOOK_TIMEOUT", "10", "seconds a webhook endpoint has to answer 2xx"},
      {"CXCO_WEBHOOK_ALLOW_PRIVATE", "0", "1 allows http:// and loopback/private webhook targets"},
      {"CXCO_WHATSAPP_SIM_VERIFY_SECONDS", "5", "simulated mode: seconds before WhatsApp verification turns active"},
      {"CXCO_RECONCILE_INTERVAL_SECONDS", "600",
       "live mode: seconds between runs of the reconciler that stores calls whose post-call webhook never arrived"},
      {"CXCO_SIM_CALL_SECONDS", "3", "simulated mode: seconds an answered outbound call lasts (decimals allowed)"},
      {"CXCO_LOG_FORMAT", "text", "text or json (one object a line)"},
      {"CXCO_DB_POOL_SIZE", "",
       "database connections, and so request worker threads (1..256); unset: two per core, 4 to 32"},
      {"CXCO_RATE_LIMIT_PER_SECOND", "100",
       "requests a second per API key on each node (token bucket); 0 turns it off"},
      {"CXCO_RATE_LIMIT_BURST", "200", "requests an API key may make at once before the rate applies"},
      {"CXCO_MAX_CONNECTIONS", "10000",
       "open HTTP connections at most (keep it under the file descriptor limit); beyond it new ones are closed at "
       "once"},
      {"CXCO_AUDIT_RETENTION_DAYS", "365", "days audit log rows are kept before they are pruned; 0 keeps them forever"},
  };
  return vars;
}

std::string flag_name(const std::string& env) {
  std::string out = env.substr(5);  // drop "CXCO_"
  for (auto& c : out) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::map<std::string, std::string> config_values_from_environment() {
  std::map<std::string, std::string> values;
  for (const auto& v : config_variables())
    if (const char* e = std::getenv(v.env)) values[v.env] = e;
  return values;
}

std::string Config::sqlite_path() const { return is_sqlite() ? database_url.substr(9) : std::string(); }

namespace {

double parse_number(const std::string& var, const std::string& text, double min, double max) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(v >= min && v <= max))
    throw ConfigError(
        var, "expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'");
  return v;
}

bool parse_flag(const std::string& var, const std::string& text) {
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false" || text.empty()) return false;
  throw ConfigError(var, "expected 0 or 1, got '" + text + "'");
}

void require_http_url(const std::string& var, const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    throw ConfigError(var, "expected an http:// or https:// URL, got '" + url + "'");
}

}  // namespace

// Two per core: one runs while the other waits for the database; more only add context
// switches (measured in docs/performance.md). At most 32, so that three nodes on a many-core
// machine stay within PostgreSQL's default max_connections (100).
int default_db_pool_size(unsigned cores) { return static_cast<int>(std::clamp(2U * cores, 4U, 32U)); }

Config load_config(const std::map<std::string, std::string>& values) {
  auto get = [&](const char* name) {
    const auto it = values.find(name);
    if (it != values.end()) return it->second;
    for (const auto& v : config_variables())
      if (std::string(v.env) == name) return std::string(v.default_value);
    return std::string();
  };

  Config c;
  c.listen = get("CXCO_LISTEN");
  if (c.listen.find(':') == std::string::npos)
    throw ConfigError("CXCO_LISTEN", "expected host:port, got '" + c.listen + "'");

  c.database_url = get("CXCO_DATABASE_URL");
  const bool pg = c.database_url.rfind("postgresql://", 0) == 0 || c.database_url.rfind("postgres://", 0) == 0;
  if (!c.is_sqlite() && !pg)
    throw ConfigError("CXCO_DATABASE_URL",
                      "unsupported scheme in '" + c.database_url + "' (use sqlite:// or postgresql://)");
  if (c.is_sqlite() && c.sqlite_path().empty()) throw ConfigError("CXCO_DATABASE_URL", "sqlite:// needs a file path");

  c.admin_key = get("CXCO_ADMIN_KEY");
  // The operator API can create companies and fill the number pool: a short key is guessable.
  if (!c.admin_key.empty() && c.admin_key.size() < 16)
    throw ConfigError("CXCO_ADMIN_KEY", "must be at least 16 characters (e.g. openssl rand -hex 24), or unset");
  c.encryption_keys = get("CXCO_ENCRYPTION_KEYS");
  if (pg && c.encryption_keys.empty())
    throw ConfigError("CXCO_ENCRYPTION_KEYS",
                      "must be set when the database is PostgreSQL (every node needs the same keys)");

  const auto mode = get("CXCO_PROVIDER_MODE");
  if (mode == "simulated")
    c.provider_mode = ProviderMode::simulated;
  else if (mode == "live")
    c.provider_mode = ProviderMode::live;
  else
    throw ConfigError("CXCO_PROVIDER_MODE", "expected simulated or live, got '" + mode + "'");

  c.elevenlabs_base_url = get("CXCO_ELEVENLABS_BASE_URL");
  require_http_url("CXCO_ELEVENLABS_BASE_URL", c.elevenlabs_base_url);
  c.elevenlabs_api_key = get("CXCO_ELEVENLABS_API_KEY");
  c.elevenlabs_webhook_secret = get("CXCO_ELEVENLABS_WEBHOOK_SECRET");
  if (c.provider_mode == ProviderMode::live && c.elevenlabs_webhook_secret.empty())
    throw ConfigError("CXCO_ELEVENLABS_WEBHOOK_SECRET", "is required in live mode");
  c.whatsapp_graph_base_url = get("CXCO_WHATSAPP_GRAPH_BASE_URL");
  require_http_url("CXCO_WHATSAPP_GRAPH_BASE_URL", c.whatsapp_graph_base_url);
  c.whatsapp_app_secret = get("CXCO_WHATSAPP_APP_SECRET");
  c.whatsapp_verify_token = get("CXCO_WHATSAPP_VERIFY_TOKEN");
  c.llm_base_url = get("CXCO_LLM_BASE_URL");
  if (!c.llm_base_url.empty()) require_http_url("CXCO_LLM_BASE_URL", c.llm_base_url);
  c.llm_api_key = get("CXCO_LLM_API_KEY");
  c.llm_model = get("CXCO_LLM_MODEL");

  c.webhook_retry_schedule.clear();
  std::stringstream schedule(get("CXCO_WEBHOOK_RETRY_SCHEDULE"));
  for (std::string part; std::getline(schedule, part, ',');)
    c.webhook_retry_schedule.push_back(parse_number("CXCO_WEBHOOK_RETRY_SCHEDULE", part, 0, 7 * 86400));
  c.webhook_timeout = parse_number("CXCO_WEBHOOK_TIMEOUT", get("CXCO_WEBHOOK_TIMEOUT"), 0.05, 300);
  c.webhook_allow_private = parse_flag("CXCO_WEBHOOK_ALLOW_PRIVATE", get("CXCO_WEBHOOK_ALLOW_PRIVATE"));
  c.whatsapp_sim_verify_seconds =
      parse_number("CXCO_WHATSAPP_SIM_VERIFY_SECONDS", get("CXCO_WHATSAPP_SIM_VERIFY_SECONDS"), 0, 86400);
  c.reconcile_interval_seconds =
      parse_number("CXCO_RECONCILE_INTERVAL_SECONDS", get("CXCO_RECONCILE_INTERVAL_SECONDS"), 1, 86400);

  c.sim_call_seconds = parse_number("CXCO_SIM_CALL_SECONDS", get("CXCO_SIM_CALL_SECONDS"), 0.001, 86400);

  const auto log_format = get("CXCO_LOG_FORMAT");
  if (log_format != "text" && log_format != "json")
    throw ConfigError("CXCO_LOG_FORMAT", "expected text or json, got '" + log_format + "'");
  c.log_json = log_format == "json";
  c.rate_limit_per_second = parse_number("CXCO_RATE_LIMIT_PER_SECOND", get("CXCO_RATE_LIMIT_PER_SECOND"), 0, 1e6);
  c.rate_limit_burst = parse_number("CXCO_RATE_LIMIT_BURST", get("CXCO_RATE_LIMIT_BURST"), 1, 1e6);
  const auto pool = get("CXCO_DB_POOL_SIZE");
  c.db_pool_size = pool.empty() ? default_db_pool_size(std::thread::hardware_concurrency())
                                : static_cast<int>(parse_number("CXCO_DB_POOL_SIZE", pool, 1, 256));
  c.max_connections =
      static_cast<std::size_t>(parse_number("CXCO_MAX_CONNECTIONS", get("CXCO_MAX_CONNECTIONS"), 1, 1e6));
  const auto retention = parse_number("CXCO_AUDIT_RETENTION_DAYS", get("CXCO_AUDIT_RETENTION_DAYS"), 0, 36500);
  if (retention != static_cast<int>(retention))
    throw ConfigError("CXCO_AUDIT_RETENTION_DAYS", "expected a whole number of days");
  c.audit_retention_days = static_cast<int>(retention);
  return c;
}

}  // namespace cxco
