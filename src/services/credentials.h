// Providers and a company's credentials for them (reference "Providers", platform.md section 3
// "Provider credentials"). Credentials are stored only as Fernet tokens of their JSON under the
// first CXCO_ENCRYPTION_KEYS key; live provider calls use them in place of the platform defaults.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "crypto/fernet.h"
#include "providers/voice_provider.h"
#include "providers/whatsapp_provider.h"
#include "store/db.h"

namespace cxco::services {

// Every provider, as GET /api/providers/ shows them.
boost::json::array list_providers(store::Tx& tx);
// The provider's id; 404 for an unknown slug.
std::int64_t provider_id_of(store::Tx& tx, std::string_view slug);

// Stores already validated credentials; 404 unknown slug, 409 when the company has a set.
// Answers {id, company_id, provider_id, status, created_at}.
boost::json::object store_credentials(api::AppContext& app, std::int64_t company_id, std::string_view slug,
                                      const boost::json::object& credentials);
// 404 for an unknown slug or when none are stored.
void delete_credentials(api::AppContext& app, std::int64_t company_id, std::string_view slug);

// The company's decrypted credentials for the provider; nullopt when none are stored. Throws
// std::runtime_error when they are stored but no configured key decrypts them: acting with
// the platform's defaults instead would act with the wrong account.
std::optional<boost::json::object> find_credentials(store::Tx& tx, const crypto::MultiFernet& fernet,
                                                    std::int64_t company_id, std::string_view slug);
std::optional<boost::json::object> find_credentials(api::AppContext& app, std::int64_t company_id,
                                                    std::string_view slug);

// The company's SIP trunk for numbers it imports at the voice provider; nullopt: none stored.
std::optional<providers::SipTrunk> sip_trunk_of(api::AppContext& app, std::int64_t company_id);
// The company's WhatsApp Business Account; nullopt: none stored.
std::optional<providers::WhatsAppAccount> whatsapp_account_of(store::Tx& tx, const crypto::MultiFernet& fernet,
                                                              std::int64_t company_id);

struct RotationReport {
  std::int64_t rotated = 0;     // re-encrypted under the first key
  std::int64_t current = 0;     // already under the first key
  std::int64_t unreadable = 0;  // no configured key decrypts them: left as they were
};
// `cxco admin rotate-encryption`: every stored secret (provider credentials, webhook secrets)
// re-encrypted under the first key, keeping each token's timestamp (MultiFernet::rotate).
// Once unreadable is 0, keys after the first may be dropped.
RotationReport rotate_encryption(store::Database& db, const crypto::MultiFernet& fernet);

}  // namespace cxco::services
