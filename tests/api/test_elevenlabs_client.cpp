// The live ElevenLabs client against the HTTP fake: payload mapping, retries, timeouts and
// error reporting; and the simulated provider's contract.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <set>

#include "fakes/elevenlabs_fake.h"
#include "providers/voice_provider.h"

namespace cxco::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using providers::ProviderError;
using providers::RetryPolicy;

constexpr RetryPolicy kFastRetry{.attempts = 3, .first_backoff = 1ms, .timeout = 2000ms};

template <class F>
ProviderError provider_error_of(F&& call) {
  try {
    call();
  } catch (const ProviderError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ProviderError";
  return ProviderError("none", -1, "nothing thrown");
}

json::value at(const json::object& o, std::string_view pointer) { return json::value(o).at_pointer(pointer); }

providers::AgentSpec front_desk() {
  providers::AgentSpec spec;
  spec.name = "Acme front desk";
  spec.prompt = "You are the friendly receptionist of Acme.";
  spec.first_message = "Hi, Acme here. How can I help?";
  spec.language = "en";
  spec.voice_id = "21m00Tcm4TlvDq8ikWAM";
  spec.temperature = 0.3;
  spec.max_duration_seconds = 900;
  return spec;
}

providers::NumberSpec sip_number(std::string username = "acme", std::string password = "s3cret") {
  return {"+27211234567", "Acme main line",
          providers::SipTrunk{"sip.carrier.example:5061", "tls", std::move(username), std::move(password)},
          std::nullopt};
}

class ElevenLabsClient : public ::testing::Test {
 protected:
  std::unique_ptr<providers::VoiceProvider> client_with(RetryPolicy policy) {
    return providers::make_elevenlabs_client(fake.base_url(), policy);
  }

  FakeElevenLabs fake;
  const std::string key = FakeElevenLabs::kDefaultKey;
  std::unique_ptr<providers::VoiceProvider> client = client_with(kFastRetry);
};

TEST_F(ElevenLabsClient, CreateAgentMapsSpecToCreateBody) {
  const auto id = client->create_agent(key, front_desk());
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(fake.agent_count(), 1u);
  const auto stored = fake.agent(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(at(*stored, "/name"), "Acme front desk");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/first_message"), "Hi, Acme here. How can I help?");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/language"), "en");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/prompt/prompt"), "You are the friendly receptionist of Acme.");
  EXPECT_DOUBLE_EQ(at(*stored, "/conversation_config/agent/prompt/temperature").as_double(), 0.3);
  EXPECT_EQ(at(*stored, "/conversation_config/tts/voice_id"), "21m00Tcm4TlvDq8ikWAM");
  EXPECT_EQ(at(*stored, "/conversation_config/tts/model_id"), "eleven_flash_v2");  // English-only, for English
  EXPECT_EQ(at(*stored, "/conversation_config/conversation/max_duration_seconds"), 900);
}

TEST_F(ElevenLabsClient, UpdateAgentSendsEveryChangedField) {
  const auto id = client->create_agent(key, front_desk());
  auto spec = front_desk();
  spec.name = "Acme nocturnal desk";
  spec.prompt = "You answer after hours.";
  spec.first_message = "Goeienaand!";
  spec.language = "af";
  spec.voice_id = "EXAVITQu4vr4xnSDxMaL";
  spec.temperature = 0.9;
  spec.max_duration_seconds = 300;
  client->update_agent(key, id, spec);

  EXPECT_EQ(fake.request_count("update_agent"), 1);
  const auto stored = fake.agent(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(at(*stored, "/name"), "Acme nocturnal desk");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/first_message"), "Goeienaand!");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/language"), "af");
  EXPECT_EQ(at(*stored, "/conversation_config/agent/prompt/prompt"), "You answer after hours.");
  EXPECT_DOUBLE_EQ(at(*stored, "/conversation_config/agent/prompt/temperature").as_double(), 0.9);
  EXPECT_EQ(at(*stored, "/conversation_config/tts/voice_id"), "EXAVITQu4vr4xnSDxMaL");
  EXPECT_EQ(at(*stored, "/conversation_config/tts/model_id"), "eleven_flash_v2_5");  // multilingual, for Afrikaans
  EXPECT_EQ(at(*stored, "/conversation_config/conversation/max_duration_seconds"), 300);
}

TEST_F(ElevenLabsClient, DeleteAgentAcceptsEmptyNoContent) {
  const auto id = client->create_agent(key, front_desk());
  client->delete_agent(key, id);
  EXPECT_EQ(fake.agent_count(), 0u);
  EXPECT_FALSE(fake.agent(id));
}

TEST_F(ElevenLabsClient, NumberImportAssignUnassignDelete) {
  const auto agent_id = client->create_agent(key, front_desk());
  const auto number_id = client->import_number(key, sip_number());
  ASSERT_FALSE(number_id.empty());
  EXPECT_EQ(fake.number_count(), 1u);

  auto stored = fake.number(number_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(at(*stored, "/phone_number"), "+27211234567");
  EXPECT_EQ(at(*stored, "/label"), "Acme main line");
  EXPECT_EQ(at(*stored, "/provider"), "sip_trunk");
  EXPECT_EQ(at(*stored, "/supports_inbound"), true);
  EXPECT_EQ(at(*stored, "/supports_outbound"), true);
  EXPECT_TRUE(at(*stored, "/inbound_trunk_config").is_object());
  EXPECT_EQ(at(*stored, "/outbound_trunk_config/address"), "sip.carrier.example:5061");
  EXPECT_EQ(at(*stored, "/outbound_trunk_config/transport"), "tls");
  EXPECT_EQ(at(*stored, "/outbound_trunk_config/credentials/username"), "acme");
  EXPECT_EQ(at(*stored, "/outbound_trunk_config/credentials/password"), "s3cret");
  EXPECT_TRUE(at(*stored, "/assigned_agent_id").is_null());

  client->assign_agent(key, number_id, agent_id);
  EXPECT_EQ(at(*fake.number(number_id), "/assigned_agent_id"), json::value(agent_id));

  client->assign_agent(key, number_id, std::nullopt);
  EXPECT_TRUE(at(*fake.number(number_id), "/assigned_agent_id").is_null());

  client->delete_number(key, number_id);
  EXPECT_EQ(fake.number_count(), 0u);
  EXPECT_EQ(fake.request_count("delete_number"), 1);
}

TEST_F(ElevenLabsClient, NumberWithoutCredentialsUsesAclAndWithoutTrunkIsInboundOnly) {
  const auto acl_id = client->import_number(key, sip_number("", ""));
  const auto acl = fake.number(acl_id);
  ASSERT_TRUE(acl);
  EXPECT_TRUE(at(*acl, "/outbound_trunk_config/credentials").is_null());
  EXPECT_EQ(at(*acl, "/outbound_trunk_config/address"), "sip.carrier.example:5061");

  const auto inbound_id = client->import_number(key, {"+27211234568", "Inbound only", std::nullopt, std::nullopt});
  const auto inbound = fake.number(inbound_id);
  ASSERT_TRUE(inbound);
  EXPECT_EQ(at(*inbound, "/supports_inbound"), true);
  EXPECT_EQ(at(*inbound, "/supports_outbound"), false);
  EXPECT_TRUE(at(*inbound, "/outbound_trunk_config").is_null());
  EXPECT_NE(acl_id, inbound_id);
}

TEST_F(ElevenLabsClient, TwilioNumbersAreImportedWithTheirAccount) {
  const auto id = client->import_number(
      key, {"+12025550101", "Acme US line", std::nullopt,
            providers::TwilioAccount{"AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"}});
  const auto stored = fake.number(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(at(*stored, "/provider"), "twilio");
  EXPECT_EQ(at(*stored, "/phone_number"), "+12025550101");
  EXPECT_EQ(at(*stored, "/sid"), "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(at(*stored, "/token"), "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(stored->contains("outbound_trunk_config"));
  const auto agent_id = client->create_agent(key, front_desk());
  client->assign_agent(key, id, agent_id);  // answered in the Twilio number's shape
  EXPECT_EQ(at(*fake.number(id), "/assigned_agent_id"), json::value(agent_id));
}

TEST_F(ElevenLabsClient, WrongKeyFailsWith401WithoutRetryOrLeakingTheKey) {
  const std::string wrong = "sk_wrong_0123456789abcdef";
  const auto e = provider_error_of([&] { client->create_agent(wrong, front_desk()); });
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.operation, "create_agent");
  EXPECT_NE(std::string(e.what()).find("invalid_api_key"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos) << e.what();
  EXPECT_EQ(fake.request_count("create_agent"), 1);
  EXPECT_EQ(fake.agent_count(), 0u);
}

TEST_F(ElevenLabsClient, ServerErrorOnceIsRetried) {
  fake.fail("create_agent", 500);
  const auto id = client->create_agent(key, front_desk());
  EXPECT_EQ(fake.request_count("create_agent"), 2);
  EXPECT_EQ(fake.agent_count(), 1u);
  EXPECT_TRUE(fake.agent(id));
}

TEST_F(ElevenLabsClient, TooManyRequestsHonoursRetryAfterOverBackoff) {
  // A backoff this long would stall the test: only Retry-After: 0 lets the retry come at once.
  auto patient = client_with({.attempts = 2, .first_backoff = 60s, .timeout = 2000ms});
  fake.fail("list_voices", 429, 1, 0);
  const auto started = std::chrono::steady_clock::now();
  const auto voices = patient->list_voices(key);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(voices.size(), 3u);
  EXPECT_EQ(fake.request_count("list_voices"), 2);
}

TEST_F(ElevenLabsClient, PersistentServerErrorGivesUpAfterAttempts) {
  fake.fail("import_number", 503, 100);
  const auto e = provider_error_of([&] { client->import_number(key, sip_number()); });
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(e.operation, "import_number");
  EXPECT_NE(std::string(e.what()).find("Injected failure"), std::string::npos) << e.what();
  EXPECT_EQ(fake.request_count("import_number"), kFastRetry.attempts);
  EXPECT_EQ(fake.number_count(), 0u);
}

TEST_F(ElevenLabsClient, NotFoundIsNotRetried) {
  const auto e = provider_error_of([&] { client->update_agent(key, "agent_missing", front_desk()); });
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.operation, "update_agent");
  EXPECT_NE(std::string(e.what()).find("agent_not_found"), std::string::npos) << e.what();
  EXPECT_EQ(fake.request_count("update_agent"), 1);
}

TEST_F(ElevenLabsClient, ValidationErrorReportsFieldsWithoutRetry) {
  fake.fail("create_agent", 422);
  const auto e = provider_error_of([&] { client->create_agent(key, front_desk()); });
  EXPECT_EQ(e.status, 422);
  EXPECT_NE(std::string(e.what()).find("body.name: Injected validation failure"), std::string::npos) << e.what();
  EXPECT_EQ(fake.request_count("create_agent"), 1);
}

TEST_F(ElevenLabsClient, TimeoutIsATransportErrorAfterAttempts) {
  auto impatient = client_with({.attempts = 2, .first_backoff = 1ms, .timeout = 100ms});
  fake.hang("get_conversation", 30s);
  const auto started = std::chrono::steady_clock::now();
  const auto e = provider_error_of([&] { impatient->get_conversation(key, "conv_1"); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(e.status, 0);
  EXPECT_EQ(e.operation, "get_conversation");
  EXPECT_TRUE(fake.wait_for_requests("get_conversation", 2));
  EXPECT_EQ(fake.request_count("get_conversation"), 2);
}

TEST_F(ElevenLabsClient, ListVoicesMapsLabels) {
  const auto voices = client->list_voices(key);
  ASSERT_EQ(voices.size(), 3u);
  const auto& rachel = voices[0];
  EXPECT_EQ(rachel.voice_id, "21m00Tcm4TlvDq8ikWAM");
  EXPECT_EQ(rachel.name, "Rachel");
  EXPECT_EQ(rachel.category, "premade");
  EXPECT_EQ(rachel.gender, "female");
  EXPECT_EQ(rachel.accent, "american");
  EXPECT_EQ(rachel.language, "en");
  EXPECT_EQ(rachel.description, "Matter-of-fact, personable woman. Great for conversational use cases.");
  ASSERT_TRUE(rachel.preview_url);
  EXPECT_NE(rachel.preview_url->find("21m00Tcm4TlvDq8ikWAM"), std::string::npos);
  EXPECT_EQ(rachel.labels.at("use_case"), "conversational");

  const auto& antoni = voices[2];
  EXPECT_EQ(antoni.voice_id, "ErXwobaYiN019PkySvjV");
  EXPECT_EQ(antoni.gender, "male");
  EXPECT_EQ(antoni.language, "");
  EXPECT_EQ(antoni.description, "well-rounded");  // from the label when the field is null
  EXPECT_FALSE(antoni.preview_url);
}

json::object conversation(int i) {
  return {{"agent_id", "agent_fake1"},
          {"conversation_id", "conv_" + std::to_string(i)},
          {"status", "done"},
          {"transcript", json::array{{{"role", "agent"}, {"message", "Hi"}, {"time_in_call_secs", 0}},
                                     {{"role", "user"}, {"message", "Hello"}, {"time_in_call_secs", 2}}}},
          {"metadata",
           {{"start_time_unix_secs", 1'750'000'000 + i},
            {"call_duration_secs", 60 + i},
            {"phone_call",
             {{"type", "sip_trunking"},
              {"direction", "inbound"},
              {"phone_number_id", "phnum_fake1"},
              {"agent_number", "+27211234567"},
              {"external_number", "+27821234567"},
              {"call_sid", "sip_" + std::to_string(i)}}}}},
          {"analysis", {{"call_successful", "success"}, {"transcript_summary", "Greeted."}}},
          {"has_audio", false},
          {"has_user_audio", false},
          {"has_response_audio", false}};
}

TEST_F(ElevenLabsClient, ListConversationsFollowsCursors) {
  for (int i = 0; i < 130; ++i) fake.add_conversation(conversation(i));

  const auto first = client->list_conversations(key, std::nullopt, std::nullopt);
  ASSERT_EQ(first.conversations.size(), 100u);
  EXPECT_TRUE(first.has_more);
  ASSERT_TRUE(first.next_cursor);
  EXPECT_EQ(first.conversations.front().at("conversation_id"), "conv_129");  // newest first
  EXPECT_EQ(first.conversations.front().at("call_duration_secs"), 189);
  EXPECT_EQ(first.conversations.front().at("message_count"), 2);
  EXPECT_EQ(first.conversations.front().at("direction"), "inbound");

  const auto second = client->list_conversations(key, first.next_cursor, std::nullopt);
  EXPECT_EQ(second.conversations.size(), 30u);
  EXPECT_FALSE(second.has_more);
  EXPECT_FALSE(second.next_cursor);

  std::set<std::string> ids;
  for (const auto* page : {&first, &second})
    for (const auto& c : page->conversations) ids.insert(std::string(c.at("conversation_id").as_string()));
  EXPECT_EQ(ids.size(), 130u);

  const auto recent = client->list_conversations(key, std::nullopt, 1'750'000'120);
  ASSERT_EQ(recent.conversations.size(), 10u);
  EXPECT_FALSE(recent.has_more);
  for (const auto& c : recent.conversations) EXPECT_GE(c.at("start_time_unix_secs").as_int64(), 1'750'000'120);
}

TEST_F(ElevenLabsClient, GetConversationReturnsTheFullObject) {
  fake.add_conversation(conversation(7));
  const auto got = client->get_conversation(key, "conv_7");
  EXPECT_EQ(got, conversation(7));

  const auto e = provider_error_of([&] { client->get_conversation(key, "conv_8"); });
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(fake.request_count("get_conversation"), 2);
}

TEST_F(ElevenLabsClient, BaseUrlMayEndInASlash) {
  const auto slashed = providers::make_elevenlabs_client(fake.base_url() + "/", kFastRetry);
  EXPECT_EQ(slashed->list_voices(key).size(), 3u);
  EXPECT_EQ(fake.request_count("list_voices"), 1);
}

TEST(ElevenLabsClientConfig, RejectsBaseUrlThatIsNotHttp) {
  EXPECT_THROW(providers::make_elevenlabs_client("api.elevenlabs.io"), std::invalid_argument);
  EXPECT_THROW(providers::make_elevenlabs_client("ftp://api.elevenlabs.io"), std::invalid_argument);
  EXPECT_NO_THROW(providers::make_elevenlabs_client("https://api.elevenlabs.io/"));
}

TEST(ElevenLabsSimulated, SucceedsInProcessWithRandomIds) {
  util::SystemClock clock;
  const auto sim = providers::make_simulated_voice_provider(clock, 3);
  const auto a = sim->create_agent("", front_desk());
  const auto b = sim->create_agent("", front_desk());
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("sim_agent_", 0), 0u);
  EXPECT_EQ(a.size(), std::string("sim_agent_").size() + 16);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 10), std::string::npos);
  const auto n = sim->import_number("", sip_number());
  EXPECT_EQ(n.rfind("sim_phone_", 0), 0u);
  EXPECT_NO_THROW(sim->update_agent("", a, front_desk()));
  EXPECT_NO_THROW(sim->assign_agent("", n, a));
  EXPECT_NO_THROW(sim->delete_number("", n));
  EXPECT_NO_THROW(sim->delete_agent("", a));
  EXPECT_TRUE(sim->list_voices("").empty());
  const auto page = sim->list_conversations("", std::nullopt, std::nullopt);
  EXPECT_TRUE(page.conversations.empty());
  EXPECT_FALSE(page.has_more);
  const auto e = provider_error_of([&] { sim->get_conversation("", "conv_1"); });
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.operation, "get_conversation");
}

}  // namespace
}  // namespace cxco::test
