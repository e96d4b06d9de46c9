// cxco: the CXCo server and its operator commands (platform.md section 1).
#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>

#include <iostream>
#include <random>

#include "app/application.h"
#include "api/validation.h"
#include "crypto/signatures.h"
#include "domain/errors.h"
#include "http/client.h"
#include "services/accounts.h"
#include "services/catalog.h"
#include "services/conversations.h"
#include "services/credentials.h"
#include "util/json.h"
#include "util/log.h"

using namespace cxco;

namespace {

int fail_config(const ConfigError& e) {
  std::cerr << "cxco: configuration error: " << e.what() << "\n";
  return 2;
}

struct SimulateOptions {
  std::int64_t agent_id = 0;
  std::optional<std::int64_t> duration;
  std::string transfer_to;
  int count = 1;
};

// `cxco dev simulate-call`: the provider's post-call webhook, signed and sent to the running
// server, so demo calls take the path real ones do.
int simulate_calls(const Config& config, store::Database& db, const util::Clock& clock, const SimulateOptions& o) {
  if (config.elevenlabs_webhook_secret.empty()) {
    std::cerr << "cxco: set CXCO_ELEVENLABS_WEBHOOK_SECRET, to the same value for `serve` and `dev simulate-call`\n";
    return 2;
  }
  if (!o.transfer_to.empty() && !api::is_e164(o.transfer_to)) {
    std::cerr << "cxco: --transfer-to must be an E.164 number, e.g. +27115550000\n";
    return 2;
  }
  auto call = db.read([&](store::Tx& tx) { return services::simulated_call_of(tx, o.agent_id); });
  if (!call) {
    std::cerr << "cxco: agent " << o.agent_id << " does not exist or is not active (publish it first)\n";
    return 1;
  }
  // The server listens on CXCO_LISTEN; a wildcard address is reached on loopback.
  const auto colon = config.listen.rfind(':');
  auto host = config.listen.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  const auto url = "http://" + host + config.listen.substr(colon) + "/api/integrations/elevenlabs/post-call";

  std::mt19937 rng{std::random_device{}()};
  int stored = 0;
  for (int i = 0; i < o.count; ++i) {
    call->duration_seconds = o.duration.value_or(std::uniform_int_distribution<std::int64_t>(45, 420)(rng));
    // Calls that ended a minute apart, the last one just now; most go well.
    call->started_unix = clock.now() - call->duration_seconds - 60 * (o.count - 1 - i);
    call->successful = std::uniform_int_distribution<int>(1, 10)(rng) <= 8;
    if (!o.transfer_to.empty()) call->transfer_to = o.transfer_to;
    http::ClientRequest request;
    request.method = "POST";
    request.url = url;
    request.body = util::to_json(services::simulated_post_call(*call));
    request.headers = {{"Content-Type", "application/json"},
                       {"ElevenLabs-Signature",
                        crypto::sign_elevenlabs(config.elevenlabs_webhook_secret, clock.now(), request.body)}};
    const auto response = http::perform(request);
    if (!response.error.empty()) {
      std::cerr << "cxco: cannot reach the server at " << url << ": " << response.error << " (is `cxco serve` running?)\n";
      return 1;
    }
    std::cout << response.status << " " << response.body << "\n";
    if (!response.ok()) return 1;
    boost::system::error_code ec;
    const auto answer = boost::json::parse(response.body, ec);
    const auto* status = !ec && answer.is_object() ? answer.as_object().if_contains("status") : nullptr;
    if (status && *status == "stored") ++stored;
  }
  std::cerr << "cxco: sent " << o.count << " call(s), " << stored << " stored\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"CXCo: API server for AI voice and WhatsApp agents.\n"
               "Configuration comes from CXCO_* environment variables; a flag of the same name overrides each."};
  cli.fallthrough();
  cli.require_subcommand(1);

  std::map<std::string, std::string> flag_values;
  for (const auto& v : config_variables()) {
    const std::string name = v.env;
    cli.add_option_function<std::string>(
           "--" + flag_name(name), [&flag_values, name](const std::string& value) { flag_values[name] = value; },
           std::string(v.help) + " (" + name + ")")
        ->group("Configuration");
  }

  bool demo = false;
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API and its background workers");
  serve->add_flag("--demo", demo, "Seed a demo company, user and number pool into an empty database and print their keys");
  cli.add_subcommand("migrate", "Apply pending schema migrations and exit");

  auto* admin = cli.add_subcommand("admin", "Platform operator commands");
  admin->require_subcommand(1);
  std::string company_name;
  auto* create_company = admin->add_subcommand("create-company", "Create a company and print it with its company key (JSON)");
  create_company->add_option("--name", company_name, "Company name")->required();
  std::int64_t rotate_id = 0;
  auto* rotate = admin->add_subcommand("rotate-company-key", "Issue a new company key and revoke the old one");
  rotate->add_option("COMPANY_ID", rotate_id, "Company id")->required();
  auto* rotate_encryption = admin->add_subcommand(
      "rotate-encryption",
      "Re-encrypt every stored secret (provider credentials, webhook secrets) under the first CXCO_ENCRYPTION_KEYS key");

  std::string import_country, import_provider = "sip_trunk";
  std::vector<std::string> import_list;
  auto* import_numbers = admin->add_subcommand("import-numbers", "Add E.164 numbers to the pool (all or nothing)");
  import_numbers->add_option("--country", import_country, "ISO 3166-1 alpha-2 country code, e.g. ZA")->required();
  import_numbers->add_option("--provider", import_provider, "Number provider slug (sip_trunk or twilio)");
  import_numbers->add_option("NUMBER", import_list, "E.164 numbers, e.g. +27211234567")->required();
  auto* sync_voices = admin->add_subcommand(
      "sync-voices", "Import the voice provider's voice list into the catalogue (live mode, CXCO_ELEVENLABS_API_KEY)");
  std::optional<std::int64_t> reconcile_since;
  auto* reconcile = admin->add_subcommand(
      "reconcile-conversations",
      "Store finished provider conversations a lost post-call webhook never delivered (live mode)");
  reconcile->add_option("--since-unix", reconcile_since, "Only calls started at or after this unix time (default: 7 days ago)");

  auto* dev = cli.add_subcommand("dev", "Development helpers");
  dev->require_subcommand(1);
  SimulateOptions simulate_options;
  auto* simulate = dev->add_subcommand(
      "simulate-call", "Send signed post-call webhooks for an agent to the running server, as the voice provider would");
  simulate->add_option("--agent-id", simulate_options.agent_id, "Id of an active agent")->required();
  simulate->add_option("--duration", simulate_options.duration, "Call length in seconds (default: random, 45 to 420)")
      ->check(CLI::Range(1, 7200));
  simulate->add_option("--transfer-to", simulate_options.transfer_to, "E.164 number the agent transfers the caller to (SIP REFER)");
  simulate->add_option("--count", simulate_options.count, "Number of calls")->check(CLI::Range(1, 10000));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto values = config_values_from_environment();
  for (const auto& [k, v] : flag_values) values[k] = v;

  try {
    const Config config = load_config(values);
    util::set_log_format(config.log_json ? util::LogFormat::json : util::LogFormat::text);

    if (serve->parsed()) {
      app::Application application(config, {.demo = demo, .handle_signals = true});
      application.run();
      return 0;
    }

    auto db = app::open_database(config);
    util::SystemClock clock;
    const auto now = util::iso8601(clock.now());
    if (cli.got_subcommand("migrate")) {
      std::cout << "database is up to date\n";
    } else if (create_company->parsed()) {
      auto created = db->write([&](store::Tx& tx) { return services::create_company(tx, now, company_name, std::nullopt); });
      created.resource["api_key"] = created.api_key;
      std::cout << util::to_json(created.resource) << "\n";
    } else if (import_numbers->parsed()) {
      std::vector<services::NewNumber> numbers;
      bool valid = api::is_country_code(import_country) && (import_provider == "sip_trunk" || import_provider == "twilio");
      for (const auto& n : import_list) {
        if (!api::is_e164(n)) std::cerr << "cxco: not an E.164 number: " << n << "\n", valid = false;
        numbers.push_back({n, import_country, import_provider});
      }
      if (!valid) {
        std::cerr << "cxco: nothing imported (--country must be ISO 3166-1 alpha-2 in capitals, --provider sip_trunk or twilio)\n";
        return 2;
      }
      auto created = db->write([&](store::Tx& tx) { return services::add_numbers(tx, now, numbers); });
      std::cout << util::to_json(created) << "\n";
    } else if (sync_voices->parsed()) {
      if (config.provider_mode != ProviderMode::live) {
        std::cerr << "cxco: sync-voices needs CXCO_PROVIDER_MODE=live\n";
        return 2;
      }
      const auto voices = app::make_voice_provider(config)->list_voices(config.elevenlabs_api_key);
      const auto count = db->write([&](store::Tx& tx) { return services::sync_provider_voices(tx, now, voices); });
      std::cout << "synced " << count << " voices\n";
    } else if (simulate->parsed()) {
      return simulate_calls(config, *db, clock, simulate_options);
    } else if (reconcile->parsed()) {
      if (config.provider_mode != ProviderMode::live) {
        std::cerr << "cxco: reconcile-conversations needs CXCO_PROVIDER_MODE=live\n";
        return 2;
      }
      std::string key_error;
      auto fernet = crypto::MultiFernet::from_key_list(app::resolve_encryption_keys(config), &key_error);
      if (!fernet) throw ConfigError("CXCO_ENCRYPTION_KEYS", key_error);
      api::AppContext context{config, *db, std::move(*fernet), clock, app::make_voice_provider(config)};
      const auto report =
          services::reconcile_conversations(context, reconcile_since.value_or(clock.now() - 7 * 86400));
      std::cout << util::to_json(boost::json::object{{"listed", report.listed},
                                                     {"stored", report.stored},
                                                     {"already_stored", report.already_stored},
                                                     {"unfinished", report.unfinished},
                                                     {"ignored", report.ignored}})
                << "\n";
    } else if (rotate_encryption->parsed()) {
      std::string key_error;
      auto fernet = crypto::MultiFernet::from_key_list(app::resolve_encryption_keys(config), &key_error);
      if (!fernet) throw ConfigError("CXCO_ENCRYPTION_KEYS", key_error);
      const auto report = services::rotate_encryption(*db, *fernet);
      std::cout << util::to_json(boost::json::object{
                       {"rotated", report.rotated}, {"current", report.current}, {"unreadable", report.unreadable}})
                << "\n";
      // Old keys may be dropped only when every secret reads under the first key.
      if (report.unreadable) {
        std::cerr << "cxco: " << report.unreadable << " secret(s) no configured key decrypts; keep the old keys\n";
        return 1;
      }
    } else if (rotate->parsed()) {
      auto key = db->write([&](store::Tx& tx) { return services::rotate_company_key(tx, now, rotate_id); });
      if (!key) {
        std::cerr << "cxco: no company with id " << rotate_id << "\n";
        return 1;
      }
      std::cout << util::to_json(boost::json::object{{"company_id", rotate_id}, {"api_key", *key}}) << "\n";
    }
    return 0;
  } catch (const ConfigError& e) {
    return fail_config(e);
  } catch (const ApiError& e) {
    std::cerr << "cxco: " << e.detail << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "cxco: " << e.what() << "\n";
    return 1;
  }
}
