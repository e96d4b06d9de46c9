#include "services/demo.h"

#include "services/accounts.h"
#include "services/catalog.h"

namespace cxco::services {

void seed_demo(api::AppContext& app, std::ostream& out) {
  struct Seeded {
    WithKey company, user;
  };
  auto seeded = app.db.write([&](store::Tx& tx) -> std::optional<Seeded> {
    if (tx.one("SELECT id FROM companies LIMIT 1")) return std::nullopt;
    const auto now = app.now_iso();
    Seeded s;
    s.company = create_company(tx, now, "Demo Company", boost::json::object{{"default_language", "en"}});
    const auto company_id = s.company.resource.at("id").as_int64();
    s.user = create_user(tx, now, company_id, "demo@example.com", "Demo User", "owner");
    // A small pool so the reference's "Create and Publish a Voice Agent" guide works at once.
    // Numbers in the fictional/drama ranges, so a demo never points at a real subscriber.
    if (!tx.one("SELECT id FROM phone_numbers LIMIT 1"))
      add_numbers(tx, now,
                  {{"+27210000001", "ZA"}, {"+27210000002", "ZA"}, {"+27210000003", "ZA"},
                   {"+12025550101", "US"}, {"+12025550102", "US"}, {"+447700900101", "GB"},
                   {"+447700900102", "GB"}});
    return s;
  });
  if (!seeded) return;
  const auto port_hint = app.config.listen;
  out << "\nCXCo demo data created. These keys are shown once; keep them.\n"
      << "  company id:   " << seeded->company.resource.at("id").as_int64() << "\n"
      << "  company key:  " << seeded->company.api_key << "\n"
      << "  user key:     " << seeded->user.api_key << "\n\n"
      << "Try:\n  curl -H 'X-API-Key: " << seeded->user.api_key << "' http://" << port_hint << "/api/users/me\n"
      << "  curl -H 'X-API-Key: " << seeded->user.api_key << "' http://" << port_hint << "/api/voices/\n\n"
      << std::flush;
}

}  // namespace cxco::services
