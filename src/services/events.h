// Writing to the events outbox. Call it inside the transaction of the change it reports, so
// the event exists exactly when the change does.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

#include "store/db.h"

namespace cxco::services {

inline constexpr const char* kEventTypes[] = {"conversation.completed", "conversation.transferred",
                                              "agent.status_changed", "phone_number.whatsapp_verified"};

// Returns the public event id ("evt_...").
std::string emit_event(store::Tx& tx, std::int64_t company_id, const std::string& type, const boost::json::object& data,
                       const std::string& now);

}  // namespace cxco::services
