// The WhatsApp Business Cloud API (Meta Graph API, ../shared/docs/providers.md section 2) behind
// one interface: `live` speaks HTTP to the Graph API with the company's access token,
// `simulated` answers in process.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/voice_provider.h"

namespace cxco::providers {

// A company's WhatsApp Business Account, from its stored `whatsapp` credentials.
struct WhatsAppAccount {
  std::string access_token;
  std::string waba_id;
  std::vector<std::string> phone_number_ids;  // empty: look the number up among the WABA's numbers
};

// GET /{Phone-Number-ID}?fields=code_verification_status,display_phone_number: the fields the
// Cloud API's definition documents (PhoneNumberInfo).
struct WhatsAppNumberStatus {
  std::string code_verification_status;  // VERIFIED (the number's two-step verification is complete), UNVERIFIED
  std::string display_phone_number;
};

class WhatsAppProvider {
 public:
  virtual ~WhatsAppProvider() = default;
  // The Cloud API phone-number id of an E.164 number in the account; nullopt when it is not there.
  virtual std::optional<std::string> find_number(const WhatsAppAccount& account, const std::string& e164) = 0;
  virtual WhatsAppNumberStatus number_status(const WhatsAppAccount& account, const std::string& phone_number_id) = 0;
  // POST /{phone-number-id}/register with the number's two-step verification PIN.
  virtual void register_number(const WhatsAppAccount& account, const std::string& phone_number_id,
                               const std::string& pin) = 0;
  // A text message to a customer (wa_id); answers the message id ("wamid...").
  virtual std::string send_text(const WhatsAppAccount& account, const std::string& phone_number_id,
                                const std::string& to, const std::string& body) = 0;
};

// A Graph API call failed. Meta advises deciding on `error.code` and `error.is_transient` rather
// than the HTTP status, since throttling and temporary failures also arrive as 400.
class GraphError : public ProviderError {
 public:
  GraphError(std::string operation, int status, int code, const std::string& message, bool marked_transient = false)
      : ProviderError(std::move(operation), status, message), code(code), marked_transient(marked_transient) {}
  int code;               // Graph's error.code, 0 when the answer had none (transport errors, odd bodies)
  bool marked_transient;  // Graph's error.is_transient
  // Worth trying again later: transport errors, 429/5xx, errors Graph marks transient, and the
  // throttling codes.
  bool transient() const;
  std::string reason() const override;
};

std::unique_ptr<WhatsAppProvider> make_simulated_whatsapp();
// base_url: CXCO_WHATSAPP_GRAPH_BASE_URL, with its version segment ("https://graph.facebook.com/v23.0").
std::unique_ptr<WhatsAppProvider> make_whatsapp_client(const std::string& base_url,
                                                       std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace cxco::providers
