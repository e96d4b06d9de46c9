#include "services/whatsapp.h"

#include <boost/json/parse.hpp>

#include <cstdlib>

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "domain/usage.h"
#include "providers/llm.h"
#include "providers/whatsapp_provider.h"
#include "services/catalog.h"
#include "services/conversations.h"
#include "services/credentials.h"
#include "services/events.h"
#include "services/usage.h"
#include "util/json.h"
#include "util/log.h"
#include "util/time.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

constexpr std::int64_t kSilenceMs = 24 * 3600 * 1000;            // a conversation ends after this long without messages
constexpr std::int64_t kVerificationPollMs = 10 * 1000;          // between status checks of a registering number
constexpr std::int64_t kVerificationTimeoutMs = 30 * 60 * 1000;  // a number not CONNECTED by then has failed
constexpr std::size_t kMaxTextChars = 4096;                      // the Cloud API's limit on a text body
constexpr int kClaimBatch = 50;

bool live(const api::AppContext& app) { return app.config.provider_mode == ProviderMode::live; }

// Tolerant reads of provider payloads: absent or mistyped fields read as empty.
const json::value* field(const json::object* o, std::string_view key) { return o ? o->if_contains(key) : nullptr; }
std::string str(const json::object* o, std::string_view key) {
  const auto* v = field(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
const json::object* obj(const json::object* o, std::string_view key) {
  const auto* v = field(o, key);
  return v ? v->if_object() : nullptr;
}
const json::array* arr(const json::object* o, std::string_view key) {
  const auto* v = field(o, key);
  return v ? v->if_array() : nullptr;
}

std::string digits_of(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

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

// A fresh two-step verification PIN for a number whose account named none.
std::string random_pin() {
  std::string pin;
  for (const unsigned char b : crypto::random_bytes(6)) pin += static_cast<char>('0' + b % 10);
  return pin;
}

// The number a notification is for: by the Cloud API's phone-number id, else by the display
// number (the E.164 number without '+'). `lock` holds the row for the transaction, which
// serialises everything that changes the number's conversations.
std::optional<store::Row> route_number(store::Tx& tx, const std::string& external_id, const std::string& display,
                                       bool lock) {
  const std::string select = "SELECT id, company_id, agent_id, whatsapp_status, whatsapp_external_id FROM phone_numbers WHERE ";
  const std::string suffix(lock ? tx.lock_row_clause() : "");
  if (!external_id.empty())
    if (auto row = tx.one(select + "whatsapp_external_id = ?" + suffix, {external_id})) return row;
  const auto digits = digits_of(display);
  if (digits.empty()) return std::nullopt;
  return tx.one(select + "number = ?" + suffix, {"+" + digits});
}

// ---------------------------------------------------------------------------------------------
// Threads: one `whatsapp` conversation per (number, customer) until 24 hours of silence

struct Thread {
  std::int64_t conversation_id, company_id, agent_id, started_ms, last_message_ms;
};

constexpr const char* kThreadColumns = "conversation_id, company_id, agent_id, started_ms, last_message_ms";

Thread thread_of(const store::Row& r) {
  return {r.i64("conversation_id"), r.i64("company_id"), r.i64("agent_id"), r.i64("started_ms"), r.i64("last_message_ms")};
}

Thread open_thread(api::AppContext& app, store::Tx& tx, const store::Row& number, const std::string& customer,
                   const std::string& customer_name, std::int64_t now_ms) {
  const auto company_id = number.i64("company_id");
  const auto agent_id = number.i64("agent_id");
  json::object metadata{{"whatsapp_phone_number_id", number.str("whatsapp_external_id")}};
  if (!customer_name.empty()) metadata["customer_name"] = customer_name;
  const auto id = tx.insert(
      "INSERT INTO conversations (company_id, agent_id, channel, caller_number, direction, started_at, message_count, "
      "status, source, transcript, metadata, created_at) "
      "VALUES (?, ?, 'whatsapp', ?, 'inbound', ?, 0, 'in_progress', 'whatsapp', '[]', ?, ?) RETURNING id",
      {company_id, agent_id, "+" + customer, util::iso8601(now_ms / 1000), util::to_json(metadata), app.now_iso()});
  tx.exec(
      "INSERT INTO whatsapp_threads (conversation_id, company_id, agent_id, phone_number_id, customer, is_open, started_ms, "
      "last_message_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
      {id, company_id, agent_id, number.i64("id"), customer, now_ms, now_ms});
  return {id, company_id, agent_id, now_ms, now_ms};
}

// The conversation ends at its last message, with conversation.completed.
void close_thread(api::AppContext& app, store::Tx& tx, const Thread& t) {
  if (tx.exec("UPDATE whatsapp_threads SET is_open = 0 WHERE conversation_id = ? AND is_open = 1", {t.conversation_id}) != 1)
    return;
  tx.exec("UPDATE conversations SET status = 'completed', ended_at = ?, duration_seconds = ? WHERE id = ? AND company_id = ?",
          {util::iso8601(t.last_message_ms / 1000), (t.last_message_ms - t.started_ms) / 1000, t.conversation_id,
           t.company_id});
  // The event shows the conversation as the list does, like the event of a call.
  auto conversation = *find_conversation(tx, t.company_id, t.conversation_id);
  conversation.erase("transcript");
  conversation.erase("metadata_");
  emit_event(tx, t.company_id, "conversation.completed", conversation, app.now_iso());
}

// A message joins the transcript, message_count and usage (on the UTC day the conversation
// started, as for calls), and restarts the 24 hours.
void add_message(store::Tx& tx, const Thread& t, const char* role, const std::string& text, std::int64_t at_ms,
                 bool opened) {
  const auto row = tx.one("SELECT transcript FROM conversations WHERE id = ? AND company_id = ?", {t.conversation_id, t.company_id});
  auto transcript = json::parse(row->str("transcript")).as_array();
  transcript.push_back(json::object{
      {"role", role}, {"message", text}, {"timestamp", static_cast<double>(at_ms - t.started_ms) / 1000.0}});
  tx.exec("UPDATE conversations SET transcript = ?, message_count = message_count + 1 WHERE id = ? AND company_id = ?",
          {util::to_json(transcript), t.conversation_id, t.company_id});
  tx.exec("UPDATE whatsapp_threads SET last_message_ms = ? WHERE conversation_id = ?", {at_ms, t.conversation_id});
  domain::UsageTotals usage;
  usage.messages = 1;
  usage.conversations = opened ? 1 : 0;
  add_usage(tx, t.company_id, util::utc_date(t.started_ms / 1000), t.agent_id, "whatsapp", usage);
}

// ---------------------------------------------------------------------------------------------
// Inbound

struct Inbound {
  std::string external_id, display_number;  // value.metadata: which of our numbers
  std::string message_id, customer, customer_name, text;
  bool answerable = true;
};

// What a customer's message says, as the transcript shows it. Reactions and notices are kept
// but not answered.
void read_content(const json::object& m, Inbound& in) {
  const auto type = str(&m, "type");
  if (type == "text") {
    in.text = str(obj(&m, "text"), "body");
    return;
  }
  if (type == "button") {
    in.text = str(obj(&m, "button"), "text");
    return;
  }
  if (type == "interactive")
    for (const char* kind : {"button_reply", "list_reply"})
      if (const auto* reply = obj(obj(&m, "interactive"), kind)) {
        in.text = str(reply, "title");
        return;
      }
  if (type == "reaction") {
    in.text = "[reaction " + str(obj(&m, "reaction"), "emoji") + "]";
    in.answerable = false;
    return;
  }
  // Media and anything newer: its kind, and the caption when there is one.
  in.text = "[" + (type.empty() ? std::string("message") : type) + "]";
  if (const auto caption = str(obj(&m, type), "caption"); !caption.empty()) in.text += " " + caption;
  in.answerable = type != "unsupported" && type != "system";
}

enum class Stored { stored, duplicate, ignored };

Stored store_inbound(api::AppContext& app, const Inbound& in) {
  return app.db.write([&](store::Tx& tx) {
    const auto number = route_number(tx, in.external_id, in.display_number, true);
    if (!number || number->is_null("company_id") || number->is_null("agent_id") ||
        number->str("whatsapp_status") != "active") {
      util::log_warn("WhatsApp message for a number that is not WhatsApp-active here: ignored",
                     {{"phone_number_id", in.external_id}, {"display_phone_number", in.display_number}});
      return Stored::ignored;
    }
    // The number's row lock makes this check and the insert below one step for redeliveries.
    if (tx.one("SELECT id FROM whatsapp_messages WHERE external_message_id = ?", {in.message_id})) return Stored::duplicate;
    const auto company_id = number->i64("company_id");
    const auto agent_id = number->i64("agent_id");
    const auto now_ms = app.clock.now_ms();

    std::optional<Thread> thread;
    if (const auto row = tx.one(std::string("SELECT ") + kThreadColumns +
                                    " FROM whatsapp_threads WHERE phone_number_id = ? AND customer = ? AND company_id = ? "
                                    "AND agent_id = ? AND is_open = 1" + std::string(tx.lock_row_clause()),
                                {number->i64("id"), in.customer, company_id, agent_id})) {
      thread = thread_of(*row);
      if (now_ms - thread->last_message_ms >= kSilenceMs) {
        close_thread(app, tx, *thread);
        thread.reset();
      }
    }
    const bool opened = !thread;
    if (opened) thread = open_thread(app, tx, *number, in.customer, in.customer_name, now_ms);

    const auto message_id = tx.insert(
        "INSERT INTO whatsapp_messages (company_id, conversation_id, direction, external_message_id, body, status, "
        "created_at) VALUES (?, ?, 'inbound', ?, ?, 'received', ?) RETURNING id",
        {company_id, thread->conversation_id, in.message_id, in.text, app.now_iso()});
    add_message(tx, *thread, "user", in.text, now_ms, opened);

    // A paused agent keeps the chat but does not answer it.
    const auto agent = tx.one("SELECT status FROM agents WHERE id = ? AND company_id = ?", {agent_id, company_id});
    if (in.answerable && agent && agent->str("status") == "active")
      tx.exec(
          "INSERT INTO whatsapp_replies (company_id, conversation_id, message_id, status, attempts, next_attempt_at, "
          "created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)",
          {company_id, thread->conversation_id, message_id, now_ms, app.now_iso(), app.now_iso()});
    return Stored::stored;
  });
}

int status_rank(std::string_view status) {
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  if (status == "read") return 3;
  if (status == "failed") return 4;
  return 0;
}

// A status callback on one of our outbound messages. Callbacks arrive out of order, so the
// newest (by timestamp, then by how far the message got) wins. False when it is not ours.
bool record_status(api::AppContext& app, const std::string& external_id, const std::string& display,
                   const json::object& s) {
  const auto message_id = str(&s, "id");
  const auto status = str(&s, "status");
  if (message_id.empty() || status_rank(status) == 0) return false;
  std::int64_t at = 0;
  if (const auto* t = field(&s, "timestamp"); t && t->is_string())
    at = std::strtoll(std::string(t->get_string()).c_str(), nullptr, 10);
  else if (t && t->is_int64())
    at = t->get_int64();
  const auto* errors = field(&s, "errors");
  return app.db.write([&](store::Tx& tx) {
    const auto number = route_number(tx, external_id, display, false);
    if (!number || number->is_null("company_id")) return false;
    const auto row = tx.one(
        "SELECT id, status, status_at FROM whatsapp_messages WHERE external_message_id = ? AND company_id = ? "
        "AND direction = 'outbound'",
        {message_id, number->i64("company_id")});
    if (!row) return false;
    if (std::pair(at, status_rank(status)) > std::pair(row->i64("status_at"), status_rank(row->str("status"))))
      tx.exec("UPDATE whatsapp_messages SET status = ?, status_at = ?, status_errors = ? WHERE id = ?",
              {status, at, errors ? store::Param(util::to_json(*errors)) : store::Param(nullptr), row->i64("id")});
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Verification (providers.md 2.1): find the number in the company's WABA, register it unless it
// is connected already, and poll its status until CONNECTED.

struct PendingVerification {
  std::int64_t company_id, phone_number_id, agent_id, give_up_at;
  std::string number;
  std::optional<std::string> external_id;
  bool registered;
  std::optional<providers::WhatsAppAccount> account;
};

void finish_verification(api::AppContext& app, std::int64_t id, const PendingVerification& v,
                         const std::optional<std::string>& external_id, const std::optional<std::string>& failure) {
  const std::string outcome = failure ? "failed" : "active";
  const bool reported = app.db.write([&](store::Tx& tx) {
    const auto now = app.now_iso();
    // Only a number still pending for the same agent moves: one archived meanwhile is left alone.
    if (tx.exec("UPDATE phone_numbers SET whatsapp_status = ?, whatsapp_external_id = COALESCE(?, whatsapp_external_id), "
                "updated_at = ? WHERE id = ? AND company_id = ? AND agent_id = ? AND whatsapp_status = 'pending'",
                {outcome, store::opt(external_id), now, v.phone_number_id, v.company_id, v.agent_id}) != 1) {
      tx.exec("UPDATE whatsapp_verifications SET status = 'cancelled', updated_at = ? WHERE id = ?", {now, id});
      return false;
    }
    if (!failure)
      tx.exec("UPDATE agents SET whatsapp_enabled = 1, updated_at = ? WHERE id = ? AND company_id = ?",
              {now, v.agent_id, v.company_id});
    tx.exec("UPDATE whatsapp_verifications SET status = ?, external_id = ?, last_error = ?, checks = checks + 1, "
            "updated_at = ? WHERE id = ?",
            {outcome, store::opt(external_id), store::opt(failure), now, id});
    auto data = phone_number_json(*tx.one(std::string("SELECT ") + kPhoneNumberColumns +
                                              " FROM phone_numbers WHERE id = ? AND company_id = ?",
                                          {v.phone_number_id, v.company_id}));
    data["failure_reason"] = failure ? json::value(*failure) : json::value(nullptr);
    emit_event(tx, v.company_id, "phone_number.whatsapp_verified", data, now);
    return true;
  });
  if (reported)
    util::log_info("WhatsApp verification finished", {{"phone_number_id", std::to_string(v.phone_number_id)},
                                                      {"whatsapp_status", outcome},
                                                      {"reason", failure.value_or("")}});
}

void check_verification(api::AppContext& app, std::int64_t id) {
  const auto pending = app.db.read([&](store::Tx& tx) -> std::optional<PendingVerification> {
    const auto row = tx.one(
        "SELECT v.company_id, v.phone_number_id, v.agent_id, v.external_id, v.registered, v.give_up_at, n.number "
        "FROM whatsapp_verifications v JOIN phone_numbers n ON n.id = v.phone_number_id "
        "WHERE v.id = ? AND v.status = 'pending'",
        {id});
    if (!row) return std::nullopt;
    PendingVerification v{row->i64("company_id"),     row->i64("phone_number_id"), row->i64("agent_id"),
                          row->i64("give_up_at"),     row->str("number"),          row->opt_str("external_id"),
                          row->boolean("registered"), std::nullopt};
    // The simulated Cloud API needs no account.
    v.account = live(app) ? whatsapp_account_of(tx, app.fernet, v.company_id) : providers::WhatsAppAccount{};
    return v;
  });
  if (!pending) return;
  const auto& v = *pending;
  if (!v.account) return finish_verification(app, id, v, std::nullopt, "the company's whatsapp credentials are not stored");

  auto external_id = v.external_id;
  bool registered = v.registered;
  std::string not_yet;
  try {
    if (!external_id) {
      external_id = app.whatsapp->find_number(*v.account, v.number);
      if (!external_id)
        return finish_verification(app, id, v, std::nullopt,
                                   v.number + " is not a phone number of WhatsApp Business Account " + v.account->waba_id);
    }
    auto status = app.whatsapp->number_status(*v.account, *external_id);
    if (status.status != "CONNECTED" && !registered) {
      app.whatsapp->register_number(*v.account, *external_id, v.account->pin.empty() ? random_pin() : v.account->pin);
      registered = true;
      status = app.whatsapp->number_status(*v.account, *external_id);
    }
    if (status.status == "CONNECTED") return finish_verification(app, id, v, external_id, std::nullopt);
    if (status.status == "BANNED") return finish_verification(app, id, v, external_id, "the number is banned from WhatsApp");
    not_yet = "number status is " + (status.status.empty() ? std::string("unknown") : status.status);
  } catch (const providers::GraphError& e) {
    if (!e.transient()) return finish_verification(app, id, v, external_id, e.what());
    not_yet = e.what();
  }

  const auto now_ms = app.clock.now_ms();
  if (now_ms >= v.give_up_at)
    return finish_verification(app, id, v, external_id, "the number did not connect within 30 minutes (" + not_yet + ")");
  app.db.write([&](store::Tx& tx) {
    tx.exec("UPDATE whatsapp_verifications SET external_id = ?, registered = ?, checks = checks + 1, next_check_at = ?, "
            "last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
            {store::opt(external_id), registered, now_ms + kVerificationPollMs, not_yet, app.now_iso(), id});
  });
}

// ---------------------------------------------------------------------------------------------
// Replies: written by the LLM from the agent's personality and the conversation, sent through
// the Cloud API, recorded like the customer's messages.

struct ReplyJob {
  std::int64_t id, company_id, conversation_id, message_id, attempts, phone_number_id;
  std::optional<std::string> reply;
  std::string customer, personality, external_number_id;
  double temperature;
  std::optional<std::string> skip_reason;  // set when the agent must not answer
};

std::optional<ReplyJob> load_reply(store::Tx& tx, std::int64_t id) {
  const auto r = tx.one(
      "SELECT r.company_id, r.conversation_id, r.message_id, r.reply, r.attempts, t.agent_id, t.phone_number_id, "
      "t.customer, a.status AS agent_status, a.personality, a.config, n.whatsapp_status, n.whatsapp_external_id, "
      "n.agent_id AS number_agent_id FROM whatsapp_replies r "
      "JOIN whatsapp_threads t ON t.conversation_id = r.conversation_id AND t.company_id = r.company_id "
      "JOIN agents a ON a.id = t.agent_id AND a.company_id = r.company_id "
      // Not scoped to the company: the number may have been released since, which skips the reply.
      "JOIN phone_numbers n ON n.id = t.phone_number_id WHERE r.id = ? AND r.status = 'pending'",
      {id});
  if (!r) return std::nullopt;
  ReplyJob job{id,
               r->i64("company_id"),
               r->i64("conversation_id"),
               r->i64("message_id"),
               r->i64("attempts"),
               r->i64("phone_number_id"),
               r->opt_str("reply"),
               r->str("customer"),
               r->str("personality"),
               r->str("whatsapp_external_id"),
               json::parse(r->str("config")).as_object().at("temperature").to_number<double>(),
               std::nullopt};
  if (r->str("agent_status") != "active")
    job.skip_reason = "the agent is " + r->str("agent_status");
  else if (r->str("whatsapp_status") != "active" || r->i64("number_agent_id") != r->i64("agent_id"))
    job.skip_reason = "WhatsApp is no longer active on the agent's number";
  return job;
}

// system = the personality, then the conversation up to the message being answered, each
// answer right after the message it answers.
std::vector<providers::ChatMessage> chat_history(store::Tx& tx, const ReplyJob& job) {
  std::vector<providers::ChatMessage> messages{{"system", job.personality}};
  const auto rows = tx.query(
      "SELECT direction, body FROM whatsapp_messages WHERE conversation_id = ? AND company_id = ? "
      "AND (direction = 'outbound' OR id <= ?) ORDER BY COALESCE(reply_to_id, id), id",
      {job.conversation_id, job.company_id, job.message_id});
  for (const auto& row : rows.rows)
    messages.push_back({row.str("direction") == "inbound" ? "user" : "assistant", row.str("body")});
  return messages;
}

providers::LlmEndpoint llm_endpoint(api::AppContext& app, store::Tx& tx, std::int64_t company_id) {
  if (const auto c = find_credentials(tx, app.fernet, company_id, "llm"))
    return {str(&*c, "base_url"), str(&*c, "api_key"), str(&*c, "model")};
  return {app.config.llm_base_url, app.config.llm_api_key, app.config.llm_model};
}

void skip_reply(api::AppContext& app, const ReplyJob& job) {
  app.db.write([&](store::Tx& tx) {
    tx.exec("UPDATE whatsapp_replies SET status = 'skipped', last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
            {*job.skip_reason, app.now_iso(), job.id});
  });
}

// A failed attempt: recorded on the job and in the conversation's metadata_, then retried on the
// schedule or, after the last retry, given up.
void record_failure(api::AppContext& app, const ReplyJob& job, const std::vector<std::int64_t>& retry_seconds,
                    const std::string& stage, const std::string& error) {
  const auto attempts = job.attempts + 1;
  const bool give_up = attempts > static_cast<std::int64_t>(retry_seconds.size());
  const auto next = app.clock.now_ms() + (give_up ? 0 : retry_seconds[attempts - 1] * 1000);
  const auto message = stage + ": " + error;
  app.db.write([&](store::Tx& tx) {
    const auto now = app.now_iso();
    tx.exec("UPDATE whatsapp_replies SET attempts = ?, status = ?, next_attempt_at = ?, last_error = ?, updated_at = ? "
            "WHERE id = ? AND status = 'pending'",
            {attempts, std::string(give_up ? "failed" : "pending"), next, message, now, job.id});
    const auto row = tx.one("SELECT metadata FROM conversations WHERE id = ? AND company_id = ?",
                            {job.conversation_id, job.company_id});
    auto metadata = json::parse(row->str("metadata")).as_object();
    const auto* failures = metadata.if_contains("reply_failures");
    metadata["reply_failures"] = (failures && failures->is_int64() ? failures->get_int64() : 0) + 1;
    metadata["last_reply_error"] = {{"stage", stage}, {"error", error}, {"at", now}, {"retrying", !give_up}};
    tx.exec("UPDATE conversations SET metadata = ? WHERE id = ? AND company_id = ?",
            {util::to_json(metadata), job.conversation_id, job.company_id});
  });
  util::log(give_up ? util::LogLevel::error : util::LogLevel::warn,
            give_up ? "WhatsApp reply given up" : "WhatsApp reply failed; will retry",
            {{"conversation_id", std::to_string(job.conversation_id)},
             {"attempt", std::to_string(attempts)},
             {"error", message}});
}

void record_sent(api::AppContext& app, const ReplyJob& job, const std::string& reply, const std::string& message_id) {
  app.db.write([&](store::Tx& tx) {
    // Same lock order as inbound messages: the number, then its threads.
    tx.one("SELECT id FROM phone_numbers WHERE id = ?" + std::string(tx.lock_row_clause()), {job.phone_number_id});
    const auto thread = thread_of(*tx.one(std::string("SELECT ") + kThreadColumns +
                                              " FROM whatsapp_threads WHERE conversation_id = ? AND company_id = ?" +
                                              std::string(tx.lock_row_clause()),
                                          {job.conversation_id, job.company_id}));
    tx.exec(
        "INSERT INTO whatsapp_messages (company_id, conversation_id, direction, external_message_id, reply_to_id, body, "
        "status, created_at) VALUES (?, ?, 'outbound', ?, ?, ?, 'accepted', ?)",
        {job.company_id, job.conversation_id, message_id, job.message_id, reply, app.now_iso()});
    add_message(tx, thread, "agent", reply, app.clock.now_ms(), false);
    tx.exec("UPDATE whatsapp_replies SET status = 'sent', attempts = attempts + 1, updated_at = ? WHERE id = ?",
            {app.now_iso(), job.id});
  });
}

void answer(api::AppContext& app, std::int64_t id, const std::vector<std::int64_t>& retry_seconds) {
  const auto job = app.db.read([&](store::Tx& tx) { return load_reply(tx, id); });
  if (!job) return;
  if (job->skip_reason) return skip_reply(app, *job);

  std::string stage = "llm";
  try {
    auto reply = job->reply;
    if (!reply) {
      const auto [endpoint, history] = app.db.read([&](store::Tx& tx) {
        return std::pair(llm_endpoint(app, tx, job->company_id), chat_history(tx, *job));
      });
      if (live(app) && endpoint.base_url.empty())
        throw providers::ProviderError("chat_completion", 0,
                                       "no LLM is configured: store llm credentials or set CXCO_LLM_BASE_URL");
      reply = truncate_utf8(app.llm->complete(endpoint, history, job->temperature), kMaxTextChars);
      // Kept, so that a retried send says the same and the LLM is not asked twice.
      app.db.write([&](store::Tx& tx) {
        tx.exec("UPDATE whatsapp_replies SET reply = ?, updated_at = ? WHERE id = ?", {*reply, app.now_iso(), id});
      });
    }
    stage = "send";
    const auto account = live(app) ? app.db.read([&](store::Tx& tx) {
      return whatsapp_account_of(tx, app.fernet, job->company_id);
    })
                                   : providers::WhatsAppAccount{};
    if (!account) throw providers::ProviderError("send_message", 0, "the company's whatsapp credentials are not stored");
    const auto message_id = app.whatsapp->send_text(*account, job->external_number_id, job->customer, *reply);
    record_sent(app, *job, *reply, message_id);
  } catch (const std::exception& e) {
    // Provider failures, and stored credentials no key decrypts: both are retried and recorded.
    record_failure(app, *job, retry_seconds, stage, e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Claiming work. A claim pushes the job's due time forward by the lease: another node takes it
// up only if this one has not finished it by then.

struct Queue {
  const char* due;   // ids of due jobs; the parameter is now (unix ms)
  const char* bump;  // sets the due time of one job
};

constexpr Queue kVerifications{
    "SELECT v.id FROM whatsapp_verifications v WHERE v.status = 'pending' AND v.next_check_at <= ? "
    "ORDER BY v.next_check_at, v.id",
    "UPDATE whatsapp_verifications SET next_check_at = ? WHERE id = ?"};
// A conversation's replies go out in order: none is due while an older one is still pending.
constexpr Queue kReplies{
    "SELECT r.id FROM whatsapp_replies r WHERE r.status = 'pending' AND r.next_attempt_at <= ? AND NOT EXISTS "
    "(SELECT 1 FROM whatsapp_replies e WHERE e.conversation_id = r.conversation_id AND e.status = 'pending' "
    "AND e.id < r.id) ORDER BY r.id",
    "UPDATE whatsapp_replies SET next_attempt_at = ? WHERE id = ?"};

std::vector<std::int64_t> claim(api::AppContext& app, const Queue& queue, int slots, const std::set<std::int64_t>& busy,
                                std::int64_t lease_ms) {
  const auto now_ms = app.clock.now_ms();
  const bool any = app.db.read(
      [&](store::Tx& tx) { return tx.one(std::string(queue.due) + " LIMIT 1", {now_ms}).has_value(); });
  if (!any) return {};
  return app.db.write([&](store::Tx& tx) {
    std::vector<std::int64_t> ids;
    const auto rows = tx.query(std::string(queue.due) + " LIMIT " + std::to_string(kClaimBatch) +
                                   std::string(tx.lock_rows_clause()),
                               {now_ms});
    for (const auto& row : rows.rows) {
      if (static_cast<int>(ids.size()) >= slots) break;
      const auto id = row.i64("id");
      if (busy.contains(id)) continue;
      tx.exec(queue.bump, {now_ms + lease_ms, id});
      ids.push_back(id);
    }
    return ids;
  });
}

void close_idle_conversations(api::AppContext& app) {
  const auto cutoff = app.clock.now_ms() - kSilenceMs;
  const std::string idle = std::string("SELECT ") + kThreadColumns +
                           " FROM whatsapp_threads WHERE is_open = 1 AND last_message_ms <= ? ORDER BY last_message_ms";
  if (!app.db.read([&](store::Tx& tx) { return tx.one(idle + " LIMIT 1", {cutoff}).has_value(); })) return;
  app.db.write([&](store::Tx& tx) {
    for (const auto& row : tx.query(idle + " LIMIT 100" + std::string(tx.lock_rows_clause()), {cutoff}).rows)
      close_thread(app, tx, thread_of(row));
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

json::object enable_whatsapp(api::AppContext& app, std::int64_t company_id, std::int64_t phone_number_id) {
  return app.db.write([&](store::Tx& tx) {
    const auto row = tx.one("SELECT status, agent_id, whatsapp_status FROM phone_numbers WHERE id = ? AND company_id = ?" +
                                std::string(tx.lock_row_clause()),
                            {phone_number_id, company_id});
    if (!row) throw ApiError::not_found("Phone number not found");
    const auto agent = tx.one("SELECT status FROM agents WHERE id = ? AND company_id = ?",
                              {row->opt_i64("agent_id").value_or(0), company_id});
    const auto agent_status = agent ? agent->str("status") : std::string();
    if (row->str("status") != "assigned" || (agent_status != "active" && agent_status != "paused"))
      throw ApiError::invalid_state("WhatsApp can be enabled only on the number of a published agent");
    const auto current = row->str("whatsapp_status");
    if (current == "pending" || current == "active")
      throw ApiError::invalid_state("WhatsApp is already " + current + " on this number");
    if (live(app) && !tx.one("SELECT c.id FROM provider_credentials c JOIN providers p ON p.id = c.provider_id "
                             "WHERE c.company_id = ? AND p.slug = 'whatsapp'",
                             {company_id}))
      throw ApiError::invalid_state(
          "Store the company's WhatsApp Business credentials (POST /api/providers/whatsapp/credentials) first");

    const auto now = app.now_iso();
    // Simulated verification takes CXCO_WHATSAPP_SIM_VERIFY_SECONDS; live starts at once.
    const auto first_check =
        app.clock.now_ms() + (live(app) ? 0 : static_cast<std::int64_t>(app.config.whatsapp_sim_verify_seconds * 1000));
    tx.exec("UPDATE phone_numbers SET whatsapp_status = 'pending', updated_at = ? WHERE id = ? AND company_id = ?",
            {now, phone_number_id, company_id});
    tx.exec(
        "INSERT INTO whatsapp_verifications (company_id, phone_number_id, agent_id, status, next_check_at, give_up_at, "
        "created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)",
        {company_id, phone_number_id, row->i64("agent_id"), first_check, first_check + kVerificationTimeoutMs, now, now});
    return phone_number_json(*tx.one(std::string("SELECT ") + kPhoneNumberColumns +
                                         " FROM phone_numbers WHERE id = ? AND company_id = ?",
                                     {phone_number_id, company_id}));
  });
}

std::optional<json::object> whatsapp_status(store::Tx& tx, std::int64_t company_id, std::int64_t phone_number_id) {
  const auto row = tx.one("SELECT id, number, whatsapp_status FROM phone_numbers WHERE id = ? AND company_id = ?",
                          {phone_number_id, company_id});
  if (!row) return std::nullopt;
  return json::object{{"id", row->i64("id")}, {"number", row->str("number")}, {"whatsapp_status", row->str("whatsapp_status")}};
}

InboundReport ingest_whatsapp(api::AppContext& app, const json::object& payload) {
  InboundReport report;
  if (str(&payload, "object") != "whatsapp_business_account") return report;
  const json::array none;
  const auto* entries = arr(&payload, "entry");
  for (const auto& entry : entries ? *entries : none) {
    const auto* changes = arr(entry.if_object(), "changes");
    for (const auto& change : changes ? *changes : none) {
      const auto* c = change.if_object();
      if (str(c, "field") != "messages") continue;
      const auto* value = obj(c, "value");
      const auto* metadata = obj(value, "metadata");
      const auto external_id = str(metadata, "phone_number_id");
      const auto display = str(metadata, "display_phone_number");

      const auto* contacts = arr(value, "contacts");
      const auto* messages = arr(value, "messages");
      for (const auto& item : messages ? *messages : none) {
        const auto* m = item.if_object();
        Inbound in{external_id, display, str(m, "id"), digits_of(str(m, "from")), {}, {}, true};
        if (!m || in.message_id.empty() || in.customer.empty()) {
          ++report.ignored;
          continue;
        }
        read_content(*m, in);
        for (const auto& contact : contacts ? *contacts : none)
          if (digits_of(str(contact.if_object(), "wa_id")) == in.customer)
            in.customer_name = str(obj(contact.if_object(), "profile"), "name");
        switch (store_inbound(app, in)) {
          case Stored::stored: ++report.stored; break;
          case Stored::duplicate: ++report.duplicates; break;
          case Stored::ignored: ++report.ignored; break;
        }
      }

      const auto* statuses = arr(value, "statuses");
      for (const auto& item : statuses ? *statuses : none)
        if (item.is_object() && record_status(app, external_id, display, item.get_object())) ++report.statuses;
    }
  }
  return report;
}

// ---------------------------------------------------------------------------------------------

WhatsAppWorker::WhatsAppWorker(api::AppContext& app, WhatsAppWorkerOptions options)
    : app_(app), options_(std::move(options)), loop_("WhatsApp worker", options_.poll, [this] { pass(); }) {}

WhatsAppWorker::~WhatsAppWorker() { stop(); }

void WhatsAppWorker::start() {
  if (workers_) return;
  workers_ = std::make_unique<util::WorkerPool>(options_.concurrency);
  loop_.start();
}

void WhatsAppWorker::stop() {
  loop_.stop();
  workers_.reset();  // finishes the jobs in progress
}

void WhatsAppWorker::pass() {
  close_idle_conversations(app_);
  claim_and_post(Kind::verification);
  claim_and_post(Kind::reply);
}

void WhatsAppWorker::claim_and_post(Kind kind) {
  int slots;
  std::set<std::int64_t> busy;
  {
    std::lock_guard lock(mutex_);
    slots = options_.concurrency - static_cast<int>(in_flight_.size());
    for (const auto& [k, id] : in_flight_)
      if (k == kind) busy.insert(id);
  }
  if (slots <= 0) return;
  const auto ids = claim(app_, kind == Kind::verification ? kVerifications : kReplies, slots, busy,
                         options_.lease_seconds * 1000);
  for (const auto id : ids) {
    {
      std::lock_guard lock(mutex_);
      in_flight_.insert({kind, id});
    }
    workers_->post([this, kind, id] { run(kind, id); });
  }
}

void WhatsAppWorker::run(Kind kind, std::int64_t id) {
  try {
    if (kind == Kind::verification)
      check_verification(app_, id);
    else
      answer(app_, id, options_.retry_seconds);
  } catch (const std::exception& e) {
    // The lease runs out and the job is taken up again; nothing is lost.
    util::log_error("WhatsApp job failed to run", {{"job", kind == Kind::verification ? "verification" : "reply"},
                                                   {"id", std::to_string(id)},
                                                   {"error", e.what()}});
  }
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase({kind, id});
  }
  loop_.kick();  // a slot is free, and the next reply of the conversation may be due now
}

}  // namespace cxco::services
