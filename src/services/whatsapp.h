// WhatsApp (platform.md sections 3 and 4, providers.md section 2): enabling a published number,
// and inbound messages threaded into `whatsapp` conversations. Requests only record: the
// WhatsAppWorker does everything that calls a provider, from the work queue, so a provider
// outage delays work and never loses it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/catalog.h"
#include "domain/keys.h"
#include "domain/whatsapp.h"
#include "services/credentials.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class WhatsApp {
 public:
  // live: numbers are verified with the Cloud API (so the company's credentials are needed);
  // otherwise simulated verification takes `simulated_verify_seconds`.
  // app_secret: CXCO_WHATSAPP_APP_SECRET, which signs the Cloud API's notifications.
  WhatsApp(store::Database& db, const util::Clock& clock, Credentials& credentials, bool live,
           double simulated_verify_seconds, std::string app_secret)
      : db_(db),
        clock_(clock),
        credentials_(credentials),
        live_(live),
        simulated_verify_seconds_(simulated_verify_seconds),
        app_secret_(std::move(app_secret)) {}

  // POST /api/phone-numbers/{id}/enable-whatsapp: the number, now `pending`. 404 when it is not
  // the company's or not held by an agent `visible` sees; 409 invalid_state unless it serves a
  // published agent and is neither pending nor active, and in live mode until the company has
  // stored its `whatsapp` credentials.
  domain::PhoneNumber enable(domain::CompanyId company, const domain::AgentScope& visible,
                             std::int64_t phone_number_id);
  // 404 when not the company's, or not held by an agent `visible` sees.
  domain::PhoneNumber number(domain::CompanyId company, const domain::AgentScope& visible,
                             std::int64_t phone_number_id);

  // A Cloud API notification as it arrived: its X-Hub-Signature-256 header and raw body. 401
  // (and nothing stored) unless the signature verifies with the app secret; without a secret
  // nothing can be authenticated, so nothing is accepted. Each message is stored in a
  // transaction of its own, before any reply is attempted.
  domain::InboundReport receive(std::string_view signature, std::string_view raw_body);

 private:
  store::Database& db_;
  const util::Clock& clock_;
  Credentials& credentials_;
  bool live_;
  double simulated_verify_seconds_;
  std::string app_secret_;
};

}  // namespace cxco::services
