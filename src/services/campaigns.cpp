#include "services/campaigns.h"

#include "domain/errors.h"
#include "services/call_flow.h"
#include "store/agents_repo.h"
#include "store/audit_repo.h"
#include "store/calls_repo.h"
#include "store/campaigns_repo.h"

namespace cxco::services {

namespace {

domain::Campaign found(std::optional<domain::Campaign> campaign, const domain::AgentScope& visible) {
  if (!campaign || !visible.allows(campaign->agent_id)) throw ApiError::not_found("Campaign not found");
  return std::move(*campaign);
}

// 422 naming every recipient whose number the campaign has already.
void refuse_known_numbers(store::Tx& tx, std::int64_t campaign_id, const std::vector<domain::NewRecipient>& recipients,
                          const RecipientsLocation& where) {
  const auto known = store::campaigns_repo::phone_numbers(tx, campaign_id);
  if (known.empty()) return;
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (!known.contains(recipients[i].phone_number)) continue;
    auto loc = where.loc;
    loc.push_back(std::to_string(where.numbers.empty() ? i : where.numbers[i]));
    loc.emplace_back("phone_number");
    errors.push_back({std::move(loc), "The campaign already calls this number", "value_error"});
  }
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
}

}  // namespace

domain::Campaign Campaigns::create(domain::CompanyId company, const domain::AgentScope& visible,
                                   const domain::NewCampaign& c) {
  const auto id = db_.write([&](store::Tx& tx) {
    const auto agent = store::agents_repo::find(tx, company, c.agent_id);
    if (!agent || !visible.allows(agent->id)) throw ApiError::not_found("Agent not found");
    if (agent->status != domain::AgentStatus::active)
      throw ApiError::invalid_state("A campaign needs an active agent (status is " +
                                    std::string(domain::to_string(agent->status)) + ")");
    const auto now_ms = clock_.now_ms();
    const auto now = util::iso8601(now_ms / 1000);
    const auto start_ms = c.start_at_ms.value_or(now_ms);
    const auto id = store::campaigns_repo::insert(tx, company, c, start_ms, now);
    store::campaigns_repo::insert_recipients(tx, id, c.recipients, c.timezone, start_ms);
    call_flow::wake_campaign(tx, id, start_ms, now);
    store::audit_repo::record(tx, company, "campaign", id, now);
    return id;
  });
  return get(company, visible, id);
}

std::int64_t Campaigns::add_recipients(domain::CompanyId company, const domain::AgentScope& visible,
                                       std::int64_t campaign_id, const std::vector<domain::NewRecipient>& recipients,
                                       const RecipientsLocation& where) {
  db_.write([&](store::Tx& tx) {
    const auto campaign = found(store::campaigns_repo::lock_owned(tx, company, campaign_id), visible);
    if (domain::has_ended(campaign.status))
      throw ApiError::invalid_state("Recipients cannot be added to a campaign that has ended (status is " +
                                    std::string(domain::to_string(campaign.status)) + ")");
    refuse_known_numbers(tx, campaign_id, recipients, where);
    const auto now_ms = clock_.now_ms();
    store::campaigns_repo::insert_recipients(tx, campaign_id, recipients, campaign.timezone,
                                             std::max(now_ms, campaign.start_at_ms));
    const auto now = util::iso8601(now_ms / 1000);
    if (campaign.status != domain::CampaignStatus::paused) call_flow::wake_campaign(tx, campaign_id, now_ms, now);
    store::audit_repo::record(tx, company, "campaign", campaign_id, now);
  });
  return static_cast<std::int64_t>(recipients.size());
}

domain::Campaign Campaigns::get(domain::CompanyId company, const domain::AgentScope& visible,
                                std::int64_t campaign_id) {
  return db_.read([&](store::Tx& tx) {
    auto campaign = found(store::campaigns_repo::find(tx, company, campaign_id), visible);
    campaign.usage = store::calls_repo::campaign_usage(tx, company, campaign_id);
    return campaign;
  });
}

domain::Page<domain::Campaign> Campaigns::list(domain::CompanyId company, const domain::AgentScope& visible,
                                               const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) {
    auto campaigns = store::campaigns_repo::list(tx, company, visible, page);
    for (auto& c : campaigns) c.usage = store::calls_repo::campaign_usage(tx, company, c.id);
    return campaigns;
  }),
                         page.limit);
}

domain::Campaign Campaigns::change(domain::CompanyId company, const domain::AgentScope& visible,
                                   std::int64_t campaign_id, domain::CampaignAction action) {
  db_.write([&](store::Tx& tx) {
    const auto campaign = found(store::campaigns_repo::lock_owned(tx, company, campaign_id), visible);
    const auto now_ms = clock_.now_ms();
    const auto to = domain::transition(campaign.status, action, now_ms >= campaign.start_at_ms);
    if (!to) throw ApiError::invalid_state(domain::refusal(campaign.status, action));
    const auto now = util::iso8601(now_ms / 1000);
    store::audit_repo::record(tx, company, "campaign", campaign_id, now);
    if (action == domain::CampaignAction::cancel) {
      call_flow::cancel_campaign(tx, campaign, now);
      return;
    }
    call_flow::change_campaign(tx, campaign, *to, now);
    // A paused campaign's dialer stops by itself; a resumed one starts again now.
    if (action == domain::CampaignAction::resume) call_flow::wake_campaign(tx, campaign_id, now_ms, now);
  });
  return get(company, visible, campaign_id);
}

domain::Page<domain::Recipient> Campaigns::recipients(domain::CompanyId company, const domain::AgentScope& visible,
                                                      std::int64_t campaign_id,
                                                      std::optional<domain::RecipientStatus> status,
                                                      const domain::PageRequest& page) {
  return domain::page_of(db_.read([&](store::Tx& tx) {
    found(store::campaigns_repo::find(tx, company, campaign_id), visible);
    auto rows = store::campaigns_repo::list_recipients(tx, campaign_id, status, page);
    std::vector<std::int64_t> ids;
    ids.reserve(rows.size());
    for (const auto& r : rows) ids.push_back(r.id);
    auto calls = store::calls_repo::ids_by_recipient(tx, ids);
    for (auto& r : rows) r.call_ids = std::move(calls[r.id]);
    return rows;
  }),
                         page.limit);
}

}  // namespace cxco::services
