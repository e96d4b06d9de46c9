#include "providers/whatsapp_webhooks.h"

#include <cstdlib>

#include "domain/whatsapp.h"
#include "util/json.h"
#include "wire/field_reader.h"

namespace cxco::providers {

namespace json = boost::json;
using wire::FieldReader;

namespace {

std::string digits_of(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// Reads without failing: what is absent or of another type reads as empty.
class Lenient {
 public:
  explicit Lenient(const json::object* o) : reader_(o, {}, errors_) {}
  std::string text(std::string_view key) { return reader_.string(key).value_or(""); }
  const json::object* object(std::string_view key) { return reader_.object(key).object(); }
  const json::array* array(std::string_view key) { return reader_.array(key); }
  const json::value* value(std::string_view key) const { return reader_.value(key); }

 private:
  std::vector<FieldError> errors_;
  FieldReader reader_;
};

std::string text_of(const json::object* o, std::string_view key) { return Lenient(o).text(key); }

// What a customer's message says, as the transcript shows it.
void read_content(const json::object& m, InboundMessage& in) {
  Lenient message(&m);
  const auto type = message.text("type");
  if (type == "text") {
    in.text = text_of(message.object("text"), "body");
    return;
  }
  if (type == "button") {
    in.text = text_of(message.object("button"), "text");
    return;
  }
  if (type == "interactive") {
    Lenient interactive(message.object("interactive"));
    for (const char* kind : {"button_reply", "list_reply"})
      if (const auto* reply = interactive.object(kind)) {
        in.text = text_of(reply, "title");
        return;
      }
  }
  if (type == "reaction") {
    in.text = "[reaction " + text_of(message.object("reaction"), "emoji") + "]";
    in.answerable = false;
    return;
  }
  // Media and anything newer: its kind, and the caption when there is one.
  in.text = "[" + (type.empty() ? std::string("message") : type) + "]";
  if (const auto caption = text_of(message.object(type), "caption"); !caption.empty()) in.text += " " + caption;
  in.answerable = type != "unsupported" && type != "system";
}

std::optional<StatusUpdate> status_of(const json::object& s, const std::string& external_id,
                                      const std::string& display) {
  Lenient status(&s);
  StatusUpdate u{external_id, display, status.text("id"), status.text("status"), 0, std::nullopt};
  if (u.message_id.empty() || domain::message_status_rank(u.status) == 0) return std::nullopt;
  if (const auto* t = status.value("timestamp"); t && t->is_string())
    u.at = std::strtoll(std::string(t->get_string()).c_str(), nullptr, 10);
  else if (t && t->is_int64())
    u.at = t->get_int64();
  if (const auto* errors = status.value("errors")) u.errors_json = util::to_json(*errors);
  return u;
}

}  // namespace

Notification parse_notification(const json::object& payload) {
  Notification out;
  Lenient root(&payload);
  if (root.text("object") != "whatsapp_business_account") return out;
  const json::array none;
  const auto* entries = root.array("entry");
  for (const auto& entry : entries ? *entries : none) {
    Lenient e(entry.if_object());
    const auto* changes = e.array("changes");
    for (const auto& change : changes ? *changes : none) {
      Lenient c(change.if_object());
      if (c.text("field") != "messages") continue;
      Lenient value(c.object("value"));
      Lenient metadata(value.object("metadata"));
      const auto external_id = metadata.text("phone_number_id");
      // The display number is the E.164 number without '+'.
      const auto display_digits = digits_of(metadata.text("display_phone_number"));
      const auto display = display_digits.empty() ? std::string() : "+" + display_digits;

      const auto* contacts = value.array("contacts");
      const auto* messages = value.array("messages");
      for (const auto& item : messages ? *messages : none) {
        const auto* m = item.if_object();
        InboundMessage in{external_id, display, text_of(m, "id"), digits_of(text_of(m, "from")), {}, {}, true};
        if (!m || in.message_id.empty() || in.customer.empty()) {
          ++out.malformed;
          continue;
        }
        read_content(*m, in);
        for (const auto& contact : contacts ? *contacts : none) {
          Lenient who(contact.if_object());
          if (digits_of(who.text("wa_id")) == in.customer) in.customer_name = text_of(who.object("profile"), "name");
        }
        out.messages.push_back(std::move(in));
      }

      const auto* statuses = value.array("statuses");
      for (const auto& item : statuses ? *statuses : none)
        if (item.is_object())
          if (auto update = status_of(item.get_object(), external_id, display))
            out.statuses.push_back(std::move(*update));
    }
  }
  return out;
}

}  // namespace cxco::providers
