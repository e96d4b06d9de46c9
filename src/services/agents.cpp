#include "services/agents.h"

#include "domain/errors.h"
#include "services/call_flow.h"
#include "services/quotas.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/numbers_repo.h"
#include "store/outbox.h"
#include "store/voices_repo.h"
#include "util/log.h"
#include "wire/serializers.h"

namespace cxco::services {

namespace {

ApiError provider_failure(const providers::ProviderError& e) {
  util::log_warn("voice provider call failed",
                 {{"operation", e.operation}, {"status", std::to_string(e.status)}, {"error", e.what()}});
  return ApiError::provider("The voice provider failed (" + e.operation +
                            (e.status ? ", HTTP " + std::to_string(e.status) : std::string()) +
                            "); nothing was changed, try again");
}

// Undo steps must not hide the original failure.
template <class F>
void best_effort(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    util::log_error("could not undo a provider step; clean up by hand", {{"step", what}, {"error", e.what()}});
  }
}

// A provider object already gone counts as deleted.
template <class F>
void ignoring_not_found(F&& f) {
  try {
    f();
  } catch (const providers::ProviderError& e) {
    if (e.status != 404) throw;
  }
}

providers::AgentSpec spec_of(const domain::Agent& a) {
  return {a.name,
          a.personality,
          a.opening_line,
          a.language,
          a.external_voice_id,
          a.config.temperature,
          static_cast<int>(a.config.max_call_duration_seconds),
          a.analysis};
}

domain::Voice active_voice(store::Tx& tx, std::int64_t voice_id) {
  auto voice = store::voices_repo::find_active(tx, voice_id);
  if (!voice)
    throw ApiError::validation({FieldError{{"body", "voice_id"}, "voice_id must name an active voice", "value_error"}});
  return *voice;
}

domain::Agent found(std::optional<domain::Agent> agent) {
  if (!agent) throw ApiError::not_found("Agent not found");
  return std::move(*agent);
}

}  // namespace

domain::Agent Agents::create(domain::CompanyId company, const domain::AgentFields& f) {
  return db_.write([&](store::Tx& tx) {
    active_voice(tx, *f.voice_id);
    domain::Agent a;
    a.name = *f.name;
    a.personality = *f.personality;
    a.opening_line = *f.opening_line;
    a.voice_id = *f.voice_id;
    a.language = f.language.value_or("en");
    a.config.temperature = f.temperature.value_or(a.config.temperature);
    a.config.max_call_duration_seconds = f.max_call_duration_seconds.value_or(a.config.max_call_duration_seconds);
    if (f.analysis) a.analysis = *f.analysis;
    const auto at = now();
    const auto id = store::agents_repo::insert(tx, company, a, at);
    store::audit_repo::record(tx, company, "agent", id, at);
    return *store::agents_repo::find(tx, company, id);
  });
}

domain::Agent Agents::get(domain::CompanyId company, std::int64_t agent_id) {
  return found(db_.read([&](store::Tx& tx) { return store::agents_repo::find(tx, company, agent_id); }));
}

bool Agents::exists(domain::CompanyId company, std::int64_t agent_id) {
  return db_.read([&](store::Tx& tx) { return store::agents_repo::exists(tx, company, agent_id); });
}

std::optional<domain::Agent> Agents::find_active_any_company(std::int64_t agent_id) {
  return db_.read([&](store::Tx& tx) { return store::agents_repo::find_active_any_company(tx, agent_id); });
}

domain::Page<domain::Agent> Agents::list(domain::CompanyId company, const domain::AgentScope& visible,
                                         std::optional<domain::AgentStatus> status, const domain::PageRequest& page) {
  return domain::page_of(
      db_.read([&](store::Tx& tx) { return store::agents_repo::list(tx, company, visible, status, page); }),
      page.limit);
}

domain::Agent Agents::update(domain::CompanyId company, std::int64_t agent_id, const domain::AgentFields& f) {
  const auto before = get(company, agent_id);
  if (!domain::transition(before.status, domain::AgentAction::update))
    throw ApiError::invalid_state(domain::refusal(before.status, domain::AgentAction::update));

  auto after = before;
  if (f.name) after.name = *f.name;
  if (f.personality) after.personality = *f.personality;
  if (f.opening_line) after.opening_line = *f.opening_line;
  if (f.language) after.language = *f.language;
  if (f.temperature) after.config.temperature = *f.temperature;
  if (f.max_call_duration_seconds) after.config.max_call_duration_seconds = *f.max_call_duration_seconds;
  if (f.analysis) after.analysis = *f.analysis;
  if (f.voice_id) {
    const auto voice = db_.read([&](store::Tx& tx) { return active_voice(tx, *f.voice_id); });
    after.voice_id = voice.id;
    after.external_voice_id = voice.external_voice_id;
  }

  const bool at_provider = domain::is_live(before.status) && before.external_agent_id;
  const auto key = credentials_.voice_api_key(company);
  if (at_provider) {
    try {
      voice_.update_agent(key, *before.external_agent_id, spec_of(after));
    } catch (const providers::ProviderError& e) {
      throw provider_failure(e);
    }
  }
  try {
    return db_.write([&](store::Tx& tx) {
      const auto at = now();
      store::agents_repo::update(tx, after, at);
      store::audit_repo::record(tx, company, "agent", agent_id, at);
      return *store::agents_repo::find(tx, company, agent_id);
    });
  } catch (...) {
    if (at_provider)
      best_effort("restore provider agent",
                  [&] { voice_.update_agent(key, *before.external_agent_id, spec_of(before)); });
    throw;
  }
}

int Agents::release_stale_reservations() {
  // Three provider steps, each up to three tries of a 10 s timeout, fit well inside this.
  const auto cutoff = util::iso8601(clock_.now() - 15 * 60);
  return db_.write([&](store::Tx& tx) {
    const auto stale = store::numbers_repo::stale_reservations(tx, cutoff);
    for (const auto& s : stale) {
      store::numbers_repo::release(tx, s.company_id, s.number_id, s.agent_id, now());
      store::agents_repo::drop_number(tx, s.company_id, s.agent_id);
      util::log_warn("released a number reserved by a publish that never finished",
                     {{"agent_id", std::to_string(s.agent_id)}, {"phone_number_id", std::to_string(s.number_id)}});
    }
    return static_cast<int>(stale.size());
  });
}

bool Agents::commit_status(store::Tx& tx, const domain::Agent& agent, domain::AgentStatus to, const std::string& at) {
  if (!store::agents_repo::change_status(tx, agent.company_id, agent.id, agent.status, to, at)) return false;
  store::outbox::emit(tx, agent.company_id, "agent.status_changed",
                      wire::agent_status_changed(agent.id, agent.status, to), at);
  store::audit_repo::record(tx, agent.company_id, "agent", agent.id, at);
  return true;
}

domain::Agent Agents::publish(domain::CompanyId company, std::int64_t agent_id, const std::string& country_code) {
  // The company's provider settings are read first: nothing is reserved if they cannot be.
  const auto key = credentials_.voice_api_key(company);
  const auto trunk = credentials_.sip_trunk(company);
  const auto twilio = credentials_.twilio_account(company);

  // 1. Reserve a number for the agent. The reservation (the agent's number on a draft) also
  //    stops a second publish of the same agent while this one talks to the provider.
  struct Reservation {
    domain::Agent agent;
    store::numbers_repo::Reserved number;
  };
  const auto reservation = db_.write([&](store::Tx& tx) {
    auto agent = found(store::agents_repo::find(tx, company, agent_id));
    if (!domain::transition(agent.status, domain::AgentAction::publish))
      throw ApiError::invalid_state(domain::refusal(agent.status, domain::AgentAction::publish));
    if (agent.phone_number_id) throw ApiError::invalid_state("This agent is already being published");
    // The reservation takes the agent's slot: admitted in its transaction, so no two nodes take the last one.
    quotas::admit_active_agent(tx, company, clock_.now());
    // A Twilio number is imported with its Twilio account: without one it cannot go live.
    const auto number = store::numbers_repo::reserve(tx, company, agent_id, country_code, twilio.has_value(), now());
    if (!number && !twilio && store::numbers_repo::any_free(tx, country_code))
      throw ApiError::invalid_state("Only Twilio numbers are available in " + country_code +
                                    "; store the company's twilio credentials (POST /api/providers/twilio/credentials) "
                                    "to publish on one");
    if (!number) throw ApiError(409, "no_numbers_available", "No phone number is available in " + country_code);
    if (!store::agents_repo::hold_number(tx, company, agent_id, number->id))
      throw ApiError::invalid_state("This agent is already being published");
    return Reservation{std::move(agent), *number};
  });

  // 2. Provider steps, each undone if a later one fails.
  std::optional<std::string> external_agent, external_number;
  auto undo = [&] {
    if (external_number) best_effort("delete provider number", [&] { voice_.delete_number(key, *external_number); });
    if (external_agent) best_effort("delete provider agent", [&] { voice_.delete_agent(key, *external_agent); });
    db_.write([&](store::Tx& tx) {
      store::numbers_repo::release(tx, company, reservation.number.id, agent_id, now());
      store::agents_repo::drop_number(tx, company, agent_id);
    });
  };
  try {
    external_agent = voice_.create_agent(key, spec_of(reservation.agent));
    const bool on_twilio = reservation.number.provider_slug == "twilio";
    const providers::NumberSpec number{reservation.number.number, "cxco agent " + std::to_string(agent_id),
                                       on_twilio ? std::nullopt : trunk, on_twilio ? twilio : std::nullopt};
    external_number = voice_.import_number(key, number);
    voice_.assign_agent(key, *external_number, *external_agent);
  } catch (const providers::ProviderError& e) {
    undo();
    throw provider_failure(e);
  }

  // 3. Commit: the agent is live, with its event.
  try {
    return db_.write([&](store::Tx& tx) {
      const auto at = now();
      store::numbers_repo::set_external_id(tx, company, reservation.number.id, *external_number, at);
      store::agents_repo::set_external_id(tx, company, agent_id, *external_agent, at);
      if (!commit_status(tx, reservation.agent, domain::AgentStatus::active, at))
        throw ApiError::invalid_state("The agent changed status meanwhile");
      return *store::agents_repo::find(tx, company, agent_id);
    });
  } catch (...) {
    undo();
    throw;
  }
}

// pause and resume: move the provider number's assignment, then the status, undoing the
// provider step if the status cannot be committed.
domain::Agent Agents::toggle(domain::CompanyId company, std::int64_t agent_id, domain::AgentAction action) {
  const auto agent = get(company, agent_id);
  const auto to = domain::transition(agent.status, action);
  if (!to) throw ApiError::invalid_state(domain::refusal(agent.status, action));
  const bool starts_work = *to == domain::AgentStatus::active;
  // Refused before the provider is told anything; admitted for good in the commit below.
  if (starts_work) db_.read([&](store::Tx& tx) { quotas::admit_active_agent(tx, company, clock_.now()); });
  const auto key = credentials_.voice_api_key(company);
  auto assign = [&](bool answering) {
    if (agent.external_number_id && agent.external_agent_id)
      voice_.assign_agent(key, *agent.external_number_id,
                          answering ? std::optional<std::string>(*agent.external_agent_id) : std::nullopt);
  };
  try {
    assign(starts_work);
  } catch (const providers::ProviderError& e) {
    throw provider_failure(e);
  }
  try {
    return db_.write([&](store::Tx& tx) {
      if (starts_work) quotas::admit_active_agent(tx, company, clock_.now());
      if (!commit_status(tx, agent, *to, now())) throw ApiError::invalid_state("The agent changed status meanwhile");
      return *store::agents_repo::find(tx, company, agent_id);
    });
  } catch (...) {
    best_effort("restore provider number assignment", [&] { assign(agent.status == domain::AgentStatus::active); });
    throw;
  }
}

domain::Agent Agents::pause(domain::CompanyId company, std::int64_t agent_id) {
  return toggle(company, agent_id, domain::AgentAction::pause);
}

domain::Agent Agents::resume(domain::CompanyId company, std::int64_t agent_id) {
  return toggle(company, agent_id, domain::AgentAction::resume);
}

domain::Agent Agents::archive(domain::CompanyId company, std::int64_t agent_id) {
  const auto agent = get(company, agent_id);
  if (!domain::transition(agent.status, domain::AgentAction::archive))
    throw ApiError::invalid_state(domain::refusal(agent.status, domain::AgentAction::archive));
  if (agent.status == domain::AgentStatus::draft && agent.phone_number_id)
    throw ApiError::invalid_state("The agent is being published; try again in a moment");
  // Provider objects go first; deleting what is already gone counts as done, so an archive that
  // failed half-way at the provider can simply be retried.
  const auto key = credentials_.voice_api_key(company);
  try {
    if (agent.external_number_id) ignoring_not_found([&] { voice_.delete_number(key, *agent.external_number_id); });
    if (agent.external_agent_id) ignoring_not_found([&] { voice_.delete_agent(key, *agent.external_agent_id); });
  } catch (const providers::ProviderError& e) {
    throw provider_failure(e);
  }
  return db_.write([&](store::Tx& tx) {
    const auto at = now();
    if (agent.phone_number_id) store::numbers_repo::release(tx, company, *agent.phone_number_id, agent_id, at);
    if (!commit_status(tx, agent, domain::AgentStatus::archived, at))
      throw ApiError::invalid_state("The agent changed status meanwhile");
    // Its campaigns can dial no one any more (platform.md section 7).
    call_flow::cancel_campaigns_of_agent(tx, company, agent_id, at);
    return *store::agents_repo::find(tx, company, agent_id);
  });
}

}  // namespace cxco::services
