// GET /api/conversations/{id}/audio (platform.md section 8): a call's recording, streamed from
// the voice provider as it arrives (live), or a generated tone (simulated).
#include <ctime>

#include "crypto/crypto.h"
#include "fakes/elevenlabs_fake.h"
#include "harness.h"
#include "providers/simulated_post_call.h"
#include "raw_socket.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

constexpr const char* kSecret = "wsec_test";
constexpr const char* kCompanyKey = "company-el-key";

std::uint32_t little_endian(const std::string& bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

std::string pattern(std::size_t first, std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = FakeElevenLabs::recording_byte(first + i);
  return out;
}

}  // namespace

class Recordings : public ::testing::Test {
 protected:
  // A finished call of `agent` stored through the post-call webhook; answers its id.
  std::int64_t store_call(const TestServer::LiveAgent& agent, const std::string& conversation_id) {
    providers::SimulatedCall call;
    call.external_agent_id = agent.external_id;
    call.agent_number = "+27211234567";
    call.started_unix = std::time(nullptr) - 300;
    auto body = providers::simulated_post_call(call);
    body["data"].as_object()["conversation_id"] = conversation_id;
    const auto text = json::serialize(body);
    const auto t = std::to_string(std::time(nullptr));
    const auto r = server->request(
        "POST", "/api/integrations/elevenlabs/post-call", "", text,
        {{"ElevenLabs-Signature", "t=" + t + ",v0=" + crypto::hmac_sha256_hex(kSecret, t + "." + text)}});
    EXPECT_EQ(r.json.at("status"), "stored") << r.body;
    return r.json.at("conversation_id").as_int64();
  }

  std::string audio_path(std::int64_t id) { return "/api/conversations/" + std::to_string(id) + "/audio"; }

  std::unique_ptr<TestServer> server;
  TestServer::Account company{}, user{};
};

class SimulatedRecordings : public Recordings {
 protected:
  void SetUp() override {
    server = std::make_unique<TestServer>([](auto& v) { v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret; });
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    server->add_numbers({"+27211234567"});
  }
};

TEST_F(SimulatedRecordings, ACallHasAShortWaveRecording) {
  const auto id = store_call(server->publish_agent(user.key), "conv_sim");
  const auto r = server->get(audio_path(id), user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "audio/wav");
  EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
  const auto& wav = r.body;
  ASSERT_GT(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(little_endian(wav, 4, 4), wav.size() - 8);
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(little_endian(wav, 20, 2), 1u);  // PCM
  const auto rate = little_endian(wav, 24, 4), bytes_per_second = little_endian(wav, 28, 4);
  EXPECT_EQ(wav.substr(36, 4), "data");
  EXPECT_EQ(little_endian(wav, 40, 4), wav.size() - 44);
  const double seconds = static_cast<double>(wav.size() - 44) / bytes_per_second;
  EXPECT_GE(seconds, 1.0);
  EXPECT_LE(seconds, 2.0);
  EXPECT_EQ(rate, 8000u);
  EXPECT_NE(wav.find_first_not_of('\0', 44), std::string::npos);  // a tone, not silence

  // HEAD: the same head, no body.
  const auto head =
      raw_exchange(server->port(), "HEAD " + audio_path(id) + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + user.key +
                                       "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.received.find("HTTP/1.1 200 OK\r\n"), 0u) << head.received;
  EXPECT_NE(head.received.find("Content-Length: " + std::to_string(wav.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(head.received.substr(head.received.find("\r\n\r\n") + 4), "");
}

TEST_F(SimulatedRecordings, OnlyTheCompanysCallsWithAUserKey) {
  const auto id = store_call(server->publish_agent(user.key), "conv_mine");
  auto other = server->create_company("Other");
  auto stranger = server->create_user(other.key, "joe@other.com");
  const auto foreign = server->get(audio_path(id), stranger.key);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(foreign.json.at("error_type"), "not_found");
  EXPECT_EQ(server->get(audio_path(999999), user.key).status, 404);
  EXPECT_EQ(server->get("/api/conversations/abc/audio", user.key).status, 422);
  EXPECT_EQ(server->get(audio_path(id), company.key).status, 403);
  EXPECT_EQ(server->get(audio_path(id)).status, 401);
}

// The company's own provider workspace: its stored key is the one the provider is asked with
// (the fake knows no other).
class LiveRecordings : public Recordings {
 protected:
  void SetUp() override {
    server = std::make_unique<TestServer>([this](auto& v) {
      v["CXCO_PROVIDER_MODE"] = "live";
      v["CXCO_ELEVENLABS_BASE_URL"] = fake.base_url();
      v["CXCO_ELEVENLABS_API_KEY"] = "platform-key-the-fake-refuses";
      v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = kSecret;
    });
    company = server->create_company("Acme");
    user = server->create_user(company.key, "jane@acme.com");
    const auto stored =
        server->post("/api/providers/elevenlabs/credentials", company.key,
                     json::object{{"company_id", company.id}, {"credentials", {{"api_key", kCompanyKey}}}});
    ASSERT_EQ(stored.status, 201) << stored.body;
    server->add_numbers({"+27211234567"});
    agent = server->publish_agent(user.key);
  }

  FakeElevenLabs fake{kCompanyKey};
  TestServer::LiveAgent agent{};
};

TEST_F(LiveRecordings, TheProvidersRecordingIsPassedThrough) {
  const auto id = store_call(agent, "conv_live");
  fake.add_recording("conv_live", 300 * 1024);
  const auto r = server->get(audio_path(id), user.key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "audio/mpeg");
  EXPECT_EQ(r.header("content-length"), std::to_string(300 * 1024));
  EXPECT_TRUE(r.body == pattern(0, 300 * 1024));
  EXPECT_EQ(fake.last_header("get_conversation_audio", "xi-api-key"), kCompanyKey);
}

TEST_F(LiveRecordings, RangesArePassedOnAndAPartialAnswerBack) {
  const auto id = store_call(agent, "conv_range");
  fake.add_recording("conv_range", 100000);
  // The definition documents only 200: a provider that ignores Range sends it all, and so do we.
  auto r = server->request("GET", audio_path(id), user.key, "", {{"Range", "bytes=1000-1999"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake.last_header("get_conversation_audio", "range"), "bytes=1000-1999");
  EXPECT_EQ(r.body.size(), 100000u);
  EXPECT_EQ(r.header("content-range"), "");

  fake.serve_ranges(true);
  r = server->request("GET", audio_path(id), user.key, "", {{"Range", "bytes=1000-1999"}});
  ASSERT_EQ(r.status, 206) << r.body;
  EXPECT_EQ(r.header("content-range"), "bytes 1000-1999/100000");
  EXPECT_EQ(r.header("content-length"), "1000");
  EXPECT_EQ(r.header("accept-ranges"), "bytes");
  EXPECT_TRUE(r.body == pattern(1000, 1000));

  // Only byte ranges are passed on.
  r = server->request("GET", audio_path(id), user.key, "", {{"Range", "pages=1-2"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(fake.last_header("get_conversation_audio", "range"), std::nullopt);
}

TEST_F(LiveRecordings, NoRecordingAtTheProviderIs404AndAFailureIs502) {
  const auto id = store_call(agent, "conv_none");
  const auto none = server->get(audio_path(id), user.key);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(none.json.at("error_type"), "not_found");
  fake.fail("get_conversation_audio", 500, 3);
  fake.add_recording("conv_none", 1000);
  const auto failed = server->get(audio_path(id), user.key);
  EXPECT_EQ(failed.status, 502) << failed.body;
  EXPECT_EQ(failed.json.at("error_type"), "provider_error");
}

// A client that stops listening midway ends the download from the provider: nothing of the
// recording is read further than the client takes (plus what the buffers on the way hold).
TEST_F(LiveRecordings, AClientThatLeavesMidwayEndsTheDownloadFromTheProvider) {
  constexpr std::size_t kRecording = 256 * 1024 * 1024 - 1;  // past the cap of 200 MiB, never reached
  const auto id = store_call(agent, "conv_long");
  fake.add_recording("conv_long", kRecording);
  const int fd = raw_connect(server->port());
  ASSERT_GE(fd, 0);
  const std::string request = "GET " + audio_path(id) + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + user.key + "\r\n\r\n";
  ASSERT_GE(raw_read_some_of_answer(fd, request, 1024 * 1024), 1024u * 1024);
  ::close(fd);
  ASSERT_TRUE(eventually([&] { return fake.audio_done(); }));
  EXPECT_TRUE(fake.audio_cut_short());
  EXPECT_LT(fake.audio_bytes_sent(), 64u * 1024 * 1024);
}

}  // namespace cxco::test
