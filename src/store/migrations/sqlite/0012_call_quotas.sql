-- What the call quotas count (platform.md section 9): a company's calls not yet ended, and the
-- calls it created this month.
CREATE INDEX calls_company_status ON calls (company_id, status);
CREATE INDEX calls_company_created ON calls (company_id, created_at);
