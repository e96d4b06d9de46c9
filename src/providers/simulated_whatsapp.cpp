// The simulated WhatsAppProvider: every number is in the account and verified, and messages
// are accepted. How long verification seems to take is the worker's business
// (CXCO_WHATSAPP_SIM_VERIFY_SECONDS), so this keeps no state.
#include "crypto/crypto.h"
#include "providers/whatsapp_provider.h"

namespace cxco::providers {

namespace {

class SimulatedWhatsApp final : public WhatsAppProvider {
 public:
  std::optional<std::string> find_number(const WhatsAppAccount&, const std::string& e164) override {
    // Stable per number, so inbound routing by phone_number_id works the same as live.
    return "sim_wa_" + e164.substr(e164.rfind('+') + 1);
  }
  WhatsAppNumberStatus number_status(const WhatsAppAccount&, const std::string&) override { return {"VERIFIED", ""}; }
  void register_number(const WhatsAppAccount&, const std::string&, const std::string&) override {}
  std::string send_text(const WhatsAppAccount&, const std::string&, const std::string&, const std::string&) override {
    return "wamid.sim_" + crypto::to_hex(crypto::random_bytes(12));
  }
};

}  // namespace

std::unique_ptr<WhatsAppProvider> make_simulated_whatsapp() { return std::make_unique<SimulatedWhatsApp>(); }

}  // namespace cxco::providers
