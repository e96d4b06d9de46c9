// cxco: the CXCo server and its operator commands (platform.md section 1).
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/application.h"
#include "api/validation.h"
#include "domain/errors.h"
#include "services/accounts.h"
#include "services/catalog.h"
#include "util/json.h"
#include "util/log.h"

using namespace cxco;

namespace {

int fail_config(const ConfigError& e) {
  std::cerr << "cxco: configuration error: " << e.what() << "\n";
  return 2;
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

  std::string import_country, import_provider = "sip_trunk";
  std::vector<std::string> import_list;
  auto* import_numbers = admin->add_subcommand("import-numbers", "Add E.164 numbers to the pool (all or nothing)");
  import_numbers->add_option("--country", import_country, "ISO 3166-1 alpha-2 country code, e.g. ZA")->required();
  import_numbers->add_option("--provider", import_provider, "Number provider slug (sip_trunk or twilio)");
  import_numbers->add_option("NUMBER", import_list, "E.164 numbers, e.g. +27211234567")->required();
  auto* sync_voices = admin->add_subcommand(
      "sync-voices", "Import the voice provider's voice list into the catalogue (live mode, CXCO_ELEVENLABS_API_KEY)");

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
