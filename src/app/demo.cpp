#include "app/demo.h"

#include <boost/json/parse.hpp>

#include <chrono>
#include <ctime>
#include <iostream>
#include <random>
#include <thread>

#include "crypto/signatures.h"
#include "domain/validation.h"
#include "http/client.h"
#include "providers/simulated_post_call.h"
#include "util/json.h"
#include "util/time.h"

namespace cxco::app {

void seed_demo(Platform& platform, std::ostream& out) {
  if (platform.accounts.has_companies()) return;
  const auto company = platform.accounts.create_company("Demo Company", R"({"default_language":"en"})");
  const auto user = platform.accounts.create_user(company.resource.id, "demo@example.com", "Demo User", "owner");
  // A small pool so the reference's "Create and Publish a Voice Agent" guide works at once.
  // Numbers in the fictional/drama ranges, so a demo never points at a real subscriber.
  if (platform.catalog.pool_is_empty())
    platform.catalog.add_numbers({{"+27210000001", "ZA"},
                                  {"+27210000002", "ZA"},
                                  {"+27210000003", "ZA"},
                                  {"+12025550101", "US"},
                                  {"+12025550102", "US"},
                                  {"+447700900101", "GB"},
                                  {"+447700900102", "GB"}});
  const auto& listen = platform.config.listen;
  out << "\nCXCo demo data created. These keys are shown once; keep them.\n"
      << "  company id:   " << company.resource.id.value << "\n"
      << "  company key:  " << company.api_key << "\n"
      << "  user key:     " << user.api_key << "\n\n"
      << "Console: http://" << listen << "/console (sign in with the user key)\n\n"
      << "Try:\n  curl -H 'X-API-Key: " << user.api_key << "' http://" << listen << "/api/users/me\n"
      << "  curl -H 'X-API-Key: " << user.api_key << "' http://" << listen << "/api/voices/\n\n"
      << std::flush;
}

namespace {

// The running server's URL for `path`: it listens on CXCO_LISTEN; a wildcard address is reached
// on loopback.
std::string server_url(const Config& config, const std::string& path) {
  const auto colon = config.listen.rfind(':');
  auto host = config.listen.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return "http://" + host + config.listen.substr(colon) + path;
}

}  // namespace

int simulate_calls(const Config& config, services::Agents& agents, const util::Clock& clock, const SimulateOptions& o) {
  if (config.elevenlabs_webhook_secret.empty()) {
    std::cerr << "cxco: set CXCO_ELEVENLABS_WEBHOOK_SECRET, to the same value for `serve` and `dev simulate-call`\n";
    return 2;
  }
  if (!o.transfer_to.empty() && !domain::is_e164(o.transfer_to)) {
    std::cerr << "cxco: --transfer-to must be an E.164 number, e.g. +27115550000\n";
    return 2;
  }
  const auto agent = agents.find_active_any_company(o.agent_id);
  if (!agent) {
    std::cerr << "cxco: agent " << o.agent_id << " does not exist or is not active (publish it first)\n";
    return 1;
  }
  providers::SimulatedCall call;
  call.external_agent_id = *agent->external_agent_id;
  call.agent_number = agent->number;
  call.analysis = agent->analysis;  // results for the agent's criteria and data fields
  const auto url = server_url(config, "/api/integrations/elevenlabs/post-call");

  std::mt19937 rng{std::random_device{}()};
  int stored = 0;
  for (int i = 0; i < o.count; ++i) {
    call.duration_seconds = o.duration.value_or(std::uniform_int_distribution<std::int64_t>(45, 420)(rng));
    // Calls that ended a minute apart, the last one just now; most go well.
    call.started_unix = clock.now() - call.duration_seconds - 60 * (o.count - 1 - i);
    call.successful = std::uniform_int_distribution<int>(1, 10)(rng) <= 8;
    if (!o.transfer_to.empty()) call.transfer_to = o.transfer_to;
    http::ClientRequest request;
    request.method = "POST";
    request.url = url;
    request.body = util::to_json(providers::simulated_post_call(call));
    request.headers = {
        {"Content-Type", "application/json"},
        {"ElevenLabs-Signature", crypto::sign_elevenlabs(config.elevenlabs_webhook_secret, clock.now(), request.body)}};
    const auto response = http::perform(request);
    if (!response.error.empty()) {
      std::cerr << "cxco: cannot reach the server at " << url << ": " << response.error
                << " (is `cxco serve` running?)\n";
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

int watch_campaign(const Config& config, std::int64_t campaign_id, const std::string& user_key,
                   double interval_seconds) {
  http::ClientRequest request;
  request.method = "GET";
  request.url = server_url(config, "/api/campaigns/" + std::to_string(campaign_id));
  request.headers = {{"X-API-Key", user_key}};
  for (;;) {
    const auto response = http::perform(request);
    if (!response.error.empty()) {
      std::cerr << "cxco: cannot reach the server at " << request.url << ": " << response.error
                << " (is `cxco serve` running?)\n";
      return 1;
    }
    boost::system::error_code ec;
    const auto answer = boost::json::parse(response.body, ec);
    if (!response.ok() || ec || !answer.is_object()) {
      std::cerr << "cxco: " << response.status << " " << response.body << "\n";
      return 1;
    }
    const auto& campaign = answer.as_object();
    const auto& counts = campaign.at("counts").as_object();
    const std::string status(campaign.at("status").as_string());
    std::cout << util::iso8601(std::time(nullptr)) << "  " << status;
    for (const auto* key : {"total", "pending", "in_progress", "completed", "failed", "skipped", "canceled"})
      std::cout << "  " << key << " " << counts.at(key).as_int64();
    const auto& usage = campaign.at("usage").as_object();
    std::cout << "  calls " << usage.at("calls").as_int64() << "  minutes " << util::to_json(usage.at("minutes"))
              << std::endl;
    if (status == "completed" || status == "canceled") return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(interval_seconds * 1000)));
  }
}

}  // namespace cxco::app
