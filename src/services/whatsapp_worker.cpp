#include "services/whatsapp_worker.h"

#include "domain/whatsapp.h"
#include "services/whatsapp_threads.h"
#include "store/agents_repo.h"
#include "store/conversations_repo.h"
#include "store/numbers_repo.h"
#include "store/outbox.h"
#include "store/whatsapp_repo.h"
#include "util/log.h"
#include "wire/serializers.h"

namespace cxco::services {

namespace {

constexpr std::int64_t kVerificationPollMs = 10 * 1000;  // between status checks of a registering number
constexpr std::size_t kMaxTextChars = 4096;              // the Cloud API's limit on a text body

// At most `max_chars` UTF-8 characters, never cutting one in half.
std::string truncate_utf8(std::string s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) {
      s.resize(i);
      break;
    }
  }
  return s;
}

}  // namespace

WhatsAppWorker::WhatsAppWorker(store::Database& db, const util::Clock& clock, Credentials& credentials,
                               providers::WhatsAppProvider& whatsapp, providers::Llm& llm,
                               WhatsAppWorkerOptions options)
    : db_(db),
      clock_(clock),
      credentials_(credentials),
      whatsapp_(whatsapp),
      llm_(llm),
      options_(std::move(options)),
      worker_("WhatsApp worker", db, clock, options_.concurrency, options_.poll,
              {QueueSpec{whatsapp_threads::kVerificationQueue,
                         [this](const store::work_queue::Job& job) { verify(job); }, options_.lease},
               // A conversation's replies go out in order.
               QueueSpec{whatsapp_threads::kReplyQueue, [this](const store::work_queue::Job& job) { answer(job); },
                         options_.lease, true}},
              [this] { close_idle_conversations(); }) {}

void WhatsAppWorker::close_idle_conversations() {
  const auto cutoff = clock_.now_ms() - domain::kWhatsAppSilenceMs;
  if (!db_.read([&](store::Tx& tx) { return store::whatsapp_repo::any_idle_thread(tx, cutoff); })) return;
  db_.write([&](store::Tx& tx) {
    const auto now = util::iso8601(clock_.now());
    for (const auto& thread : store::whatsapp_repo::lock_idle_threads(tx, cutoff, 100))
      whatsapp_threads::close(tx, thread, now);
  });
}

// ---------------------------------------------------------------------------------------------
// Verification (providers.md 2.1): find the number in the company's WABA, register it (once per
// verification, with the PIN the company keeps), and poll its status until the Cloud API
// reports its verification complete (code_verification_status VERIFIED, the field of
// GET /{Phone-Number-ID} that Meta's definition documents for it; docs/providers.md).

void WhatsAppWorker::verify(const store::work_queue::Job& job) {
  const auto pending =
      db_.read([&](store::Tx& tx) { return store::whatsapp_repo::find_pending_verification(tx, job.ref_id); });
  auto finish = [&](const std::optional<std::string>& external_id, const std::optional<std::string>& failure) {
    const auto outcome = failure ? domain::WhatsAppStatus::failed : domain::WhatsAppStatus::active;
    const auto& v = *pending;
    const bool reported = db_.write([&](store::Tx& tx) {
      if (!store::work_queue::finish(tx, job)) return false;
      const auto now = util::iso8601(clock_.now());
      // Only a number still pending for the same agent moves: one archived meanwhile is left alone.
      if (!store::numbers_repo::finish_whatsapp(tx, v.company_id, v.phone_number_id, v.agent_id, outcome, external_id,
                                                now)) {
        store::whatsapp_repo::finish_verification(tx, v.id, "cancelled", std::nullopt, std::nullopt, now);
        return false;
      }
      if (!failure) store::agents_repo::enable_whatsapp(tx, v.company_id, v.agent_id, now);
      store::whatsapp_repo::finish_verification(tx, v.id, std::string(domain::to_string(outcome)), external_id, failure,
                                                now);
      const auto number = store::numbers_repo::find_owned(tx, v.company_id, v.phone_number_id);
      store::outbox::emit(tx, v.company_id, "phone_number.whatsapp_verified", wire::whatsapp_verified(*number, failure),
                          now);
      return true;
    });
    if (reported)
      util::log_info("WhatsApp verification finished", {{"phone_number_id", std::to_string(v.phone_number_id)},
                                                        {"whatsapp_status", domain::to_string(outcome)},
                                                        {"reason", failure.value_or("")}});
  };
  if (!pending) {
    db_.write([&](store::Tx& tx) { store::work_queue::finish(tx, job); });
    return;
  }
  const auto& v = *pending;
  // The simulated Cloud API needs no account.
  const auto account = options_.live ? credentials_.whatsapp_account(v.company_id) : providers::WhatsAppAccount{};
  if (!account) return finish(std::nullopt, "the company's whatsapp credentials are not stored");

  auto external_id = v.external_id;
  bool registered = v.registered;
  std::string not_yet;
  try {
    if (!external_id) {
      external_id = whatsapp_.find_number(*account, v.number);
      if (!external_id)
        return finish(std::nullopt,
                      v.number + " is not a phone number of WhatsApp Business Account " + account->waba_id);
    }
    if (!registered) {
      // The PIN is kept (and the number found recorded) before registration sets it at Meta,
      // so a number is never registered with a PIN the company no longer has.
      std::optional<std::string> pin = std::string();  // the simulated Cloud API asks for none
      db_.write([&](store::Tx& tx) {
        if (options_.live) pin = credentials_.kept_whatsapp_pin(tx, v.company_id);
        store::whatsapp_repo::record_found(tx, v.id, *external_id, util::iso8601(clock_.now()));
      });
      if (!pin) return finish(external_id, "the company's whatsapp credentials are not stored");
      whatsapp_.register_number(*account, *external_id, *pin);
      registered = true;
    }
    const auto status = whatsapp_.number_status(*account, *external_id);
    if (status.code_verification_status == "VERIFIED") return finish(external_id, std::nullopt);
    not_yet = "code_verification_status is " +
              (status.code_verification_status.empty() ? std::string("unknown") : status.code_verification_status);
  } catch (const providers::GraphError& e) {
    util::log_warn("WhatsApp verification step failed",
                   {{"phone_number_id", std::to_string(v.phone_number_id)}, {"error", e.what()}});
    if (!e.transient()) return finish(external_id, e.reason());
    not_yet = e.reason();
  }

  const auto now_ms = clock_.now_ms();
  if (now_ms >= v.give_up_at_ms)
    return finish(external_id, "the number's verification did not complete within 30 minutes (" + not_yet + ")");
  db_.write([&](store::Tx& tx) {
    if (!store::work_queue::postpone(tx, job, now_ms + kVerificationPollMs)) return;
    store::whatsapp_repo::record_check(tx, v.id, external_id, registered, not_yet, util::iso8601(clock_.now()));
  });
}

// ---------------------------------------------------------------------------------------------
// Replies: written by the LLM from the agent's personality and the conversation, sent through
// the Cloud API, recorded like the customer's messages.

void WhatsAppWorker::answer(const store::work_queue::Job& job) {
  const auto found = db_.read([&](store::Tx& tx) { return store::whatsapp_repo::find_pending_reply(tx, job.ref_id); });
  if (!found || found->skip_reason) {
    db_.write([&](store::Tx& tx) {
      if (store::work_queue::finish(tx, job) && found)
        store::whatsapp_repo::record_reply(tx, job.ref_id, "skipped", 0, found->skip_reason,
                                           util::iso8601(clock_.now()));
    });
    return;
  }
  const auto& reply_job = *found;

  std::string stage = "llm";
  try {
    auto reply = reply_job.reply;
    if (!reply) {
      const auto endpoint = credentials_.llm_endpoint(reply_job.company_id);
      if (options_.live && endpoint.base_url.empty())
        throw providers::SetupError("chat_completion",
                                    "no LLM is configured: store llm credentials or set CXCO_LLM_BASE_URL");
      // system = the personality, then the conversation up to the message being answered.
      std::vector<providers::ChatMessage> history{{"system", reply_job.personality}};
      for (const auto& [direction, body] : db_.read([&](store::Tx& tx) {
             return store::whatsapp_repo::history(tx, reply_job.company_id, reply_job.conversation_id,
                                                  reply_job.message_id);
           }))
        history.push_back({direction == "inbound" ? "user" : "assistant", body});
      reply = truncate_utf8(llm_.complete(endpoint, history, reply_job.temperature), kMaxTextChars);
      // Kept, so that a retried send says the same and the LLM is not asked twice.
      db_.write([&](store::Tx& tx) {
        store::whatsapp_repo::save_reply_text(tx, reply_job.id, *reply, util::iso8601(clock_.now()));
      });
    }
    stage = "send";
    const auto account =
        options_.live ? credentials_.whatsapp_account(reply_job.company_id) : providers::WhatsAppAccount{};
    if (!account) throw providers::SetupError("send_message", "the company's whatsapp credentials are not stored");
    const auto message_id = whatsapp_.send_text(*account, reply_job.external_number_id, reply_job.customer, *reply);
    db_.write([&](store::Tx& tx) {
      if (!store::work_queue::finish(tx, job)) return;
      const auto now = util::iso8601(clock_.now());
      // Same lock order as inbound messages: the number, then its threads.
      store::numbers_repo::lock_for_whatsapp(tx, reply_job.phone_number_id);
      const auto thread = store::whatsapp_repo::lock_thread(tx, reply_job.company_id, reply_job.conversation_id);
      store::whatsapp_repo::insert_outbound(tx, reply_job.company_id, reply_job.conversation_id, message_id,
                                            reply_job.message_id, *reply, now);
      whatsapp_threads::add_message(tx, *thread, "agent", *reply, clock_.now_ms(), false);
      store::whatsapp_repo::record_reply(tx, reply_job.id, "sent", 1, std::nullopt, now);
    });
  } catch (const std::exception& e) {
    // Provider failures, and stored credentials no key decrypts: both are retried and recorded.
    const auto attempt = job.attempts + 1;
    const auto retry_in = options_.reply_retry.delay_after(attempt);
    const auto reason = providers::public_reason(e);
    const auto error = stage + ": " + reason;
    db_.write([&](store::Tx& tx) {
      const auto now_ms = clock_.now_ms();
      const bool held =
          retry_in ? store::work_queue::retry(tx, job, now_ms + *retry_in, error) : store::work_queue::finish(tx, job);
      if (!held) return;
      const auto now = util::iso8601(clock_.now());
      store::whatsapp_repo::record_reply(tx, reply_job.id, retry_in ? "pending" : "failed", 1, error, now);
      store::conversations_repo::record_reply_failure(tx, reply_job.company_id, reply_job.conversation_id, stage,
                                                      reason, now, retry_in.has_value());
    });
    util::log(retry_in ? util::LogLevel::warn : util::LogLevel::error,
              retry_in ? "WhatsApp reply failed; will retry" : "WhatsApp reply given up",
              {{"conversation_id", std::to_string(reply_job.conversation_id)},
               {"attempt", std::to_string(attempt)},
               {"error", stage + ": " + e.what()}});
  }
}

}  // namespace cxco::services
