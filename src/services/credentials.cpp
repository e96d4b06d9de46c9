#include "services/credentials.h"

#include <stdexcept>

#include "crypto/crypto.h"
#include "domain/errors.h"
#include "http/egress.h"
#include "store/audit_repo.h"
#include "store/credentials_repo.h"
#include "store/webhooks_repo.h"
#include "util/json.h"
#include "util/log.h"
#include "wire/field_reader.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

// Our own stored credentials: fields validated when they were stored.
std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::optional<std::string> Credentials::refuse_url(const std::string& url) const {
  return http::check_tenant_url(url, defaults_.allow_private_egress);
}

std::vector<domain::ProviderInfo> Credentials::providers() {
  return db_.read([](store::Tx& tx) { return store::credentials_repo::providers(tx); });
}

void Credentials::require_provider(std::string_view slug) {
  if (!db_.read([&](store::Tx& tx) { return store::credentials_repo::provider_id(tx, slug); }))
    throw ApiError::not_found("No provider with slug '" + std::string(slug) + "'");
}

domain::StoredCredentials Credentials::store(domain::CompanyId company, std::string_view slug,
                                             const json::object& credentials) {
  // Encrypted before the transaction: only the token ever reaches the database.
  const auto token = fernet_.encrypt(util::to_json(credentials));
  return db_.write([&](store::Tx& tx) {
    const auto provider_id = store::credentials_repo::provider_id(tx, slug);
    if (!provider_id) throw ApiError::not_found("No provider with slug '" + std::string(slug) + "'");
    const auto conflict = ApiError::conflict("Credentials for '" + std::string(slug) +
                                             "' already exist for this company; delete them first to replace them");
    if (store::credentials_repo::exists(tx, company, *provider_id)) throw conflict;
    const auto now = util::iso8601(clock_.now());
    store::audit_repo::record(tx, company, "credentials", std::string(slug), now);
    try {
      return store::credentials_repo::insert(tx, company, *provider_id, token, now);
    } catch (const store::ConflictError&) {
      throw conflict;  // stored concurrently
    }
  });
}

void Credentials::remove(domain::CompanyId company, std::string_view slug) {
  db_.write([&](store::Tx& tx) {
    const auto provider_id = store::credentials_repo::provider_id(tx, slug);
    if (!provider_id) throw ApiError::not_found("No provider with slug '" + std::string(slug) + "'");
    if (!store::credentials_repo::remove(tx, company, *provider_id))
      throw ApiError::not_found("No credentials are stored for '" + std::string(slug) + "'");
    store::audit_repo::record(tx, company, "credentials", std::string(slug), util::iso8601(clock_.now()));
  });
}

bool Credentials::has(domain::CompanyId company, std::string_view slug) {
  return db_.read([&](store::Tx& tx) { return store::credentials_repo::find_token(tx, company, slug).has_value(); });
}

json::object Credentials::decrypt(const std::string& token, domain::CompanyId company, std::string_view slug) const {
  const auto plain = fernet_.decrypt(token);
  boost::system::error_code ec;
  auto parsed = plain ? wire::parse_json(*plain, ec) : json::value();
  if (!plain || ec || !parsed.is_object())
    throw std::runtime_error("the stored " + std::string(slug) + " credentials of company " +
                             std::to_string(company.value) +
                             " cannot be decrypted; is the key that encrypted them still in CXCO_ENCRYPTION_KEYS?");
  return std::move(parsed.get_object());
}

std::optional<json::object> Credentials::decrypted(domain::CompanyId company, std::string_view slug) {
  const auto token = db_.read([&](store::Tx& tx) { return store::credentials_repo::find_token(tx, company, slug); });
  if (!token) return std::nullopt;
  return decrypt(*token, company, slug);
}

std::string Credentials::voice_api_key(domain::CompanyId company) {
  const auto c = decrypted(company, "elevenlabs");
  return c ? text(*c, "api_key") : defaults_.elevenlabs_api_key;
}

std::optional<std::string> Credentials::voice_webhook_secret(domain::CompanyId company) {
  const auto c = decrypted(company, "elevenlabs");
  if (!c || text(*c, "webhook_secret").empty()) return std::nullopt;
  return text(*c, "webhook_secret");
}

std::optional<providers::SipTrunk> Credentials::sip_trunk(domain::CompanyId company) {
  const auto c = decrypted(company, "sip_trunk");
  if (!c) return std::nullopt;
  return providers::SipTrunk{text(*c, "address"), text(*c, "transport"), text(*c, "username"), text(*c, "password")};
}

std::optional<providers::TwilioAccount> Credentials::twilio_account(domain::CompanyId company) {
  const auto c = decrypted(company, "twilio");
  if (!c) return std::nullopt;
  return providers::TwilioAccount{text(*c, "account_sid"), text(*c, "auth_token")};
}

std::optional<providers::WhatsAppAccount> Credentials::whatsapp_account(domain::CompanyId company) {
  const auto c = decrypted(company, "whatsapp");
  if (!c) return std::nullopt;
  providers::WhatsAppAccount account{text(*c, "access_token"), text(*c, "waba_id"), {}};
  if (const auto* ids = c->if_contains("phone_number_ids"); ids && ids->is_array())
    for (const auto& id : ids->get_array())
      if (id.is_string()) account.phone_number_ids.emplace_back(id.get_string());
  return account;
}

std::optional<std::string> Credentials::kept_whatsapp_pin(store::Tx& tx, domain::CompanyId company) {
  const auto stored = store::credentials_repo::lock(tx, company, "whatsapp");
  if (!stored) return std::nullopt;
  auto credentials = decrypt(stored->token, company, "whatsapp");
  if (auto pin = text(credentials, "pin"); !pin.empty()) return pin;
  // The Cloud API sets the PIN a number is first registered with as its two-step verification
  // PIN, and asks for it at every later registration: it is kept before it is ever used.
  std::string pin;
  while (pin.size() < 6)
    for (const unsigned char b : crypto::random_bytes(6))
      if (b < 250 && pin.size() < 6) pin += static_cast<char>('0' + b % 10);  // below 250: every digit as likely
  credentials["pin"] = pin;
  store::credentials_repo::replace_token(tx, stored->id, fernet_.encrypt(util::to_json(credentials)));
  return pin;
}

providers::LlmEndpoint Credentials::llm_endpoint(domain::CompanyId company) {
  if (const auto c = decrypted(company, "llm"))
    return {text(*c, "base_url"), text(*c, "api_key"), text(*c, "model"),
            http::tenant_connections(defaults_.allow_private_egress)};
  return defaults_.llm;
}

domain::RotationReport Credentials::rotate_encryption() {
  // One transaction: the tokens are either all as they were or all rotated, never half.
  return db_.write([&](store::Tx& tx) {
    domain::RotationReport report;
    auto rotate = [&](const char* kind, const std::vector<domain::EncryptedSecret>& secrets, auto replace) {
      for (const auto& s : secrets) {
        if (fernet_.is_current(s.token)) {
          ++report.current;
          continue;
        }
        const auto rotated = fernet_.rotate(s.token);
        if (!rotated) {
          ++report.unreadable;
          util::log_warn("secret not rotated: no configured key decrypts it",
                         {{"kind", kind}, {"id", std::to_string(s.id)}});
          continue;
        }
        replace(tx, s.id, *rotated);
        ++report.rotated;
      }
    };
    rotate("provider credentials", store::credentials_repo::tokens(tx), store::credentials_repo::replace_token);
    rotate("webhook secret", store::webhooks_repo::secret_tokens(tx), store::webhooks_repo::replace_secret_token);
    return report;
  });
}

}  // namespace cxco::services
