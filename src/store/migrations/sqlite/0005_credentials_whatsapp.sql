-- A company's credentials for a provider, stored only as a Fernet token of their JSON. One set
-- per company and provider: replacing them means deleting, then storing anew.
CREATE TABLE provider_credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  provider_id BIGINT NOT NULL REFERENCES providers(id),
  credentials TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (company_id, provider_id)
);

-- One row per enable-whatsapp request, worked by the WhatsApp worker when next_check_at (unix
-- ms) is due. Claiming a check pushes next_check_at forward, so a check that dies half-way is
-- simply made again later.
CREATE TABLE whatsapp_verifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  phone_number_id BIGINT NOT NULL REFERENCES phone_numbers(id),
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'failed', 'cancelled')),
  external_id TEXT,
  registered INTEGER NOT NULL DEFAULT 0,
  checks INTEGER NOT NULL DEFAULT 0,
  next_check_at BIGINT NOT NULL,
  give_up_at BIGINT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX whatsapp_verifications_due ON whatsapp_verifications (status, next_check_at);
CREATE INDEX whatsapp_verifications_number ON whatsapp_verifications (company_id, phone_number_id, id);

-- Inbound notifications name the number by its Cloud API phone-number id.
CREATE INDEX phone_numbers_whatsapp ON phone_numbers (whatsapp_external_id);

-- The threading state of each WhatsApp conversation: the number and customer it belongs to,
-- and its first and latest message (unix ms) for the 24-hour rule.
CREATE TABLE whatsapp_threads (
  conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id),
  company_id BIGINT NOT NULL REFERENCES companies(id),
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  phone_number_id BIGINT NOT NULL REFERENCES phone_numbers(id),
  customer TEXT NOT NULL,
  is_open INTEGER NOT NULL DEFAULT 1,
  started_ms BIGINT NOT NULL,
  last_message_ms BIGINT NOT NULL
);
CREATE INDEX whatsapp_threads_customer ON whatsapp_threads (phone_number_id, customer, is_open);
CREATE INDEX whatsapp_threads_idle ON whatsapp_threads (is_open, last_message_ms);

-- Every WhatsApp message in and out. The Cloud API's message id is unique, which makes
-- redelivered notifications idempotent and lets status callbacks find their message.
-- reply_to_id ties an answer to the message it answers, which orders the history the LLM reads.
CREATE TABLE whatsapp_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  conversation_id BIGINT NOT NULL REFERENCES conversations(id),
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  external_message_id TEXT NOT NULL UNIQUE,
  reply_to_id BIGINT REFERENCES whatsapp_messages(id),
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  status_at BIGINT,
  status_errors TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX whatsapp_messages_conversation ON whatsapp_messages (conversation_id, id);

-- The reply queue: one job per inbound message its agent should answer, committed with the
-- message, so a failing LLM or Cloud API loses nothing. The written reply is kept, so a retried
-- send does not ask the LLM again. Jobs of one conversation run in order.
CREATE TABLE whatsapp_replies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  conversation_id BIGINT NOT NULL REFERENCES conversations(id),
  message_id BIGINT NOT NULL REFERENCES whatsapp_messages(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  reply TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX whatsapp_replies_due ON whatsapp_replies (status, next_attempt_at);
CREATE INDEX whatsapp_replies_conversation ON whatsapp_replies (conversation_id, id);
