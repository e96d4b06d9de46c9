-- Outbound calls, campaigns and the do-not-call list (platform.md section 7). Times the dialer
-- schedules by are kept as unix milliseconds beside their ISO-8601 text.
CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'canceled')),
  timezone TEXT NOT NULL,
  start_at TEXT NOT NULL,
  start_at_ms BIGINT NOT NULL,
  calling_windows TEXT NOT NULL DEFAULT '[]',
  max_concurrency INTEGER NOT NULL,
  retry_max_attempts INTEGER NOT NULL,
  retry_backoff_seconds BIGINT NOT NULL,
  retry_on TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX campaigns_company ON campaigns (company_id, id);
CREATE INDEX campaigns_agent ON campaigns (agent_id, status);

-- One row per number a campaign calls; `attempts` counts the calls made to it so far.
CREATE TABLE campaign_recipients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  phone_number TEXT NOT NULL,
  timezone TEXT NOT NULL,
  external_id TEXT,
  dynamic_variables TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'skipped', 'canceled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_outcome TEXT,
  next_attempt_at_ms BIGINT NOT NULL,
  UNIQUE (campaign_id, phone_number)
);
CREATE INDEX campaign_recipients_due ON campaign_recipients (campaign_id, status, next_attempt_at_ms, id);
CREATE INDEX campaign_recipients_page ON campaign_recipients (campaign_id, id);

-- One row per dial. `status` includes the internal `dialing` (recorded before the provider is
-- asked to call, so a node that dies meanwhile leaves a call that is settled from the provider,
-- never dialed again). The unique (recipient_id, attempt) is the guard against a second dial of
-- one attempt; `dial_token` names the call at the provider (its conversation's user_id).
CREATE TABLE calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  campaign_id BIGINT REFERENCES campaigns(id),
  recipient_id BIGINT REFERENCES campaign_recipients(id),
  from_number TEXT,
  to_number TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'dialing', 'initiated', 'in_progress', 'completed', 'failed',
                                         'no_answer', 'busy', 'voicemail', 'canceled')),
  end_reason TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  dial_token TEXT NOT NULL UNIQUE,
  dial_started_ms BIGINT,
  external_conversation_id TEXT,
  conversation_id BIGINT REFERENCES conversations(id),
  dynamic_variables TEXT NOT NULL DEFAULT '{}',
  first_message TEXT,
  metadata TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT
);
CREATE INDEX calls_company ON calls (company_id, id);
CREATE INDEX calls_campaign_status ON calls (campaign_id, status);
CREATE UNIQUE INDEX calls_recipient_attempt ON calls (recipient_id, attempt);
CREATE UNIQUE INDEX calls_external ON calls (external_conversation_id);

CREATE TABLE do_not_call (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  phone_number TEXT NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (company_id, phone_number)
);

-- Outbound calls counted apart in the usage rollups.
ALTER TABLE usage_daily ADD COLUMN outbound_conversations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN outbound_duration_seconds BIGINT NOT NULL DEFAULT 0;
