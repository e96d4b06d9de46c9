-- Named keys with scopes (platform.md section 9) live beside company and user keys, so one
-- indexed lookup still finds any key. SQLite cannot change a CHECK constraint in place: the
-- table is rebuilt, keeping its ids and its id sequence (audit rows name keys by id).
CREATE TABLE api_keys_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_hash TEXT NOT NULL UNIQUE,
  key_type TEXT NOT NULL CHECK (key_type IN ('company', 'user', 'scoped')),
  company_id INTEGER NOT NULL REFERENCES companies(id),
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  name TEXT,
  prefix TEXT,
  scopes TEXT,
  agent_ids TEXT,
  expires_at TEXT,
  last_used_at TEXT,
  CHECK (key_type <> 'scoped' OR (name IS NOT NULL AND prefix IS NOT NULL AND scopes IS NOT NULL))
);
INSERT INTO api_keys_new (id, key_hash, key_type, company_id, user_id, created_at, revoked_at)
  SELECT id, key_hash, key_type, company_id, user_id, created_at, revoked_at FROM api_keys;
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'api_keys'), 0))
  WHERE name = 'api_keys_new';
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
CREATE INDEX api_keys_company ON api_keys (company_id);

-- Quotas the platform operator sets; NULL is unlimited.
ALTER TABLE companies ADD COLUMN max_active_agents INTEGER;
ALTER TABLE companies ADD COLUMN max_concurrent_calls INTEGER;
ALTER TABLE companies ADD COLUMN monthly_voice_minutes INTEGER;
ALTER TABLE companies ADD COLUMN monthly_outbound_calls INTEGER;

-- One row per changing request answered 2xx, written in the transaction that made the change.
-- company_id is NULL for the operator's changes to the platform itself (voices, the number
-- pool). key_id names no foreign key: the log outlives the keys of deleted users.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER REFERENCES companies(id),
  created_at TEXT NOT NULL,
  key_id INTEGER,
  key_type TEXT NOT NULL,
  user_id INTEGER,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  status INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  ip TEXT
);
CREATE INDEX audit_log_company ON audit_log (company_id, id);
CREATE INDEX audit_log_company_resource ON audit_log (company_id, resource_type, id);
CREATE INDEX audit_log_company_key ON audit_log (company_id, key_id, id);
CREATE INDEX audit_log_created ON audit_log (created_at);
