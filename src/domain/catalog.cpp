#include "domain/catalog.h"

namespace cxco::domain {

std::string_view to_string(WhatsAppStatus s) {
  switch (s) {
    case WhatsAppStatus::pending: return "pending";
    case WhatsAppStatus::active: return "active";
    case WhatsAppStatus::failed: return "failed";
    case WhatsAppStatus::none: break;
  }
  return "none";
}

WhatsAppStatus parse_whatsapp_status(std::string_view s) {
  if (s == "pending") return WhatsAppStatus::pending;
  if (s == "active") return WhatsAppStatus::active;
  if (s == "failed") return WhatsAppStatus::failed;
  return WhatsAppStatus::none;
}

}  // namespace cxco::domain
