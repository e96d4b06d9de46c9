// An HTTP fake of the ElevenLabs endpoints the live client uses (../shared/docs/providers.md
// section 1): it checks the API key and request shapes, keeps agents, numbers and seeded
// conversations, and fails or stalls calls on request so retries and timeouts can be tested.
// Every exchange goes to the contract log (contract/contract_log.h).
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace cxco::test {

class FakeElevenLabs {
 public:
  static constexpr const char* kDefaultKey = "test-el-key";

  // Listens on 127.0.0.1:0 and serves on a thread of its own until destroyed.
  explicit FakeElevenLabs(std::string expected_key = kDefaultKey);
  ~FakeElevenLabs();
  FakeElevenLabs(const FakeElevenLabs&) = delete;
  FakeElevenLabs& operator=(const FakeElevenLabs&) = delete;

  std::string base_url() const;
  // Points a server's configuration at this fake in live mode (with the post-call secret
  // "wsec_test").
  void configure_live(std::map<std::string, std::string>& values) const;

  // The next `times` calls of `operation` (create_agent, update_agent, delete_agent,
  // import_number, assign_agent, delete_number, list_voices, list_conversations,
  // get_conversation, place_call) answer `status` with the provider's error body; a 429 also carries
  // Retry-After when `retry_after_seconds` is given.
  void fail(std::string operation, int status, int times = 1, std::optional<int> retry_after_seconds = std::nullopt);
  // Every later call of `operation` is answered only after `delay` (zero: promptly again).
  void hang(std::string operation, std::chrono::milliseconds delay);

  // Seeds a conversation in the GET /v1/convai/conversations/{id} shape; the list endpoint
  // serves its summary, newest first.
  void add_conversation(boost::json::object conversation);
  // Gives a conversation a recording of `bytes` bytes (a fixed pattern, made as it is sent, so a
  // large one costs nothing to keep), served as audio/mpeg by GET .../{id}/audio.
  void add_recording(const std::string& conversation_id, std::size_t bytes);
  // Whether a Range of the form bytes=a-b or bytes=a- is answered 206 with that part (the
  // definition documents only 200: by default Range is ignored, as HTTP allows).
  void serve_ranges(bool on);
  // The recording's bytes the latest audio call sent, and whether it stopped because the client
  // went away; known once it has ended (audio_done).
  std::size_t audio_bytes_sent() const;
  bool audio_cut_short() const;
  bool audio_done() const;
  // The byte at `offset` of every recording.
  static char recording_byte(std::size_t offset);

  // The outbound calls placed (the request bodies, with "conversation_id" and "telephony" added),
  // oldest first. Each also starts a conversation in status "initiated" carrying the call's
  // conversation_initiation_client_data, which the list endpoint can find by user_id.
  std::vector<boost::json::object> placed_calls() const;

  std::size_t agent_count() const;
  std::size_t number_count() const;
  // The body as the provider keeps it: the create body with PATCHed top-level keys replaced.
  std::optional<boost::json::object> agent(const std::string& agent_id) const;
  // The import body plus "assigned_agent_id" (string or null).
  std::optional<boost::json::object> number(const std::string& phone_number_id) const;
  // Calls of `operation` that reached the fake, whatever their outcome.
  int request_count(const std::string& operation) const;
  // Query parameter `name` of the latest call of `operation`; nullopt when it had none.
  std::optional<std::string> last_query(const std::string& operation, std::string_view name) const;
  // Header `lower_name` of the latest call of `operation`; nullopt when it had none.
  std::optional<std::string> last_header(const std::string& operation, std::string_view lower_name) const;
  // Waits until request_count(operation) >= n; false if that does not happen `within`.
  bool wait_for_requests(const std::string& operation, int n,
                         std::chrono::milliseconds within = std::chrono::seconds(5)) const;

 private:
  using Handler = http::Response (FakeElevenLabs::*)(const http::Request&);
  struct Route {
    std::string operation;
    Handler handler;
  };
  struct Failure {
    int status;
    int times;
    std::optional<int> retry_after_seconds;
  };

  void dispatch(http::Request&& request, http::Respond respond);
  http::Response answer(const Route& route, const http::Request& request);

  http::Response create_agent(const http::Request& request);
  http::Response update_agent(const http::Request& request);
  http::Response delete_agent(const http::Request& request);
  http::Response import_number(const http::Request& request);
  http::Response keep_number(boost::json::object body);  // a valid import: stored under a new id
  http::Response assign_agent(const http::Request& request);
  http::Response delete_number(const http::Request& request);
  http::Response list_voices(const http::Request& request);
  http::Response list_conversations(const http::Request& request);
  http::Response get_conversation(const http::Request& request);
  http::Response get_conversation_audio(const http::Request& request);
  http::Response place_call(const http::Request& request);

  const std::string expected_key_;
  http::Router<Route> router_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  std::map<std::string, int> requests_;
  std::map<std::string, http::Request> last_requests_;  // by operation
  std::map<std::string, Failure> failures_;
  std::map<std::string, std::chrono::milliseconds> hangs_;
  std::map<std::string, boost::json::object> agents_;
  std::map<std::string, boost::json::object> numbers_;
  std::vector<boost::json::object> conversations_;
  std::map<std::string, std::size_t> recordings_;  // conversation id -> size
  bool serve_ranges_ = false;
  std::size_t audio_sent_ = 0;
  bool audio_cut_short_ = false, audio_done_ = false;
  std::vector<boost::json::object> placed_calls_;
  int next_id_ = 1;
  std::vector<std::thread> delayed_;  // answering hung calls, joined on destruction

  http::Server server_;
  std::thread thread_;
};

}  // namespace cxco::test
