// Outbound calls and the do-not-call list (platform.md section 7): placing a call queues it for
// the dialer (services/dialer.h), which dials it and follows it to its end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/call.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "store/db.h"
#include "util/time.h"

namespace cxco::services {

class Calls {
 public:
  Calls(store::Database& db, const util::Clock& clock) : db_(db), clock_(clock) {}

  // `visible`: the agents the caller sees; calls of the others answer 404 like another
  // company's.
  // 404 for an agent not there for the caller, 409 invalid_state unless it is active, 409
  // do_not_call for a listed number, 429 quota_exceeded past max_concurrent_calls or
  // monthly_outbound_calls.
  domain::Call place(domain::CompanyId company, const domain::AgentScope& visible, const domain::NewCall& call);
  domain::Call get(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t call_id);
  domain::Page<domain::Call> list(domain::CompanyId company, const domain::CallFilter& filter,
                                  const domain::PageRequest& page);
  // Only a queued call (409 invalid_state otherwise): once dialing, a call cannot be taken back.
  domain::Call cancel(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t call_id);

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
