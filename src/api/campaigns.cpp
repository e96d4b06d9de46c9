// Campaigns and their recipients (platform.md section 7), User Key. Recipients come as JSON or,
// when appended, as CSV; one 422 names every bad recipient by its index or CSV row.
#include <unordered_map>

#include "api/api.h"
#include "api/input.h"
#include "wire/csv.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

// The most recipients one request may carry (platform.md section 7).
constexpr std::size_t kMaxRecipients = 100000;

// Reads recipients one by one; a number seen earlier in the same request is an error at the later one.
class RecipientReader {
 public:
  void read(wire::FieldReader& r, std::vector<domain::NewRecipient>& out) {
    const auto number = r.e164("phone_number", kRequired);
    domain::NewRecipient recipient;
    recipient.timezone = r.time_zone("timezone", kOptional);
    recipient.external_id = r.string("external_id", kOptional, 255);
    recipient.dynamic_variables_json = read_dynamic_variables(r);
    if (!number) return;
    const auto [earlier, fresh] = seen_.emplace(*number, r.loc("phone_number"));
    if (!fresh) {
      std::string where;
      for (const auto& part : earlier->second) where += (where.empty() ? "" : ".") + part;
      r.error("phone_number", "Duplicate phone number (first at " + where + ")", "value_error");
      return;
    }
    recipient.phone_number = *number;
    out.push_back(std::move(recipient));
  }

 private:
  std::unordered_map<std::string, std::vector<std::string>> seen_;
};

std::vector<domain::NewRecipient> read_json_recipients(Input& in, wire::Presence presence) {
  std::vector<domain::NewRecipient> out;
  const auto* list = in.array("recipients", presence);
  if (!list) return out;
  if (list->size() > kMaxRecipients) {
    in.error("recipients", "At most " + std::to_string(kMaxRecipients) + " recipients a request", "too_long");
    return out;
  }
  out.reserve(list->size());
  RecipientReader reader;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = in.element("recipients", i, (*list)[i]);
    if (item.object()) reader.read(item, out);
  }
  return out;
}

// A CSV body: phone_number (required), timezone, external_id; every other column a dynamic
// variable (string values; an empty cell sets none). Each row is read as the JSON recipient it
// stands for, with the row number as its location.
std::vector<domain::NewRecipient> read_csv_recipients(const std::string& body, std::vector<FieldError>& errors,
                                                      std::vector<std::size_t>& row_numbers) {
  const auto table = wire::parse_csv(body, errors);
  const auto& columns = table.header.fields;
  if (std::find(columns.begin(), columns.end(), "phone_number") == columns.end()) {
    errors.push_back({{"body", std::to_string(std::max<std::size_t>(table.header.number, 1)), "phone_number"},
                      "The header row needs a phone_number column",
                      "missing"});
    return {};
  }
  if (table.rows.size() > kMaxRecipients) {
    errors.push_back({{"body"}, "At most " + std::to_string(kMaxRecipients) + " recipients a request", "too_long"});
    return {};
  }
  std::vector<domain::NewRecipient> out;
  out.reserve(table.rows.size());
  RecipientReader reader;
  for (const auto& row : table.rows) {
    boost::json::object recipient, variables;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (row.fields[c].empty()) continue;
      if (columns[c] == "phone_number" || columns[c] == "timezone" || columns[c] == "external_id")
        recipient[columns[c]] = row.fields[c];
      else
        variables[columns[c]] = row.fields[c];
    }
    if (!variables.empty()) recipient["dynamic_variables"] = std::move(variables);
    wire::FieldReader r(&recipient, {"body", std::to_string(row.number)}, errors);
    reader.read(r, out);
    row_numbers.push_back(row.number);
  }
  return out;
}

std::optional<domain::CallingWindow> read_window(wire::FieldReader& w) {
  domain::CallingWindow window;
  const auto* days = w.array("days", kRequired);
  if (days && days->empty()) w.error("days", "List should have at least 1 item", "too_short");
  for (std::size_t d = 0; days && d < days->size(); ++d) {
    const auto& day = (*days)[d];
    const auto weekday = day.is_string() ? domain::weekday_of(day.get_string()) : std::nullopt;
    auto at = w.loc("days");
    at.push_back(std::to_string(d));
    if (!weekday)
      w.error(at, "Input should be one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'", "enum");
    else
      window.days |= 1u << *weekday;
  }
  auto clock = [&](std::string_view key) -> std::optional<int> {
    const auto text = w.string(key, kRequired, 5);
    if (!text) return std::nullopt;
    const auto minutes = domain::parse_clock(*text);
    if (!minutes) w.error(key, "Input should be a time HH:MM from 00:00 to 24:00", "value_error");
    return minutes;
  };
  const auto start = clock("start");
  const auto end = clock("end");
  if (!start || !end) return std::nullopt;
  if (*start >= *end) {
    w.error("end", "end must be later than start; a window never crosses midnight (use two)", "value_error");
    return std::nullopt;
  }
  window.start_minute = *start;
  window.end_minute = *end;
  return window;
}

domain::NewCampaign read_campaign(Input& in) {
  domain::NewCampaign c;
  const auto name = in.string("name", kRequired, 255);
  const auto agent_id = in.integer("agent_id", kRequired, 1);
  c.timezone = in.time_zone("timezone", kOptional).value_or("UTC");
  c.start_at_ms = in.timestamp_ms("start_at", kOptional);
  if (const auto* windows = in.array("calling_windows")) {
    for (std::size_t i = 0; i < windows->size(); ++i) {
      auto w = in.element("calling_windows", i, (*windows)[i]);
      if (!w.object()) continue;
      if (const auto window = read_window(w)) c.calling_windows.push_back(*window);
    }
  }
  c.max_concurrency = in.integer("max_concurrency", kOptional, 1, 100).value_or(5);
  auto retry = in.object("retry");
  c.retry.max_attempts = retry.integer("max_attempts", kOptional, 1, 10).value_or(c.retry.max_attempts);
  c.retry.backoff_seconds = retry.integer("backoff_seconds", kOptional, 1, 86400).value_or(c.retry.backoff_seconds);
  if (const auto* on = retry.array("on")) {
    c.retry.on.clear();
    for (std::size_t i = 0; i < on->size(); ++i) {
      const auto& item = (*on)[i];
      // Outcomes a call can be retried after: not completed, and only what a placed call ends as.
      const auto outcome = item.is_string() ? domain::parse_call_status(item.get_string()) : std::nullopt;
      if (outcome && domain::is_outcome(*outcome) && *outcome != domain::CallStatus::completed) {
        if (std::find(c.retry.on.begin(), c.retry.on.end(), *outcome) == c.retry.on.end())
          c.retry.on.push_back(*outcome);
        continue;
      }
      auto at = retry.loc("on");
      at.push_back(std::to_string(i));
      retry.error(at, "Input should be one of 'busy', 'no_answer', 'voicemail', 'failed'", "enum");
    }
  }
  c.recipients = read_json_recipients(in, kOptional);
  in.check();
  c.name = *name;
  c.agent_id = *agent_id;
  return c;
}

http::Response create_campaign(Call& call) {
  auto in = Input::body(call.request);
  return json_response(
      201, call.services.campaigns.create(call.principal.company, call.principal.grant.agents, read_campaign(in)));
}

http::Response add_recipients(Call& call) {
  const auto id = id_param(call.request, "campaign_id");
  const auto content_type = call.request.header("content-type").value_or("");
  std::vector<domain::NewRecipient> recipients;
  services::RecipientsLocation where;
  if (content_type.starts_with("text/csv")) {
    std::vector<FieldError> errors;
    where.loc = {"body"};
    recipients = read_csv_recipients(call.request.body, errors, where.numbers);
    if (!errors.empty()) throw ApiError::validation(std::move(errors));
  } else {
    auto in = Input::body(call.request);
    recipients = read_json_recipients(in, kRequired);
    in.check();
    where.loc = {"body", "recipients"};
  }
  return json_response(200, wire::RecipientsAdded{call.services.campaigns.add_recipients(
                                call.principal.company, call.principal.grant.agents, id, recipients, where)});
}

http::Response list_campaigns(Call& call) {
  auto q = Input::query(call.request);
  const auto page = read_page(q);
  q.check();
  return json_response(200, call.services.campaigns.list(call.principal.company, call.principal.grant.agents, page));
}

http::Response get_campaign(Call& call) {
  return json_response(200, call.services.campaigns.get(call.principal.company, call.principal.grant.agents,
                                                        id_param(call.request, "campaign_id")));
}

// POST /api/campaigns/{id}/pause, /resume and /cancel.
template <domain::CampaignAction action>
http::Response change_campaign(Call& call) {
  return json_response(200, call.services.campaigns.change(call.principal.company, call.principal.grant.agents,
                                                           id_param(call.request, "campaign_id"), action));
}

http::Response list_recipients(Call& call) {
  const auto id = id_param(call.request, "campaign_id");
  auto q = Input::query(call.request);
  const auto status =
      q.one_of("status", kOptional, {"pending", "in_progress", "completed", "failed", "skipped", "canceled"});
  const auto page = read_page(q);
  q.check();
  return json_response(
      200, call.services.campaigns.recipients(call.principal.company, call.principal.grant.agents, id,
                                              status ? domain::parse_recipient_status(*status) : std::nullopt, page));
}

}  // namespace

void add_campaign_routes(Routes& routes) {
  routes.add("POST", "/api/campaigns/",
             {.access = Access::user, .handler = create_campaign, .body_limit = kUploadBodyLimit});
  routes.add("GET", "/api/campaigns/", {Access::user, list_campaigns});
  routes.add("GET", "/api/campaigns/{campaign_id}", {Access::user, get_campaign});
  routes.add("POST", "/api/campaigns/{campaign_id}/pause",
             {Access::user, change_campaign<domain::CampaignAction::pause>});
  routes.add("POST", "/api/campaigns/{campaign_id}/resume",
             {Access::user, change_campaign<domain::CampaignAction::resume>});
  routes.add("POST", "/api/campaigns/{campaign_id}/cancel",
             {Access::user, change_campaign<domain::CampaignAction::cancel>});
  routes.add("POST", "/api/campaigns/{campaign_id}/recipients",
             {.access = Access::user, .handler = add_recipients, .body_limit = kUploadBodyLimit});
  routes.add("GET", "/api/campaigns/{campaign_id}/recipients", {Access::user, list_recipients});
}

}  // namespace cxco::api
