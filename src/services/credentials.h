// Providers and a company's credentials for them (reference "Providers", platform.md section 3
// "Provider credentials"). Credentials are stored only as Fernet tokens of their JSON under the
// first CXCO_ENCRYPTION_KEYS key; provider calls for a company use them in place of the
// platform's defaults.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/fernet.h"
#include "domain/provider.h"
#include "providers/llm.h"
#include "providers/voice_provider.h"
#include "providers/whatsapp_provider.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

// What provider calls use when a company has stored nothing of its own.
struct PlatformDefaults {
  std::string elevenlabs_api_key;
  providers::LlmEndpoint llm;
  bool allow_private_egress = false;  // CXCO_WEBHOOK_ALLOW_PRIVATE: tenants' URLs may point inside
};

class Credentials {
 public:
  Credentials(store::Database& db, const util::Clock& clock, const crypto::MultiFernet& fernet,
              PlatformDefaults defaults)
      : db_(db), clock_(clock), fernet_(fernet), defaults_(std::move(defaults)) {}

  std::vector<domain::ProviderInfo> providers();
  // Why a URL in a company's credentials (an LLM endpoint) is refused, or nullopt (http/egress.h).
  std::optional<std::string> refuse_url(const std::string& url) const;
  void require_provider(std::string_view slug);  // 404 for an unknown slug
  // Stores already validated credentials; 404 unknown slug, 409 when the company has a set.
  domain::StoredCredentials store(domain::CompanyId company, std::string_view slug,
                                  const boost::json::object& credentials);
  void remove(domain::CompanyId company, std::string_view slug);  // 404 when none are stored
  bool has(domain::CompanyId company, std::string_view slug);

  // The company's settings for each provider, else the platform's. Each throws
  // std::runtime_error when credentials are stored but no configured key decrypts them: acting
  // with the platform's defaults instead would act with the wrong account.
  std::string voice_api_key(domain::CompanyId company);
  // The secret the post-call webhook of the company's own provider workspace is signed with;
  // nullopt when the company stored none (its URL then accepts nothing).
  std::optional<std::string> voice_webhook_secret(domain::CompanyId company);
  std::optional<providers::SipTrunk> sip_trunk(domain::CompanyId company);            // nullopt: none stored
  std::optional<providers::TwilioAccount> twilio_account(domain::CompanyId company);  // nullopt: none stored
  std::optional<providers::WhatsAppAccount> whatsapp_account(domain::CompanyId company);
  providers::LlmEndpoint llm_endpoint(domain::CompanyId company);

  // The two-step verification PIN the company's WhatsApp numbers are registered with, inside
  // the caller's transaction: the stored `pin`, or a new random one stored (encrypted, with the
  // rest of the credentials) first, so that every later registration reuses it. The row is
  // locked, so concurrent registrations settle on one PIN. nullopt when no whatsapp
  // credentials are stored.
  std::optional<std::string> kept_whatsapp_pin(store::Tx& tx, domain::CompanyId company);

  // `cxco admin rotate-encryption`: every stored secret (provider credentials, webhook secrets)
  // re-encrypted under the first key in one transaction, keeping each token's timestamp. Once
  // unreadable is 0, keys after the first may be dropped.
  domain::RotationReport rotate_encryption();

 private:
  std::optional<boost::json::object> decrypted(domain::CompanyId company, std::string_view slug);
  boost::json::object decrypt(const std::string& token, domain::CompanyId company, std::string_view slug) const;

  store::Database& db_;
  const util::Clock& clock_;
  const crypto::MultiFernet& fernet_;
  PlatformDefaults defaults_;
};

}  // namespace cxco::services
