#include "services/credentials.h"

#include <boost/json/parse.hpp>

#include <stdexcept>

#include "domain/errors.h"
#include "util/json.h"
#include "util/log.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

json::array list_providers(store::Tx& tx) {
  json::array out;
  for (const auto& r : tx.query("SELECT id, slug, name, type, status, config FROM providers ORDER BY id").rows) {
    json::object p{{"id", r.i64("id")}, {"slug", r.str("slug")}, {"name", r.str("name")}, {"type", r.str("type")},
                   {"status", r.str("status")}};
    if (const auto config = r.opt_str("config")) p["config"] = json::parse(*config);
    out.push_back(std::move(p));
  }
  return out;
}

std::int64_t provider_id_of(store::Tx& tx, std::string_view slug) {
  const auto row = tx.one("SELECT id FROM providers WHERE slug = ?", {std::string(slug)});
  if (!row) throw ApiError::not_found("No provider with slug '" + std::string(slug) + "'");
  return row->i64("id");
}

json::object store_credentials(api::AppContext& app, std::int64_t company_id, std::string_view slug,
                               const json::object& credentials) {
  // Encrypted before the transaction: only the token ever reaches the database.
  const auto token = app.fernet.encrypt(util::to_json(credentials));
  return app.db.write([&](store::Tx& tx) {
    const auto provider_id = provider_id_of(tx, slug);
    const auto conflict = [&] {
      return ApiError::conflict("Credentials for '" + std::string(slug) +
                                "' already exist for this company; delete them first to replace them");
    };
    if (tx.one("SELECT id FROM provider_credentials WHERE company_id = ? AND provider_id = ?", {company_id, provider_id}))
      throw conflict();
    const auto now = app.now_iso();
    std::int64_t id = 0;
    try {
      id = tx.insert(
          "INSERT INTO provider_credentials (company_id, provider_id, credentials, status, created_at, updated_at) "
          "VALUES (?, ?, ?, 'active', ?, ?) RETURNING id",
          {company_id, provider_id, token, now, now});
    } catch (const store::ConflictError&) {
      throw conflict();  // stored concurrently
    }
    return json::object{{"id", id}, {"company_id", company_id}, {"provider_id", provider_id}, {"status", "active"},
                        {"created_at", now}};
  });
}

void delete_credentials(api::AppContext& app, std::int64_t company_id, std::string_view slug) {
  app.db.write([&](store::Tx& tx) {
    const auto provider_id = provider_id_of(tx, slug);
    if (tx.exec("DELETE FROM provider_credentials WHERE company_id = ? AND provider_id = ?", {company_id, provider_id}) == 0)
      throw ApiError::not_found("No credentials are stored for '" + std::string(slug) + "'");
  });
}

std::optional<json::object> find_credentials(store::Tx& tx, const crypto::MultiFernet& fernet, std::int64_t company_id,
                                             std::string_view slug) {
  const auto row = tx.one(
      "SELECT c.credentials FROM provider_credentials c JOIN providers p ON p.id = c.provider_id "
      "WHERE c.company_id = ? AND p.slug = ?",
      {company_id, std::string(slug)});
  if (!row) return std::nullopt;
  const auto plain = fernet.decrypt(row->str("credentials"));
  json::error_code ec;
  auto parsed = plain ? json::parse(*plain, ec) : json::value();
  if (!plain || ec || !parsed.is_object())
    throw std::runtime_error("the stored " + std::string(slug) + " credentials of company " + std::to_string(company_id) +
                             " cannot be decrypted; is the key that encrypted them still in CXCO_ENCRYPTION_KEYS?");
  return std::move(parsed.get_object());
}

std::optional<json::object> find_credentials(api::AppContext& app, std::int64_t company_id, std::string_view slug) {
  return app.db.read([&](store::Tx& tx) { return find_credentials(tx, app.fernet, company_id, slug); });
}

std::optional<providers::SipTrunk> sip_trunk_of(api::AppContext& app, std::int64_t company_id) {
  const auto c = find_credentials(app, company_id, "sip_trunk");
  if (!c) return std::nullopt;
  return providers::SipTrunk{text(*c, "address"), text(*c, "transport"), text(*c, "username"), text(*c, "password")};
}

std::optional<providers::WhatsAppAccount> whatsapp_account_of(store::Tx& tx, const crypto::MultiFernet& fernet,
                                                              std::int64_t company_id) {
  const auto c = find_credentials(tx, fernet, company_id, "whatsapp");
  if (!c) return std::nullopt;
  providers::WhatsAppAccount account{text(*c, "access_token"), text(*c, "waba_id"), {}, text(*c, "pin")};
  if (const auto* ids = c->if_contains("phone_number_ids"); ids && ids->is_array())
    for (const auto& id : ids->get_array())
      if (id.is_string()) account.phone_number_ids.emplace_back(id.get_string());
  return account;
}

RotationReport rotate_encryption(store::Database& db, const crypto::MultiFernet& fernet) {
  // One transaction: the tokens are either all as they were or all rotated, never half.
  return db.write([&](store::Tx& tx) {
    RotationReport report;
    auto rotate = [&](const char* table, const char* column) {
      const auto rows = tx.query(std::string("SELECT id, ") + column + " AS token FROM " + table + " WHERE " + column +
                                 " IS NOT NULL ORDER BY id");
      for (const auto& r : rows.rows) {
        const auto token = r.str("token");
        if (fernet.is_current(token)) {
          ++report.current;
          continue;
        }
        const auto rotated = fernet.rotate(token);
        if (!rotated) {
          ++report.unreadable;
          util::log_warn("secret not rotated: no configured key decrypts it",
                         {{"table", table}, {"id", std::to_string(r.i64("id"))}});
          continue;
        }
        tx.exec(std::string("UPDATE ") + table + " SET " + column + " = ? WHERE id = ?", {*rotated, r.i64("id")});
        ++report.rotated;
      }
    };
    rotate("provider_credentials", "credentials");
    rotate("webhooks", "secret_token");
    return report;
  });
}

}  // namespace cxco::services
