// What the HTTP API calls: one instance of each service, built once by the composition root
// (src/app/). Each service owns its transactions; handlers never see the database.
#pragma once

#include "services/accounts.h"
#include "services/agents.h"
#include "services/audit_log.h"
#include "services/calls.h"
#include "services/campaigns.h"
#include "services/catalog.h"
#include "services/conversations.h"
#include "services/credentials.h"
#include "services/idempotency.h"
#include "services/keys.h"
#include "services/operations.h"
#include "services/usage.h"
#include "services/webhooks.h"
#include "services/whatsapp.h"

namespace cxco::services {

struct Services {
  Accounts& accounts;
  Keys& keys;
  AuditLog& audit_log;
  Catalog& catalog;
  Credentials& credentials;
  Agents& agents;
  Conversations& conversations;
  Usage& usage;
  Webhooks& webhooks;
  WhatsApp& whatsapp;
  Idempotency& idempotency;
  Operations& operations;
  Calls& calls;
  Campaigns& campaigns;
};

}  // namespace cxco::services
