// The one table of decisions for every route that takes a key (platform.md section 9): the
// scope a scoped key needs to call it, and for changing routes the status a success answers,
// which its audit row records. Api checks it against the routes at start: a route without a
// row, or a row without a route, stops the server from starting.
#include "api/api.h"

namespace cxco::api {

namespace {

using domain::Scope;

constexpr ScopeRule needs(Scope scope) { return {ScopeRule::Kind::needs, scope, false}; }
// Also refused to keys limited to some agents.
constexpr ScopeRule needs_every_agent(Scope scope) { return {ScopeRule::Kind::needs, scope, true}; }
constexpr ScopeRule kNoScope{};

}  // namespace

const std::vector<RoutePolicy>& route_policies() {
  static const std::vector<RoutePolicy> policies = {
      // The operator's API takes the admin key only.
      {"POST", "/api/admin/companies", kNoScope, 201},
      {"POST", "/api/admin/companies/{id}/rotate-key", kNoScope, 200},
      {"PUT", "/api/admin/companies/{id}/quotas", kNoScope, 200},
      {"POST", "/api/admin/phone-numbers", kNoScope, 201},
      {"GET", "/api/admin/phone-numbers", kNoScope},
      {"POST", "/api/admin/voices", kNoScope, 201},

      {"GET", "/api/companies/{company_id}", kNoScope},
      {"PUT", "/api/companies/{company_id}", kNoScope, 200},
      {"GET", "/api/companies/{company_id}/usage", needs(Scope::usage_read)},

      {"POST", "/api/users/", needs(Scope::users_write), 201},
      {"GET", "/api/users/me", kNoScope},
      {"GET", "/api/users/{user_id}", needs(Scope::users_read)},
      {"PUT", "/api/users/{user_id}", needs(Scope::users_write), 200},
      {"DELETE", "/api/users/{user_id}", needs(Scope::users_write), 204},

      {"GET", "/api/voices/", needs(Scope::agents_read)},
      {"GET", "/api/voices/{voice_id}", needs(Scope::agents_read)},
      {"GET", "/api/phone-numbers/available", needs(Scope::agents_read)},
      {"GET", "/api/phone-numbers/", needs(Scope::agents_read)},
      {"POST", "/api/phone-numbers/{phone_number_id}/enable-whatsapp", needs(Scope::agents_write), 200},
      {"GET", "/api/phone-numbers/{phone_number_id}/whatsapp-status", needs(Scope::agents_read)},

      {"POST", "/api/agents/", needs_every_agent(Scope::agents_write), 201},
      {"GET", "/api/agents/", needs(Scope::agents_read)},
      {"GET", "/api/agents/{agent_id}", needs(Scope::agents_read)},
      {"PUT", "/api/agents/{agent_id}", needs(Scope::agents_write), 200},
      {"DELETE", "/api/agents/{agent_id}", needs(Scope::agents_write), 200},
      {"POST", "/api/agents/{agent_id}/publish", needs(Scope::agents_write), 200},
      {"POST", "/api/agents/{agent_id}/pause", needs(Scope::agents_write), 200},
      {"POST", "/api/agents/{agent_id}/resume", needs(Scope::agents_write), 200},
      {"GET", "/api/agents/{agent_id}/conversations", needs(Scope::conversations_read)},
      {"GET", "/api/agents/{agent_id}/usage", needs(Scope::usage_read)},

      {"GET", "/api/conversations/", needs(Scope::conversations_read)},
      {"GET", "/api/conversations/export", needs(Scope::conversations_read)},
      {"GET", "/api/conversations/{conversation_id}", needs(Scope::conversations_read)},
      {"GET", "/api/conversations/{conversation_id}/audio", needs(Scope::conversations_read)},
      {"POST", "/api/conversations/{conversation_id}/analyze", needs(Scope::conversations_write), 200},

      {"POST", "/api/calls/", needs(Scope::calls_write), 201},
      {"GET", "/api/calls/", needs(Scope::calls_read)},
      {"GET", "/api/calls/{call_id}", needs(Scope::calls_read)},
      {"POST", "/api/calls/{call_id}/cancel", needs(Scope::calls_write), 200},
      // The do-not-call list is the company's, whatever agents a key is limited to.
      {"GET", "/api/do-not-call/", needs(Scope::calls_read)},
      {"POST", "/api/do-not-call/", needs(Scope::calls_write), 201},
      {"DELETE", "/api/do-not-call/{phone_number}", needs(Scope::calls_write), 204},

      {"POST", "/api/campaigns/", needs(Scope::campaigns_write), 201},
      {"GET", "/api/campaigns/", needs(Scope::campaigns_read)},
      {"GET", "/api/campaigns/{campaign_id}", needs(Scope::campaigns_read)},
      {"POST", "/api/campaigns/{campaign_id}/pause", needs(Scope::campaigns_write), 200},
      {"POST", "/api/campaigns/{campaign_id}/resume", needs(Scope::campaigns_write), 200},
      {"POST", "/api/campaigns/{campaign_id}/cancel", needs(Scope::campaigns_write), 200},
      {"POST", "/api/campaigns/{campaign_id}/recipients", needs(Scope::campaigns_write), 200},
      {"GET", "/api/campaigns/{campaign_id}/recipients", needs(Scope::campaigns_read)},

      {"GET", "/api/usage/summary", needs(Scope::usage_read)},
      {"GET", "/api/usage/daily", needs(Scope::usage_read)},
      {"GET", "/api/usage/analysis", needs(Scope::usage_read)},

      {"GET", "/api/webhooks/", needs(Scope::webhooks_read)},
      {"POST", "/api/webhooks/", needs(Scope::webhooks_write), 201},
      {"PUT", "/api/webhooks/{webhook_id}", needs(Scope::webhooks_write), 200},
      {"DELETE", "/api/webhooks/{webhook_id}", needs(Scope::webhooks_write), 204},
      {"GET", "/api/webhooks/{webhook_id}/deliveries", needs(Scope::webhooks_read)},
      {"POST", "/api/webhooks/{webhook_id}/test", needs(Scope::webhooks_write), 202},

      // Listing providers is part of managing their credentials: there is no providers:read.
      {"GET", "/api/providers/", needs(Scope::providers_write)},
      {"POST", "/api/providers/{slug}/credentials", needs(Scope::providers_write), 201},
      {"DELETE", "/api/providers/{slug}/credentials", needs(Scope::providers_write), 204},

      {"POST", "/api/keys/", needs(Scope::keys_write), 201},
      {"GET", "/api/keys/", needs(Scope::keys_write)},
      {"DELETE", "/api/keys/{key_id}", needs(Scope::keys_write), 204},

      {"GET", "/api/audit-log", needs(Scope::audit_read)},
  };
  return policies;
}

}  // namespace cxco::api
