#include "services/whatsapp_threads.h"

#include "domain/usage.h"
#include "store/conversations_repo.h"
#include "store/outbox.h"
#include "store/usage_repo.h"
#include "store/whatsapp_repo.h"
#include "util/time.h"
#include "wire/serializers.h"

namespace cxco::services::whatsapp_threads {

domain::WhatsAppThread open(store::Tx& tx, const domain::WhatsAppRoute& number, const std::string& customer,
                            const std::string& customer_name, std::int64_t now_ms, const std::string& now) {
  util::JsonWriter metadata;
  metadata.begin_object().field("whatsapp_phone_number_id", number.whatsapp_external_id);
  if (!customer_name.empty()) metadata.field("customer_name", customer_name);
  metadata.end_object();
  const domain::WhatsAppThread thread{
      store::conversations_repo::insert_chat(tx, *number.company_id, *number.agent_id, "+" + customer,
                                             util::iso8601(now_ms / 1000), metadata.str(), now),
      *number.company_id, *number.agent_id, now_ms, now_ms};
  store::whatsapp_repo::insert_thread(tx, thread, number.phone_number_id, customer);
  return thread;
}

void close(store::Tx& tx, const domain::WhatsAppThread& t, const std::string& now) {
  if (!store::whatsapp_repo::close_thread(tx, t.conversation_id)) return;
  store::conversations_repo::complete_chat(tx, t.company_id, t.conversation_id, util::iso8601(t.last_message_ms / 1000),
                                           (t.last_message_ms - t.started_ms) / 1000);
  // The event shows the conversation as the list does, like the event of a call.
  const auto conversation = store::conversations_repo::find_summary(tx, t.company_id, t.conversation_id);
  store::outbox::emit(tx, t.company_id, "conversation.completed", wire::to_json(*conversation), now);
}

void add_message(store::Tx& tx, const domain::WhatsAppThread& t, const char* role, const std::string& text,
                 std::int64_t at_ms, bool opened) {
  store::conversations_repo::append_turn(tx, t.company_id, t.conversation_id,
                                         {role, text, static_cast<double>(at_ms - t.started_ms) / 1000.0});
  store::whatsapp_repo::touch_thread(tx, t.conversation_id, at_ms);
  domain::UsageTotals usage;
  usage.messages = 1;
  usage.conversations = opened ? 1 : 0;
  store::usage_repo::add(tx, t.company_id, util::utc_date(t.started_ms / 1000), t.agent_id, "whatsapp", usage);
}

}  // namespace cxco::services::whatsapp_threads
