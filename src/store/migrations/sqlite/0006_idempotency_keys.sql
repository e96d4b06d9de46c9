-- Idempotency-Key on POST: the first answer to (scope, key) is kept for 24 hours and replayed.
-- status is NULL while the first request is still running.
CREATE TABLE idempotency_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER,
  response_body TEXT,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (scope, idem_key)
);
