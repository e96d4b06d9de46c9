-- Conversation analysis, search and export (platform.md section 8).

-- An agent's criteria and data fields: {"criteria": [...], "data_fields": [...]}.
ALTER TABLE agents ADD COLUMN analysis TEXT NOT NULL DEFAULT '{"criteria":[],"data_fields":[]}';

-- A conversation's results as the detail shows them ({"criteria", "data"}); NULL before any
-- analysis. The filterable parts are kept again, row by row, below.
ALTER TABLE conversations ADD COLUMN analysis TEXT;
CREATE INDEX conversations_company_started ON conversations (company_id, started_at, id);
CREATE INDEX conversations_company_caller ON conversations (company_id, caller_number, id);

CREATE TABLE conversation_criteria (
  conversation_id BIGINT NOT NULL REFERENCES conversations(id),
  company_id BIGINT NOT NULL,
  criterion_id TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('success', 'failure', 'unknown')),
  PRIMARY KEY (conversation_id, criterion_id)
);
CREATE INDEX conversation_criteria_lookup ON conversation_criteria (company_id, criterion_id, result, conversation_id);

-- value_text: a string as it is, a boolean as true/false, a number as written; value_number
-- for numbers only.
CREATE TABLE conversation_data (
  conversation_id BIGINT NOT NULL REFERENCES conversations(id),
  company_id BIGINT NOT NULL,
  field_id TEXT NOT NULL,
  value_text TEXT,
  value_number DOUBLE PRECISION,
  PRIMARY KEY (conversation_id, field_id)
);
CREATE INDEX conversation_data_text ON conversation_data (company_id, field_id, value_text, conversation_id);
CREATE INDEX conversation_data_number ON conversation_data (company_id, field_id, value_number, conversation_id);

-- Full-text search over each conversation's summary and messages; rowid = conversations.id.
-- Written in the transaction that stores or extends the conversation.
CREATE VIRTUAL TABLE conversations_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');

-- Analysis outcomes per UTC day of the conversation's start, kept in the transaction that
-- stores each analysis: kind 'criterion' (item = criterion id, value = its result), 'value'
-- (a boolean or string field's value), 'number' (value = '', with sum, min and max).
CREATE TABLE analysis_daily (
  company_id BIGINT NOT NULL REFERENCES companies(id),
  day TEXT NOT NULL,
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  kind TEXT NOT NULL CHECK (kind IN ('criterion', 'value', 'number')),
  item TEXT NOT NULL,
  value TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  total DOUBLE PRECISION NOT NULL DEFAULT 0,
  min_value DOUBLE PRECISION,
  max_value DOUBLE PRECISION,
  PRIMARY KEY (company_id, day, agent_id, kind, item, value)
) WITHOUT ROWID;

-- The same by UTC month (YYYY-MM), upserted beside the daily row: a year's answer reads twelve
-- months and at most two partial months of days.
CREATE TABLE analysis_monthly (
  company_id BIGINT NOT NULL REFERENCES companies(id),
  month TEXT NOT NULL,
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  kind TEXT NOT NULL CHECK (kind IN ('criterion', 'value', 'number')),
  item TEXT NOT NULL,
  value TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  total DOUBLE PRECISION NOT NULL DEFAULT 0,
  min_value DOUBLE PRECISION,
  max_value DOUBLE PRECISION,
  PRIMARY KEY (company_id, month, agent_id, kind, item, value)
) WITHOUT ROWID;
