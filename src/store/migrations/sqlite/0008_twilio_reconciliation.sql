-- Twilio numbers are imported at the voice provider with the Twilio account that owns them: a
-- company stores that account's credentials like any provider's (docs/providers.md).
INSERT INTO providers (id, slug, name, type, status) VALUES
 (5, 'twilio', 'Twilio', 'telephony', 'active');

-- How far the scheduled reconciler (services/reconciler.h) has settled each source's
-- conversations: every finished conversation that started before settled_before_unix is
-- stored, so the next run lists only from there, however long the nodes were down.
CREATE TABLE reconciliation_state (
  source TEXT PRIMARY KEY,
  settled_before_unix BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);
