-- One row per provider conversation (voice) or WhatsApp thread. The provider's id is unique
-- per source, which is what makes replayed post-call webhooks idempotent.
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  channel TEXT NOT NULL CHECK (channel IN ('voice', 'whatsapp')),
  caller_number TEXT,
  direction TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  duration_seconds BIGINT,
  message_count BIGINT,
  status TEXT NOT NULL,
  call_successful INTEGER,
  sip_refer_destination TEXT,
  sip_refer_seconds BIGINT NOT NULL DEFAULT 0,
  transcript_summary TEXT,
  source TEXT NOT NULL,
  external_conversation_id TEXT,
  transcript TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX conversations_external ON conversations (source, external_conversation_id);
CREATE INDEX conversations_company ON conversations (company_id, id);
CREATE INDEX conversations_company_agent ON conversations (company_id, agent_id, id);
CREATE INDEX conversations_company_channel ON conversations (company_id, channel, id);

-- Daily usage rollups, updated in the transaction that stores each conversation, so usage
-- answers read O(days x agents) rows however many conversations exist. `day` is the UTC
-- day of started_at (YYYY-MM-DD).
CREATE TABLE usage_daily (
  company_id BIGINT NOT NULL REFERENCES companies(id),
  day TEXT NOT NULL,
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  channel TEXT NOT NULL CHECK (channel IN ('voice', 'whatsapp')),
  conversations BIGINT NOT NULL DEFAULT 0,
  duration_seconds BIGINT NOT NULL DEFAULT 0,
  sip_refer_seconds BIGINT NOT NULL DEFAULT 0,
  messages BIGINT NOT NULL DEFAULT 0,
  successful BIGINT NOT NULL DEFAULT 0,
  known_outcomes BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (company_id, day, agent_id, channel)
) WITHOUT ROWID;
CREATE INDEX usage_daily_agent ON usage_daily (company_id, agent_id, day);
