// Outbound calls and the do-not-call list (platform.md section 7): placing a call queues it for
// the dialer (services/dialer.h), which dials it and follows it to its end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/call.h"
#include "domain/page.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Calls {
 public:
  Calls(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  // 404 for another company's agent, 409 invalid_state unless it is active, 409 do_not_call
  // for a listed number.
  domain::Call place(domain::CompanyId company, const domain::NewCall& call);
  domain::Call get(domain::CompanyId company, std::int64_t call_id);  // 404 when not the company's
  domain::Page<domain::Call> list(domain::CompanyId company, const domain::CallFilter& filter,
                                  const domain::PageRequest& page);
  // Only a queued call (409 invalid_state otherwise): once dialing, a call cannot be taken back.
  domain::Call cancel(domain::CompanyId company, std::int64_t call_id);

  // The do-not-call list: checked again at the moment each call is dialed.
  domain::Page<domain::DoNotCallEntry> do_not_call_list(domain::CompanyId company, const domain::PageRequest& page);
  domain::DoNotCallEntry add_do_not_call(domain::CompanyId company, const std::string& phone_number,
                                         const std::optional<std::string>& reason);     // 409 when listed
  void remove_do_not_call(domain::CompanyId company, const std::string& phone_number);  // 404 when not listed

 private:
  store::Database& db_;
  const util::Clock& clock_;
};

}  // namespace cxco::services
