#include "services/agents.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "domain/errors.h"
#include "services/credentials.h"
#include "services/events.h"
#include "util/log.h"
#include "util/time.h"

namespace cxco::services {

namespace json = boost::json;

namespace {

constexpr const char* kAgentSelect =
    "SELECT a.id, a.company_id, a.name, a.personality, a.opening_line, a.voice_id, v.name AS voice_name, "
    "v.external_voice_id, a.language, a.status, a.voice_enabled, a.whatsapp_enabled, a.external_agent_id, "
    "a.phone_number_id, p.number AS pn_number, p.whatsapp_status AS pn_whatsapp_status, "
    "p.external_number_id AS pn_external_id, a.config, a.created_at, a.updated_at "
    "FROM agents a JOIN voices v ON v.id = a.voice_id LEFT JOIN phone_numbers p ON p.id = a.phone_number_id";

bool is_live(const std::string& status) { return status == "active" || status == "paused"; }

json::object agent_json(const store::Row& r) {
  const std::string status = r.str("status");
  json::object o;
  o["id"] = r.i64("id");
  o["company_id"] = r.i64("company_id");
  o["name"] = r.str("name");
  o["personality"] = r.str("personality");
  o["opening_line"] = r.str("opening_line");
  o["voice"] = json::object{{"id", r.i64("voice_id")}, {"name", r.str("voice_name")}};
  o["language"] = r.str("language");
  o["status"] = status;
  o["voice_enabled"] = r.boolean("voice_enabled");
  o["whatsapp_enabled"] = r.boolean("whatsapp_enabled");
  const auto external = r.opt_str("external_agent_id");
  o["external_agent_id"] = external && is_live(status) ? json::value(*external) : json::value(nullptr);
  // A number reserved by a publish still in progress is not shown until the agent is live.
  if (is_live(status) && !r.is_null("phone_number_id")) {
    const std::string wa = r.str("pn_whatsapp_status");
    o["phone_number"] = json::object{{"id", r.i64("phone_number_id")},
                                     {"number", r.str("pn_number")},
                                     {"voice_enabled", true},
                                     {"whatsapp_enabled", wa == "active"},
                                     {"whatsapp_status", wa}};
  } else {
    o["phone_number"] = nullptr;
  }
  o["config"] = json::parse(r.str("config"));
  o["created_at"] = r.str("created_at");
  o["updated_at"] = r.str("updated_at");
  return o;
}

// What the lifecycle steps need to know about an agent.
struct AgentState {
  std::int64_t id = 0;
  std::string status;
  std::optional<std::string> external_agent_id;
  std::optional<std::int64_t> phone_number_id;
  std::optional<std::string> external_number_id;
  std::string number;
  providers::AgentSpec spec;
  json::object row_json;
};

AgentState state_of(const store::Row& r) {
  AgentState s;
  s.id = r.i64("id");
  s.status = r.str("status");
  s.external_agent_id = r.opt_str("external_agent_id");
  s.phone_number_id = r.opt_i64("phone_number_id");
  s.external_number_id = r.opt_str("pn_external_id");
  s.number = r.str("pn_number");
  s.spec.name = r.str("name");
  s.spec.prompt = r.str("personality");
  s.spec.first_message = r.str("opening_line");
  s.spec.language = r.str("language");
  s.spec.voice_id = r.str("external_voice_id");
  const auto config = json::parse(r.str("config")).as_object();
  s.spec.temperature = config.at("temperature").to_number<double>();
  s.spec.max_duration_seconds = static_cast<int>(config.at("max_call_duration_seconds").to_number<std::int64_t>());
  s.row_json = agent_json(r);
  return s;
}

std::optional<AgentState> load(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id) {
  const auto row = tx.one(std::string(kAgentSelect) + " WHERE a.company_id = ? AND a.id = ?", {company_id, agent_id});
  if (!row) return std::nullopt;
  return state_of(*row);
}

AgentState load_or_404(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id) {
  auto s = app.db.read([&](store::Tx& tx) { return load(tx, company_id, agent_id); });
  if (!s) throw ApiError::not_found("Agent not found");
  return *s;
}

ApiError provider_failure(const providers::ProviderError& e) {
  util::log_warn("voice provider call failed", {{"operation", e.operation}, {"status", std::to_string(e.status)},
                                                {"error", e.what()}});
  return ApiError::provider("The voice provider failed (" + e.operation +
                            (e.status ? ", HTTP " + std::to_string(e.status) : std::string()) +
                            "); nothing was changed, try again");
}

// Undo steps must not hide the original failure; a provider object already gone is fine.
template <class F>
void best_effort(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    util::log_error("could not undo a provider step; clean up by hand", {{"step", what}, {"error", e.what()}});
  }
}

template <class F>
void ignoring_not_found(F&& f) {
  try {
    f();
  } catch (const providers::ProviderError& e) {
    if (e.status != 404) throw;
  }
}

void change_status(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id, const std::string& from,
                   const std::string& to, const std::string& now) {
  emit_event(tx, company_id, "agent.status_changed",
             json::object{{"agent_id", agent_id}, {"previous_status", from}, {"status", to}}, now);
}

void check_voice(store::Tx& tx, std::int64_t voice_id) {
  if (!tx.one("SELECT id FROM voices WHERE id = ? AND status = 'active'", {voice_id}))
    throw ApiError::validation({FieldError{{"body", "voice_id"}, "voice_id must name an active voice", "value_error"}});
}

json::object reload(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id) {
  auto a = app.db.read([&](store::Tx& tx) { return find_agent(tx, company_id, agent_id); });
  if (!a) throw ApiError::not_found("Agent not found");
  return *a;
}

}  // namespace

std::string voice_api_key(api::AppContext& app, std::int64_t company_id) {
  const auto stored = find_credentials(app, company_id, "elevenlabs");
  return stored ? std::string(stored->at("api_key").as_string()) : app.config.elevenlabs_api_key;
}

std::optional<json::object> find_agent(store::Tx& tx, std::int64_t company_id, std::int64_t agent_id) {
  const auto row = tx.one(std::string(kAgentSelect) + " WHERE a.company_id = ? AND a.id = ?", {company_id, agent_id});
  if (!row) return std::nullopt;
  return agent_json(*row);
}

json::array list_agents(store::Tx& tx, std::int64_t company_id, const std::optional<std::string>& status,
                        std::optional<std::int64_t> before_id, std::int64_t limit) {
  std::string sql = std::string(kAgentSelect) + " WHERE a.company_id = ?";
  store::Params params{company_id};
  if (status) sql += " AND a.status = ?", params.emplace_back(*status);
  if (before_id) sql += " AND a.id < ?", params.emplace_back(*before_id);
  sql += " ORDER BY a.id DESC LIMIT ?";
  params.emplace_back(limit);
  json::array out;
  for (const auto& row : tx.query(sql, params).rows) out.push_back(agent_json(row));
  return out;
}

json::object create_agent(api::AppContext& app, std::int64_t company_id, const AgentFields& f) {
  const json::object config{{"temperature", f.temperature.value_or(0.7)},
                            {"max_call_duration_seconds", f.max_call_duration_seconds.value_or(600)}};
  return app.db.write([&](store::Tx& tx) {
    check_voice(tx, *f.voice_id);
    const auto now = app.now_iso();
    const auto id = tx.insert(
        "INSERT INTO agents (company_id, name, personality, opening_line, voice_id, language, status, config, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id",
        {company_id, *f.name, *f.personality, *f.opening_line, *f.voice_id, f.language.value_or("en"),
         json::serialize(config), now, now});
    return *find_agent(tx, company_id, id);
  });
}

json::object update_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id, const AgentFields& f) {
  const auto before = load_or_404(app, company_id, agent_id);
  if (before.status == "archived") throw ApiError::invalid_state("An archived agent cannot be changed");

  providers::AgentSpec spec = before.spec;
  if (f.name) spec.name = *f.name;
  if (f.personality) spec.prompt = *f.personality;
  if (f.opening_line) spec.first_message = *f.opening_line;
  if (f.language) spec.language = *f.language;
  if (f.temperature) spec.temperature = *f.temperature;
  if (f.max_call_duration_seconds) spec.max_duration_seconds = static_cast<int>(*f.max_call_duration_seconds);
  if (f.voice_id) {
    auto external = app.db.read([&](store::Tx& tx) {
      check_voice(tx, *f.voice_id);
      return tx.one("SELECT external_voice_id FROM voices WHERE id = ?", {*f.voice_id})->str("external_voice_id");
    });
    spec.voice_id = external;
  }

  const bool at_provider = is_live(before.status) && before.external_agent_id;
  const auto key = voice_api_key(app, company_id);
  if (at_provider) {
    try {
      app.voice->update_agent(key, *before.external_agent_id, spec);
    } catch (const providers::ProviderError& e) {
      throw provider_failure(e);
    }
  }
  try {
    return app.db.write([&](store::Tx& tx) {
      const auto now = app.now_iso();
      const json::object config{{"temperature", spec.temperature},
                                {"max_call_duration_seconds", static_cast<std::int64_t>(spec.max_duration_seconds)}};
      tx.exec(
          "UPDATE agents SET name = ?, personality = ?, opening_line = ?, language = ?, voice_id = COALESCE(?, voice_id), "
          "config = ?, updated_at = ? WHERE id = ? AND company_id = ?",
          {spec.name, spec.prompt, spec.first_message, spec.language, store::opt(f.voice_id), json::serialize(config), now,
           agent_id, company_id});
      return *find_agent(tx, company_id, agent_id);
    });
  } catch (...) {
    if (at_provider)
      best_effort("restore provider agent", [&] { app.voice->update_agent(key, *before.external_agent_id, before.spec); });
    throw;
  }
}

int release_stale_reservations(api::AppContext& app) {
  // Three provider steps, each up to three tries of a 10 s timeout, fit well inside this.
  const auto cutoff = util::iso8601(app.clock.now() - 15 * 60);
  return app.db.write([&](store::Tx& tx) {
    const auto stale = tx.query(
        "SELECT a.id AS agent_id, p.id AS number_id FROM agents a JOIN phone_numbers p ON p.id = a.phone_number_id "
        "WHERE a.status = 'draft' AND p.agent_id = a.id AND p.updated_at < ?",
        {cutoff});
    for (const auto& row : stale.rows) {
      tx.exec(
          "UPDATE phone_numbers SET status = 'available', company_id = NULL, agent_id = NULL, external_number_id = NULL, "
          "updated_at = ? WHERE id = ?",
          {app.now_iso(), row.i64("number_id")});
      tx.exec("UPDATE agents SET phone_number_id = NULL WHERE id = ? AND status = 'draft'", {row.i64("agent_id")});
      util::log_warn("released a number reserved by a publish that never finished",
                     {{"agent_id", std::to_string(row.i64("agent_id"))}, {"phone_number_id", std::to_string(row.i64("number_id"))}});
    }
    return static_cast<int>(stale.rows.size());
  });
}

json::object publish_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id,
                           const std::string& country_code) {
  // The company's provider settings are read first: nothing is reserved if they cannot be.
  const auto key = voice_api_key(app, company_id);
  const auto trunk = sip_trunk_of(app, company_id);

  // 1. Reserve a number for the agent. The reservation (agent.phone_number_id on a draft) also
  //    stops a second publish of the same agent while this one talks to the provider.
  struct Reservation {
    AgentState agent;
    std::int64_t number_id;
    std::string number;
  };
  const auto reservation = app.db.write([&](store::Tx& tx) {
    auto found = load(tx, company_id, agent_id);
    if (!found) throw ApiError::not_found("Agent not found");
    auto agent = std::move(*found);
    if (agent.status != "draft") throw ApiError::invalid_state("Only a draft agent can be published (status is " + agent.status + ")");
    if (agent.phone_number_id) throw ApiError::invalid_state("This agent is already being published");
    // SKIP LOCKED: concurrent publishes each take a different free number instead of queueing on one.
    const auto free = tx.one(
        "SELECT id, number FROM phone_numbers WHERE status = 'available' AND country_code = ? ORDER BY id LIMIT 1" +
            std::string(tx.lock_rows_clause()),
        {country_code});
    if (!free) throw ApiError(409, "no_numbers_available", "No phone number is available in " + country_code);
    const auto now = app.now_iso();
    const auto taken = tx.exec(
        "UPDATE phone_numbers SET status = 'assigned', company_id = ?, agent_id = ?, updated_at = ? "
        "WHERE id = ? AND status = 'available'",
        {company_id, agent_id, now, free->i64("id")});
    if (taken != 1) throw store::DatabaseError("number taken concurrently", true);
    const auto claimed = tx.exec("UPDATE agents SET phone_number_id = ? WHERE id = ? AND status = 'draft' AND phone_number_id IS NULL",
                                 {free->i64("id"), agent_id});
    if (claimed != 1) throw ApiError::invalid_state("This agent is already being published");
    return Reservation{std::move(agent), free->i64("id"), free->str("number")};
  });

  // 2. Provider steps, each undone if a later one fails.
  std::optional<std::string> external_agent, external_number;
  auto undo = [&] {
    if (external_number) best_effort("delete provider number", [&] { app.voice->delete_number(key, *external_number); });
    if (external_agent) best_effort("delete provider agent", [&] { app.voice->delete_agent(key, *external_agent); });
    app.db.write([&](store::Tx& tx) {
      tx.exec(
          "UPDATE phone_numbers SET status = 'available', company_id = NULL, agent_id = NULL, external_number_id = NULL, "
          "updated_at = ? WHERE id = ? AND agent_id = ?",
          {app.now_iso(), reservation.number_id, agent_id});
      tx.exec("UPDATE agents SET phone_number_id = NULL WHERE id = ? AND status = 'draft'", {agent_id});
    });
  };
  try {
    external_agent = app.voice->create_agent(key, reservation.agent.spec);
    providers::NumberSpec number{reservation.number, "cxco agent " + std::to_string(agent_id), trunk};
    external_number = app.voice->import_number(key, number);
    app.voice->assign_agent(key, *external_number, *external_agent);
  } catch (const providers::ProviderError& e) {
    undo();
    throw provider_failure(e);
  }

  // 3. Commit: the agent is live, with its event.
  try {
    return app.db.write([&](store::Tx& tx) {
      const auto now = app.now_iso();
      tx.exec("UPDATE phone_numbers SET external_number_id = ?, updated_at = ? WHERE id = ?",
              {*external_number, now, reservation.number_id});
      tx.exec("UPDATE agents SET status = 'active', external_agent_id = ?, updated_at = ? WHERE id = ?",
              {*external_agent, now, agent_id});
      change_status(tx, company_id, agent_id, "draft", "active", now);
      return *find_agent(tx, company_id, agent_id);
    });
  } catch (...) {
    undo();
    throw;
  }
}

namespace {

// pause and resume: move the provider number's assignment, then the status, undoing the
// provider step if the status cannot be committed.
json::object toggle(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id, const std::string& from,
                    const std::string& to) {
  const auto agent = load_or_404(app, company_id, agent_id);
  if (agent.status != from)
    throw ApiError::invalid_state("Cannot " + std::string(to == "paused" ? "pause" : "resume") + " an agent that is " +
                                  agent.status);
  const auto key = voice_api_key(app, company_id);
  auto assign = [&](bool answering) {
    if (agent.external_number_id && agent.external_agent_id)
      app.voice->assign_agent(key, *agent.external_number_id,
                              answering ? std::optional<std::string>(*agent.external_agent_id) : std::nullopt);
  };
  try {
    assign(to == "active");
  } catch (const providers::ProviderError& e) {
    throw provider_failure(e);
  }
  try {
    return app.db.write([&](store::Tx& tx) {
      const auto now = app.now_iso();
      if (tx.exec("UPDATE agents SET status = ?, updated_at = ? WHERE id = ? AND company_id = ? AND status = ?",
                  {to, now, agent_id, company_id, from}) != 1)
        throw ApiError::invalid_state("The agent changed status meanwhile");
      change_status(tx, company_id, agent_id, from, to, now);
      return *find_agent(tx, company_id, agent_id);
    });
  } catch (...) {
    best_effort("restore provider number assignment", [&] { assign(from == "active"); });
    throw;
  }
}

}  // namespace

json::object pause_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id) {
  return toggle(app, company_id, agent_id, "active", "paused");
}

json::object resume_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id) {
  return toggle(app, company_id, agent_id, "paused", "active");
}

json::object archive_agent(api::AppContext& app, std::int64_t company_id, std::int64_t agent_id) {
  const auto agent = load_or_404(app, company_id, agent_id);
  if (agent.status == "archived") throw ApiError::invalid_state("The agent is already archived");
  if (agent.status == "draft" && agent.phone_number_id)
    throw ApiError::invalid_state("The agent is being published; try again in a moment");
  // Provider objects go first; deleting what is already gone counts as done, so an archive that
  // failed half-way at the provider can simply be retried.
  const auto key = voice_api_key(app, company_id);
  try {
    if (agent.external_number_id) ignoring_not_found([&] { app.voice->delete_number(key, *agent.external_number_id); });
    if (agent.external_agent_id) ignoring_not_found([&] { app.voice->delete_agent(key, *agent.external_agent_id); });
  } catch (const providers::ProviderError& e) {
    throw provider_failure(e);
  }
  app.db.write([&](store::Tx& tx) {
    const auto now = app.now_iso();
    if (agent.phone_number_id)
      tx.exec(
          "UPDATE phone_numbers SET status = 'available', company_id = NULL, agent_id = NULL, external_number_id = NULL, "
          "whatsapp_status = 'none', whatsapp_external_id = NULL, updated_at = ? WHERE id = ? AND agent_id = ?",
          {now, *agent.phone_number_id, agent_id});
    if (tx.exec("UPDATE agents SET status = 'archived', phone_number_id = NULL, whatsapp_enabled = 0, updated_at = ? "
                "WHERE id = ? AND company_id = ? AND status = ?",
                {now, agent_id, company_id, agent.status}) != 1)
      throw ApiError::invalid_state("The agent changed status meanwhile");
    change_status(tx, company_id, agent_id, agent.status, "archived", now);
  });
  return reload(app, company_id, agent_id);
}

}  // namespace cxco::services
