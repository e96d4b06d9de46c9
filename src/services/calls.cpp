#include "services/calls.h"

#include "domain/errors.h"
#include "services/call_flow.h"
#include "services/quotas.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/calls_repo.h"
#include "store/do_not_call_repo.h"
#include "store/work_queue.h"

namespace cxco::services {

namespace {

domain::Call found(std::optional<domain::Call> call, const domain::AgentScope& visible) {
  if (!call || !visible.allows(call->agent_id)) throw ApiError::not_found("Call not found");
  return std::move(*call);
}

}  // namespace

domain::Call Calls::place(domain::CompanyId company, const domain::AgentScope& visible, const domain::NewCall& c) {
  return db_.write([&](store::Tx& tx) {
    const auto agent = store::agents_repo::find(tx, company, c.agent_id);
    if (!agent || !visible.allows(agent->id)) throw ApiError::not_found("Agent not found");
    if (agent->status != domain::AgentStatus::active)
      throw ApiError::invalid_state("Only an active agent can call (status is " +
                                    std::string(domain::to_string(agent->status)) + ")");
    if (store::do_not_call_repo::contains(tx, company, c.to_number))
      throw ApiError(409, "do_not_call", c.to_number + " is on the company's do-not-call list");
    domain::Call call;
    call.agent_id = agent->id;
    call.from_number = agent->number;
    call.to_number = c.to_number;
    call.dial_token = call_flow::new_dial_token();
    call.dynamic_variables_json = c.dynamic_variables_json;
    call.first_message = c.first_message;
    call.metadata_json = c.metadata_json;
    const auto now_ms = clock_.now_ms();
    const auto now = util::iso8601(now_ms / 1000);
    quotas::admit_call(tx, company, now_ms / 1000);
    call.id = store::calls_repo::insert(tx, company, call, now);
    store::work_queue::enqueue(tx, call_flow::kCallQueue, call.id, call_flow::call_group(call), now_ms, now);
    store::audit_repo::record(tx, company, "call", call.id, now);
    return *store::calls_repo::find(tx, company, call.id);
  });
}

domain::Call Calls::get(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t call_id) {
  return found(db_.read([&](store::Tx& tx) { return store::calls_repo::find(tx, company, call_id); }), visible);
}

domain::Page<domain::Call> Calls::list(domain::CompanyId company, const domain::CallFilter& filter,
                                       const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) { return store::calls_repo::list(tx, company, filter, page); }),
                         page.limit);
}

domain::Call Calls::cancel(domain::CompanyId company, const domain::AgentScope& visible, std::int64_t call_id) {
  return db_.write([&](store::Tx& tx) {
    auto call = found(store::calls_repo::find(tx, company, call_id), visible);
    if (!domain::next_status(call.status, domain::CallEvent::cancel))
      throw ApiError::invalid_state("Only a queued call can be canceled (status is " +
                                    std::string(domain::public_name(call.status)) + ")");
    // The dialer may take the call at this very moment: the status guard decides, and the loser
    // of that race is told the call is no longer queued.
    call_flow::end_unplaced(tx, call, domain::CallEvent::cancel, domain::CallStatus::canceled,
                            domain::kCanceledByCustomer, clock_.now_ms());
    if (call.status != domain::CallStatus::canceled)
      throw ApiError::invalid_state("The call is being dialed and can no longer be canceled");
    store::audit_repo::record(tx, company, "call", call_id, util::iso8601(clock_.now()));
    return *store::calls_repo::find(tx, company, call_id);
  });
}

domain::Page<domain::DoNotCallEntry> Calls::do_not_call_list(domain::CompanyId company,
                                                             const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) { return store::do_not_call_repo::list(tx, company, page); }),
                         page.limit);
}

domain::DoNotCallEntry Calls::add_do_not_call(domain::CompanyId company, const std::string& phone_number,
                                              const std::optional<std::string>& reason) {
  try {
    return db_.write([&](store::Tx& tx) {
      const auto now = util::iso8601(clock_.now());
      auto entry = store::do_not_call_repo::insert(tx, company, phone_number, reason, now);
      store::audit_repo::record(tx, company, "do_not_call", phone_number, now);
      return entry;
    });
  } catch (const store::ConflictError&) {
    throw ApiError::conflict(phone_number + " is already on the do-not-call list");
  }
}

void Calls::remove_do_not_call(domain::CompanyId company, const std::string& phone_number) {
  db_.write([&](store::Tx& tx) {
    if (!store::do_not_call_repo::remove(tx, company, phone_number))
      throw ApiError::not_found(phone_number + " is not on the do-not-call list");
    store::audit_repo::record(tx, company, "do_not_call", phone_number, util::iso8601(clock_.now()));
  });
}

}  // namespace cxco::services
