-- Monthly usage rollups beside the daily ones (docs/performance.md, "Usage and ingestion"):
-- added to in the same transaction as usage_daily, so a usage answer over a year reads the
-- whole months here and only the partial months at its edges from usage_daily: about
-- (12 + 62 / 30) x agents rows instead of 365 x agents. `month` is the first UTC day of
-- the month (YYYY-MM-01) of started_at; the primary key leads with the company and the month,
-- so a range sum is one ordered scan of the key with every figure in the row.
CREATE TABLE usage_monthly (
  company_id BIGINT NOT NULL REFERENCES companies(id),
  month TEXT NOT NULL,
  agent_id BIGINT NOT NULL REFERENCES agents(id),
  channel TEXT NOT NULL CHECK (channel IN ('voice', 'whatsapp')),
  conversations BIGINT NOT NULL DEFAULT 0,
  duration_seconds BIGINT NOT NULL DEFAULT 0,
  sip_refer_seconds BIGINT NOT NULL DEFAULT 0,
  messages BIGINT NOT NULL DEFAULT 0,
  successful BIGINT NOT NULL DEFAULT 0,
  known_outcomes BIGINT NOT NULL DEFAULT 0,
  outbound_conversations BIGINT NOT NULL DEFAULT 0,
  outbound_duration_seconds BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (company_id, month, agent_id, channel)
) WITHOUT ROWID;

-- The months of every usage already stored.
INSERT INTO usage_monthly (company_id, month, agent_id, channel, conversations, duration_seconds, sip_refer_seconds,
                           messages, successful, known_outcomes, outbound_conversations, outbound_duration_seconds)
SELECT company_id, substr(day, 1, 8) || '01', agent_id, channel, SUM(conversations), SUM(duration_seconds),
       SUM(sip_refer_seconds), SUM(messages), SUM(successful), SUM(known_outcomes), SUM(outbound_conversations),
       SUM(outbound_duration_seconds)
FROM usage_daily
GROUP BY company_id, substr(day, 1, 8) || '01', agent_id, channel;
