#include "app/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "app/application.h"
#include "app/demo.h"
#include "app/platform.h"
#include "domain/errors.h"
#include "domain/validation.h"
#include "util/log.h"
#include "wire/serializers.h"

namespace cxco::app {

namespace {

int fail_config(const ConfigError& e) {
  std::cerr << "cxco: configuration error: " << e.what() << "\n";
  return 2;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{
      "CXCo: API server for AI voice and WhatsApp agents.\n"
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
  serve->add_flag("--demo", demo,
                  "Seed a demo company, user and number pool into an empty database and print their keys");
  cli.add_subcommand("migrate", "Apply pending schema migrations and exit");

  auto* admin = cli.add_subcommand("admin", "Platform operator commands");
  admin->require_subcommand(1);
  std::string company_name;
  auto* create_company =
      admin->add_subcommand("create-company", "Create a company and print it with its company key (JSON)");
  create_company->add_option("--name", company_name, "Company name")->required();
  std::int64_t rotate_id = 0;
  auto* rotate = admin->add_subcommand("rotate-company-key", "Issue a new company key and revoke the old one");
  rotate->add_option("COMPANY_ID", rotate_id, "Company id")->required();
  auto* rotate_encryption = admin->add_subcommand("rotate-encryption",
                                                  "Re-encrypt every stored secret (provider credentials, webhook "
                                                  "secrets) under the first CXCO_ENCRYPTION_KEYS key");

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
  reconcile->add_option("--since-unix", reconcile_since,
                        "Only calls started at or after this unix time (default: 7 days ago)");

  auto* dev = cli.add_subcommand("dev", "Development helpers");
  dev->require_subcommand(1);
  SimulateOptions simulate_options;
  auto* simulate = dev->add_subcommand(
      "simulate-call",
      "Send signed post-call webhooks for an agent to the running server, as the voice provider would");
  simulate->add_option("--agent-id", simulate_options.agent_id, "Id of an active agent")->required();
  simulate->add_option("--duration", simulate_options.duration, "Call length in seconds (default: random, 45 to 420)")
      ->check(CLI::Range(1, 7200));
  simulate->add_option("--transfer-to", simulate_options.transfer_to,
                       "E.164 number the agent transfers the caller to (SIP REFER)");
  simulate->add_option("--count", simulate_options.count, "Number of calls")->check(CLI::Range(1, 10000));

  std::int64_t watch_id = 0;
  std::string watch_key;
  double watch_interval = 1;
  auto* watch = dev->add_subcommand("watch-campaign",
                                    "Print a campaign's counts every second until it completes (through the running "
                                    "server's API)");
  watch->add_option("CAMPAIGN_ID", watch_id, "Campaign id")->required();
  watch->add_option("--key", watch_key, "A user key of the campaign's company")->required();
  watch->add_option("--interval", watch_interval, "Seconds between looks")->check(CLI::Range(0.1, 3600.0));

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
      Application application(config, {.demo = demo, .handle_signals = true});
      application.run();
      return 0;
    }

    util::SystemClock clock;
    if (cli.got_subcommand("migrate")) {
      open_database(config);
      std::cout << "database is up to date\n";
    } else if (create_company->parsed()) {
      auto db = open_database(config);
      services::Accounts accounts(*db, clock);
      std::cout << wire::to_json(accounts.create_company(company_name, std::nullopt)) << "\n";
    } else if (rotate->parsed()) {
      auto db = open_database(config);
      services::Accounts accounts(*db, clock);
      const auto key = accounts.rotate_company_key(domain::CompanyId(rotate_id));
      if (!key) {
        std::cerr << "cxco: no company with id " << rotate_id << "\n";
        return 1;
      }
      util::JsonWriter w;
      w.begin_object().field("company_id", rotate_id).field("api_key", *key).end_object();
      std::cout << w.str() << "\n";
    } else if (import_numbers->parsed()) {
      std::vector<domain::NewNumber> numbers;
      bool valid =
          domain::is_country_code(import_country) && (import_provider == "sip_trunk" || import_provider == "twilio");
      for (const auto& n : import_list) {
        if (!domain::is_e164(n))
          std::cerr << "cxco: not an E.164 number: " << n << "\n", valid = false;
        else if (!domain::is_number_of_country(n, import_country))
          std::cerr << "cxco: " << n << " is not a number of " << import_country << "\n", valid = false;
        numbers.push_back({n, import_country, import_provider});
      }
      if (!valid) {
        std::cerr << "cxco: nothing imported (--country must be ISO 3166-1 alpha-2 in capitals, --provider sip_trunk "
                     "or twilio)\n";
        return 2;
      }
      auto db = open_database(config);
      services::Catalog catalog(*db, clock);
      std::cout << wire::to_json(catalog.add_numbers(numbers)) << "\n";
    } else if (sync_voices->parsed()) {
      if (config.provider_mode != ProviderMode::live) {
        std::cerr << "cxco: sync-voices needs CXCO_PROVIDER_MODE=live\n";
        return 2;
      }
      auto db = open_database(config);
      services::Catalog catalog(*db, clock);
      const auto count =
          catalog.sync_provider_voices(make_voice_provider(config, clock)->list_voices(config.elevenlabs_api_key));
      std::cout << "synced " << count << " voices\n";
    } else if (watch->parsed()) {
      return watch_campaign(config, watch_id, watch_key, watch_interval);
    } else if (simulate->parsed()) {
      Platform platform(config, clock);
      return simulate_calls(config, platform.agents, clock, simulate_options);
    } else if (reconcile->parsed()) {
      if (config.provider_mode != ProviderMode::live) {
        std::cerr << "cxco: reconcile-conversations needs CXCO_PROVIDER_MODE=live\n";
        return 2;
      }
      Platform platform(config, clock);
      const auto report = platform.conversations.reconcile(reconcile_since.value_or(clock.now() - 7 * 86400));
      std::cout << wire::to_json(report) << "\n";
      if (report.failed_workspaces) {
        std::cerr << "cxco: " << report.failed_workspaces
                  << " provider workspace(s) could not be listed (see the log)\n";
        return 1;
      }
    } else if (rotate_encryption->parsed()) {
      Platform platform(config, clock);
      const auto report = platform.credentials.rotate_encryption();
      std::cout << wire::to_json(report) << "\n";
      // Old keys may be dropped only when every secret reads under the first key.
      if (report.unreadable) {
        std::cerr << "cxco: " << report.unreadable << " secret(s) no configured key decrypts; keep the old keys\n";
        return 1;
      }
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

}  // namespace cxco::app
