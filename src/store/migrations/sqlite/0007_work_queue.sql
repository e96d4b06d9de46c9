-- The one work queue of every background job (store/work_queue.h): a row per piece of work
-- still to do, pointing at the row it works on. Scheduling moves here from the tables of the
-- webhook dispatcher and the WhatsApp worker, which keep only their own history.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  ref_id BIGINT NOT NULL,
  group_key TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at BIGINT NOT NULL,
  lease_token TEXT,
  leased_until BIGINT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (queue, ref_id)
);
CREATE INDEX jobs_due ON jobs (queue, run_at, id);
CREATE INDEX jobs_group ON jobs (queue, group_key, id);

INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at)
  SELECT 'webhook_delivery', id, CAST(webhook_id AS TEXT), attempts, next_attempt_at, created_at
  FROM webhook_deliveries WHERE status = 'pending';
INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at)
  SELECT 'whatsapp_reply', id, CAST(conversation_id AS TEXT), attempts, next_attempt_at, created_at
  FROM whatsapp_replies WHERE status = 'pending';
INSERT INTO jobs (queue, ref_id, group_key, attempts, run_at, created_at)
  SELECT 'whatsapp_verification', id, '', 0, next_check_at, created_at
  FROM whatsapp_verifications WHERE status = 'pending';

DROP INDEX webhook_deliveries_due;
ALTER TABLE webhook_deliveries DROP COLUMN next_attempt_at;
ALTER TABLE webhook_deliveries DROP COLUMN claimed_until;
DROP INDEX whatsapp_replies_due;
ALTER TABLE whatsapp_replies DROP COLUMN next_attempt_at;
DROP INDEX whatsapp_verifications_due;
ALTER TABLE whatsapp_verifications DROP COLUMN next_check_at;
