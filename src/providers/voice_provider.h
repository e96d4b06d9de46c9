// The voice AI provider (ElevenLabs Agents Platform, ../shared/docs/providers.md section 1)
// behind one interface: `live` speaks HTTP to it, `simulated` answers in process.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "domain/analysis.h"
#include "http/types.h"
#include "providers/provider_error.h"
#include "util/time.h"

namespace cxco::providers {

struct AgentSpec {
  std::string name;
  std::string prompt;         // the agent's personality
  std::string first_message;  // the opening line
  std::string language;       // ISO 639-1
  std::string voice_id;       // provider voice id (tts.voice_id)
  double temperature = 0.7;
  int max_duration_seconds = 600;
  // platform_settings.evaluation.criteria and platform_settings.data_collection.
  domain::AnalysisSettings analysis;
};

struct SipTrunk {
  std::string address;             // where outbound INVITEs go
  std::string transport = "auto";  // auto|udp|tcp|tls
  std::string username, password;  // empty: ACL auth
};

// The Twilio account a Twilio number belongs to: the provider imports the number through it.
struct TwilioAccount {
  std::string account_sid;  // AC...
  std::string auth_token;
};

struct NumberSpec {
  std::string phone_number;  // E.164
  std::string label;
  std::optional<SipTrunk> trunk;        // a SIP trunk number's outbound trunk; none: inbound only
  std::optional<TwilioAccount> twilio;  // set: a Twilio number, imported with its account (no trunk)
};

struct ProviderVoice {
  std::string voice_id, name, category, gender, accent, language, description;
  std::optional<std::string> preview_url;
  boost::json::object labels;
};

// An outbound call (platform.md section 7, providers.md 1.2 "Outbound call").
struct OutboundCall {
  std::string telephony;  // the number's provider slug: sip_trunk or twilio, which picks the endpoint
  std::string agent_id, agent_phone_number_id;
  std::string to_number;  // E.164
  // conversation_initiation_client_data.user_id: the conversation carries it, so a call whose
  // answer was lost (the node died mid-dial) is found again by it instead of dialed twice.
  std::string dial_token;
  std::string dynamic_variables_json = "{}";  // {name: string | number | boolean}
  std::optional<std::string> first_message;   // overrides the agent's opening line
};

struct ConversationPage {
  std::vector<boost::json::object> conversations;  // list items as the provider sends them
  bool has_more = false;
  std::optional<std::string> next_cursor;
};

// A call's recording as the provider answers it: the head, and the bytes, written to a sink as
// they arrive (a recording is never held whole).
struct Recording {
  int status = 200;  // 206: the provider honoured the Range asked for
  std::string content_type;
  std::optional<std::uint64_t> content_length;
  std::optional<std::string> content_range, accept_ranges;
  http::BodyProducer body;  // throws ProviderError if the transfer fails midway
};

class VoiceProvider {
 public:
  virtual ~VoiceProvider() = default;
  // Every call takes the API key to use: a company's stored key or the platform default.
  virtual std::string create_agent(const std::string& api_key, const AgentSpec& spec) = 0;  // agent_id
  virtual void update_agent(const std::string& api_key, const std::string& agent_id, const AgentSpec& spec) = 0;
  virtual void delete_agent(const std::string& api_key, const std::string& agent_id) = 0;
  virtual std::string import_number(const std::string& api_key, const NumberSpec& spec) = 0;  // phone_number_id
  // agent_id nullopt unassigns.
  virtual void assign_agent(const std::string& api_key, const std::string& phone_number_id,
                            const std::optional<std::string>& agent_id) = 0;
  virtual void delete_number(const std::string& api_key, const std::string& phone_number_id) = 0;
  virtual std::vector<ProviderVoice> list_voices(const std::string& api_key) = 0;
  // GET /v1/convai/conversations and GET /v1/convai/conversations/{id}, for reconciliation.
  virtual ConversationPage list_conversations(const std::string& api_key, const std::optional<std::string>& cursor,
                                              std::optional<std::int64_t> call_start_after_unix) = 0;
  virtual boost::json::object get_conversation(const std::string& api_key, const std::string& conversation_id) = 0;
  // GET /v1/convai/conversations/{id}/audio, with the caller's Range passed on. ProviderError
  // 404 when the provider has no recording of it.
  virtual Recording conversation_audio(const std::string& api_key, const std::string& conversation_id,
                                       const std::optional<std::string>& range) = 0;
  // Places an outbound call; returns the provider's conversation id.
  virtual std::string place_call(const std::string& api_key, const OutboundCall& call) = 0;
  // The conversation of `agent_id` that carries `user_id` (a dial token), if the provider has one.
  virtual std::optional<std::string> find_conversation(const std::string& api_key, const std::string& agent_id,
                                                       const std::string& user_id) = 0;
};

struct RetryPolicy {
  int attempts = 3;                              // total tries for 429/5xx/transport errors
  std::chrono::milliseconds first_backoff{200};  // doubled each retry; Retry-After wins when given
  std::chrono::milliseconds timeout{10000};      // per HTTP request
};

// Simulated calls are answered after a short delay and end after `call_seconds`; the last digit
// of the number called decides how (platform.md section 7). The conversation id carries all the
// simulated provider needs to answer for the call later, so it keeps no state and a call outlives
// the node that placed it, as a real provider's does.
std::unique_ptr<VoiceProvider> make_simulated_voice_provider(const util::Clock& clock, double call_seconds);
std::unique_ptr<VoiceProvider> make_elevenlabs_client(const std::string& base_url, RetryPolicy retry = {});

}  // namespace cxco::providers
