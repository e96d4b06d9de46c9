CREATE TABLE providers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  config TEXT
);
INSERT INTO providers (id, slug, name, type, status) VALUES
 (1, 'elevenlabs', 'ElevenLabs', 'voice_provider', 'active'),
 (2, 'sip_trunk', 'SIP Trunk Provider', 'sip_trunk', 'active'),
 (3, 'whatsapp', 'WhatsApp Business Cloud API', 'messaging', 'active'),
 (4, 'llm', 'OpenAI-compatible LLM', 'llm', 'active');

CREATE TABLE voices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_id BIGINT NOT NULL REFERENCES providers(id),
  external_voice_id TEXT NOT NULL,
  name TEXT NOT NULL,
  gender TEXT,
  accent TEXT,
  language TEXT NOT NULL,
  preview_url TEXT,
  tags TEXT,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (provider_id, external_voice_id)
);

CREATE TABLE phone_numbers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  number TEXT NOT NULL UNIQUE,
  provider_slug TEXT NOT NULL,
  country_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'assigned')),
  company_id BIGINT REFERENCES companies(id),
  agent_id BIGINT,
  external_number_id TEXT,
  whatsapp_status TEXT NOT NULL DEFAULT 'none',
  whatsapp_external_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX phone_numbers_pool ON phone_numbers (status, country_code, id);
CREATE INDEX phone_numbers_company ON phone_numbers (company_id, id);

CREATE TABLE agents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL,
  personality TEXT NOT NULL,
  opening_line TEXT NOT NULL,
  voice_id BIGINT NOT NULL REFERENCES voices(id),
  language TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'archived')),
  voice_enabled INTEGER NOT NULL DEFAULT 1,
  whatsapp_enabled INTEGER NOT NULL DEFAULT 0,
  external_agent_id TEXT UNIQUE,
  phone_number_id BIGINT REFERENCES phone_numbers(id),
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX agents_company ON agents (company_id, id);
CREATE INDEX agents_company_status ON agents (company_id, status, id);

-- The outbox: written in the same transaction as the change it reports; the webhook
-- dispatcher fans each undispatched event out to subscribed endpoints.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  company_id BIGINT NOT NULL REFERENCES companies(id),
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  dispatched_at TEXT
);
CREATE INDEX events_undispatched ON events (id) WHERE dispatched_at IS NULL;

-- The curated catalogue: ElevenLabs premade voices with their real ids and preview clips.
-- Voices whose high-quality base model is multilingual are also offered for other languages.
INSERT INTO voices (provider_id, external_voice_id, name, gender, accent, language, preview_url, tags, status, created_at, updated_at) VALUES
 (1, '21m00Tcm4TlvDq8ikWAM', 'Rachel', 'female', 'american', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/21m00Tcm4TlvDq8ikWAM/df6788f9-5c96-470d-8312-aab3b3d8f50a.mp3', '{"style":"conversational","tone":"calm","age":"young"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'EXAVITQu4vr4xnSDxMaL', 'Sarah', 'female', 'american', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/EXAVITQu4vr4xnSDxMaL/6851ec91-9950-471f-8586-357c52539069.mp3', '{"style":"news","tone":"soft","age":"young"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'ErXwobaYiN019PkySvjV', 'Antoni', 'male', 'american', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/ErXwobaYiN019PkySvjV/ee9ac367-91ee-4a56-818a-2bd1a9dbe83a.mp3', '{"style":"narration","tone":"well-rounded","age":"young"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'JBFqnCBsd6RMkjVDRZzb', 'George', 'male', 'british', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/JBFqnCBsd6RMkjVDRZzb/365e8ae8-5364-4b07-9a3b-1bfb4a390248.mp3', '{"style":"narration","tone":"raspy","age":"middle aged"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'MF3mGyEYCl7XYWbV9V6O', 'Elli', 'female', 'american', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/MF3mGyEYCl7XYWbV9V6O/d8ecadea-9e48-4e5d-868a-2ec3d7397861.mp3', '{"style":"narration","tone":"emotional","age":"young"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'IKne3meq5aSn9XLyUdCD', 'Charlie', 'male', 'australian', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/IKne3meq5aSn9XLyUdCD/102de6f2-22ed-43e0-a1f1-111fa75c5481.mp3', '{"style":"conversational","tone":"casual","age":"middle aged"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'D38z5RcWu1voky8WS1ja', 'Fin', 'male', 'irish', 'en', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/D38z5RcWu1voky8WS1ja/a470ba64-1e72-46d9-ba9d-030c4155e2d2.mp3', '{"style":"characters","tone":"sailor","age":"old"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'CYw3kZ02Hs0563khs1Fj', 'Dave', 'male', 'british-essex', 'es', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/CYw3kZ02Hs0563khs1Fj/872cb056-45d3-419e-b5c6-de2b387a93a0.mp3', '{"style":"conversational","tone":"friendly","age":"young","model":"eleven_multilingual"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'LcfcDJNUP1GQjkzn1xUU', 'Emily', 'female', 'american', 'es', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/LcfcDJNUP1GQjkzn1xUU/e4b994b7-9713-4238-84f3-add8fccaaccd.mp3', '{"style":"meditation","tone":"calm","age":"young","model":"eleven_multilingual"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'GBv7mTt0atIp3Br8iCZE', 'Thomas', 'male', 'american', 'fr', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/GBv7mTt0atIp3Br8iCZE/98542988-5267-4148-9a9e-baa8c4f14644.mp3', '{"style":"meditation","tone":"calm","age":"young","model":"eleven_multilingual"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'N2lVS1w4EtoT3dr4eOWO', 'Callum', 'male', 'american', 'de', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/N2lVS1w4EtoT3dr4eOWO/ac833bd8-ffda-4938-9ebc-b0f99ca25481.mp3', '{"style":"characters","tone":"hoarse","age":"middle aged","model":"eleven_multilingual"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
 (1, 'ODq5zmih8GrVes37Dizd', 'Patrick', 'male', 'american', 'af', 'https://storage.googleapis.com/eleven-public-prod/premade/voices/ODq5zmih8GrVes37Dizd/0ebec87a-2569-4976-9ea5-0170854411a9.mp3', '{"style":"characters","tone":"energetic","age":"middle aged","model":"eleven_multilingual"}', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
