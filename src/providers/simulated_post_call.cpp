#include "providers/simulated_post_call.h"

#include <algorithm>
#include <vector>

#include "crypto/crypto.h"
#include "util/json.h"

namespace cxco::providers {

namespace json = boost::json;

namespace {

// evaluation_criteria_results and data_collection_results in the provider's shape.
std::pair<json::object, json::object> simulated_results(const SimulatedCall& call, std::int64_t duration) {
  json::object criteria, data;
  for (const auto& c : call.analysis.criteria)
    criteria[c.id] = {{"criteria_id", c.id},
                      {"result", call.successful ? "success" : "failure"},
                      {"rationale", call.successful ? "The caller got what they asked for: " + c.name
                                                    : "The call ended before this was achieved: " + c.name}};
  std::size_t n = 0;
  for (const auto& f : call.analysis.data_fields) {
    json::value value;
    switch (f.type) {
      case domain::FieldType::string:
        value = f.enum_values.empty()
                    ? json::value("pro plan")
                    : json::value(f.enum_values[(static_cast<std::size_t>(duration) + n) % f.enum_values.size()]);
        break;
      case domain::FieldType::boolean: value = call.successful; break;
      case domain::FieldType::integer: value = duration / 60 + 1; break;
      case domain::FieldType::number: value = static_cast<double>(duration) / 4.0; break;
    }
    ++n;
    data[f.id] = {{"data_collection_id", f.id},
                  {"value", std::move(value)},
                  {"json_schema", {{"type", domain::to_string(f.type)}, {"description", f.description}}},
                  {"rationale", "Stated by the caller during the call."}};
  }
  return {std::move(criteria), std::move(data)};
}

}  // namespace

json::object simulated_post_call(const SimulatedCall& call) {
  const auto duration = std::max<std::int64_t>(call.duration_seconds, 1);
  // Lines of a short sales call; the transfer, when there is one, replaces the goodbye.
  const std::vector<std::pair<const char*, const char*>> lines = {
      {"agent", "Hi there! Thanks for calling. How can I help you today?"},
      {"user", "Hi, I was wondering about your pricing for the Pro plan."},
      {"agent", "Great question! The Pro plan starts at R499 per month and includes unlimited users."},
      {"user", "Does that include support over the phone?"},
      {"agent", "It does, on weekdays from eight to six. Shall I send the details by email?"},
      {"user", "Yes please."},
  };
  const std::int64_t talk_until = call.transfer_to ? duration * 6 / 10 : duration;
  json::array transcript;
  auto turn = [&](const char* role, const char* message, std::int64_t at) {
    json::object t{{"role", role},
                   {"message", message},
                   {"time_in_call_secs", at},
                   {"tool_calls", json::array{}},
                   {"tool_results", json::array{}},
                   {"feedback", nullptr},
                   {"interrupted", false}};
    if (std::string_view(role) == "agent")
      t["llm_usage"] = {
          {"model_usage",
           {{"gemini-2.0-flash",
             {{"input", {{"tokens", 600 + 40 * static_cast<std::int64_t>(transcript.size())}, {"price", 0.00006}}},
              {"output_total", {{"tokens", 45}, {"price", 0.000018}}}}}}}};
    transcript.push_back(std::move(t));
  };
  const bool voicemail = call.outbound && call.outbound->voicemail;
  for (std::size_t i = 0; i < lines.size() && !voicemail; ++i)
    turn(lines[i].first, lines[i].second,
         talk_until * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(lines.size() + 1));
  if (voicemail) {
    // The provider's voicemail detection tool ends the call (providers.md 1.4's tool results).
    turn("agent", "Hello, this is a message for you.", 1);
    auto& last = transcript.back().as_object();
    last["tool_results"] = json::array{json::object{{"request_id", "voicemail_1"},
                                                    {"tool_name", "voicemail_detection"},
                                                    {"type", "system"},
                                                    {"is_error", false},
                                                    {"tool_has_been_called", true},
                                                    {"result_value", R"({"status":"success"})"},
                                                    {"result",
                                                     {{"result_type", "voicemail_detection_success"},
                                                      {"status", "success"},
                                                      {"voicemail_message", nullptr},
                                                      {"reason", "A voicemail greeting answered"}}}}};
  } else if (call.transfer_to) {
    turn("agent", "Let me put you through to a colleague now.", talk_until);
    auto& last = transcript.back().as_object();
    const std::string request_id = "transfer_" + crypto::to_hex(crypto::random_bytes(4));
    last["tool_calls"] = json::array{
        json::object{{"request_id", request_id},
                     {"tool_name", "transfer_to_number"},
                     {"type", "system"},
                     {"params_as_json", util::to_json(json::object{{"transfer_number", *call.transfer_to}})},
                     {"tool_has_been_called", true}}};
    last["tool_results"] = json::array{json::object{{"request_id", request_id},
                                                    {"tool_name", "transfer_to_number"},
                                                    {"type", "system"},
                                                    {"is_error", false},
                                                    {"tool_has_been_called", true},
                                                    {"result_value", R"({"status":"success"})"},
                                                    {"result",
                                                     {{"result_type", "transfer_to_number_sip_success"},
                                                      {"status", "success"},
                                                      {"transfer_number", *call.transfer_to},
                                                      {"reason", "The caller asked for a person"},
                                                      {"note", nullptr}}}}};
  } else {
    turn("agent", "Done! Thanks for calling, goodbye.", std::max<std::int64_t>(duration - 2, 0));
  }

  // A South African mobile number; uniformity does not matter for a demo caller.
  std::string caller = "+2782";
  for (const unsigned char b : crypto::random_bytes(7)) caller += static_cast<char>('0' + b % 10);
  json::object phone_call{{"type", "sip_trunking"},
                          {"direction", call.outbound ? "outbound" : "inbound"},
                          {"phone_number_id", "sim_phone"},
                          {"agent_number", call.agent_number},
                          {"external_number", call.outbound ? call.outbound->to_number : caller},
                          {"call_sid", "sim_call_" + crypto::to_hex(crypto::random_bytes(6))}};
  json::object metadata{
      {"start_time_unix_secs", call.started_unix},
      {"accepted_time_unix_secs", call.started_unix},
      {"call_duration_secs", duration},
      {"cost", duration * 10},
      {"termination_reason", voicemail          ? "Voicemail detected"
                             : call.transfer_to ? "Call transferred"
                                                : "end_call tool was called."},
      {"main_language", "en"},
      {"conversation_initiation_source", "sip_trunk"},
      {"charging", {{"tier", "pro"}, {"llm_price", 0.0009}, {"llm_charge", 4}, {"call_charge", duration * 10}}},
      {"phone_call", std::move(phone_call)}};
  json::object analysis{
      {"call_successful", call.successful ? "success" : "failure"},
      {"transcript_summary", voicemail ? "A voicemail greeting answered; the agent left no message."
                             : call.transfer_to
                                 ? "The caller asked about the Pro plan and was transferred to a colleague."
                                 : "The caller asked about Pro plan pricing; the agent offered to email details."},
      {"call_summary_title", "Pro plan pricing"},
      {"evaluation_criteria_results", json::object{}},
      {"data_collection_results", json::object{}}};
  if (!voicemail) {
    auto [criteria, data] = simulated_results(call, duration);
    analysis["evaluation_criteria_results"] = std::move(criteria);
    analysis["data_collection_results"] = std::move(data);
  }
  json::object client_data;
  if (call.outbound) client_data["user_id"] = call.outbound->dial_token;
  json::object data{{"agent_id", call.external_agent_id},
                    {"conversation_id", call.outbound ? call.outbound->conversation_id
                                                      : "conv_" + crypto::to_hex(crypto::random_bytes(12))},
                    {"status", "done"},
                    {"user_id", call.outbound ? json::value(call.outbound->dial_token) : json::value(nullptr)},
                    {"transcript", std::move(transcript)},
                    {"metadata", std::move(metadata)},
                    {"analysis", std::move(analysis)},
                    {"conversation_initiation_client_data", std::move(client_data)},
                    {"has_audio", true},
                    {"has_user_audio", true},
                    {"has_response_audio", true}};
  return {{"type", "post_call_transcription"},
          {"event_timestamp", call.started_unix + duration + 5},
          {"data", std::move(data)}};
}

}  // namespace cxco::providers
