#include "services/events.h"

#include <boost/json/serialize.hpp>

#include "crypto/crypto.h"

namespace cxco::services {

std::string emit_event(store::Tx& tx, std::int64_t company_id, const std::string& type, const boost::json::object& data,
                       const std::string& now) {
  std::string event_id = "evt_" + crypto::random_base62(24);
  tx.exec("INSERT INTO events (event_id, company_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)",
          {event_id, company_id, type, boost::json::serialize(data), now});
  return event_id;
}

}  // namespace cxco::services
