// Agents: the list, create and edit (voice picker with previews, analysis settings where the
// server has them), and the lifecycle: publish, pause, resume, archive, with the API's own
// words when it refuses (no numbers available, a quota, a step not allowed from this status).
import { useEffect, useState } from 'preact/hooks';
import { get, post, put, del } from './api.js';
import { features } from './features.js';
import { Badge, ErrorBox, Notice, Loading, usePaged, MoreButton, href, navigate, fmtDate, ScrollTable } from './ui.jsx';

const COUNTRIES = ['ZA', 'US', 'GB'];

export function AgentsPage({ route }) {
  const parts = route.path.split('/').filter(Boolean);
  if (parts[1] === 'new') return <AgentForm />;
  if (parts[1] && parts[2] === 'edit') return <AgentForm id={parts[1]} />;
  return <AgentList status={route.params.status || ''} />;
}

function AgentList({ status }) {
  const paged = usePaged('/api/agents/', { status }, [status]);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [country, setCountry] = useState({});
  const [busy, setBusy] = useState(null);

  const act = async (agent, action) => {
    setError(null);
    setNotice(null);
    if (action === 'archive' && !confirm(`Archive "${agent.name}"? Its number goes back to the pool; this cannot be undone.`)) return;
    setBusy(`${agent.id}:${action}`);
    try {
      if (action === 'archive') await del(`/api/agents/${agent.id}`);
      else if (action === 'publish') await post(`/api/agents/${agent.id}/publish`, { country_code: country[agent.id] || 'ZA' });
      else await post(`/api/agents/${agent.id}/${action}`, {});
      setNotice(`${agent.name}: ${action === 'archive' ? 'archived' : `${action}${action.endsWith('e') ? 'd' : 'ed'}`}.`);
      paged.reload();
    } catch (err) {
      err.message = `${agent.name}: ${err.message}`;
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <h1>Agents</h1>
      <div class="row">
        <label>
          Status
          <select value={status} onChange={(e) => navigate('/agents', { status: e.currentTarget.value })}>
            <option value="">any</option>
            {['draft', 'active', 'paused', 'archived'].map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <a class="button" href={href('/agents/new')}>
          New agent
        </a>
      </div>
      <div aria-live="polite">
        <Notice>{notice}</Notice>
        <ErrorBox error={error || paged.error} />
      </div>
      {paged.loading && paged.items.length === 0 ? (
        <Loading what="agents" />
      ) : paged.items.length === 0 ? (
        <p>No agents yet. Create one to give it a personality and a voice, then publish it to get a number.</p>
      ) : (
        <ScrollTable>
          <caption>Agents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Voice</th>
              <th scope="col">Number</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((a) => (
              <tr key={a.id} data-agent-id={a.id}>
                <th scope="row">
                  <a href={href(`/agents/${a.id}/edit`)}>{a.name}</a>
                  <div class="muted">
                    #{a.id} · {a.language} · updated {fmtDate(a.updated_at)}
                  </div>
                </th>
                <td>
                  <Badge value={a.status} />
                </td>
                <td>{a.voice ? a.voice.name : '—'}</td>
                <td>{a.phone_number ? a.phone_number.number : '—'}</td>
                <td>
                  <div class="actions">
                    {a.status === 'draft' && (
                      <>
                        <label class="inline">
                          <span class="sr-only">Country of the number for {a.name}</span>
                          <select
                            value={country[a.id] || 'ZA'}
                            onChange={(e) => setCountry({ ...country, [a.id]: e.currentTarget.value })}
                          >
                            {COUNTRIES.map((c) => (
                              <option value={c}>{c}</option>
                            ))}
                          </select>
                        </label>
                        <button type="button" disabled={!!busy} onClick={() => act(a, 'publish')}>
                          Publish <span class="sr-only">{a.name}</span>
                        </button>
                      </>
                    )}
                    {a.status === 'active' && (
                      <button type="button" class="secondary" disabled={!!busy} onClick={() => act(a, 'pause')}>
                        Pause <span class="sr-only">{a.name}</span>
                      </button>
                    )}
                    {a.status === 'paused' && (
                      <button type="button" disabled={!!busy} onClick={() => act(a, 'resume')}>
                        Resume <span class="sr-only">{a.name}</span>
                      </button>
                    )}
                    {a.status !== 'archived' && (
                      <button type="button" class="danger" disabled={!!busy} onClick={() => act(a, 'archive')}>
                        Archive <span class="sr-only">{a.name}</span>
                      </button>
                    )}
                    <a href={href('/conversations', { agent_id: a.id })}>
                      Conversations <span class="sr-only">of {a.name}</span>
                    </a>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <MoreButton paged={paged} what="agents" />
    </>
  );
}

// A preview plays only from this server: the console asks nothing of other hosts (and its
// Content-Security-Policy would stop it). Elsewhere, the link opens it in a new tab.
function VoicePreview({ voice }) {
  if (!voice || !voice.preview_url) return <p class="hint">This voice has no preview.</p>;
  let url;
  try {
    url = new URL(voice.preview_url, location.href);
  } catch {
    return null;
  }
  if (url.origin === location.origin)
    return (
      <audio controls preload="none" src={url.href} aria-label={`Preview of ${voice.name}`}>
        <a href={url.href}>Preview of {voice.name}</a>
      </audio>
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return (
    <p class="hint">
      <a href={url.href} target="_blank" rel="noopener noreferrer">
        Play the preview of {voice.name}
      </a>{' '}
      (opens the provider's page in a new tab)
    </p>
  );
}

const EMPTY = {
  name: '',
  personality: '',
  opening_line: '',
  voice_id: '',
  language: 'en',
  temperature: '0.7',
  max_call_duration_seconds: '600',
  criteria: [],
  data_fields: [],
};

const ID_RE = /^[a-z][a-z0-9_]{0,63}$/;

function AgentForm({ id }) {
  const [form, setForm] = useState(EMPTY);
  const [voices, setVoices] = useState([]);
  const [feat, setFeat] = useState({});
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState(null);

  useEffect(() => {
    Promise.all([get('/api/voices/'), features(), id ? get(`/api/agents/${id}`) : null])
      .then(([v, f, agent]) => {
        setVoices(v.filter((x) => x.status === 'active'));
        setFeat(f);
        if (agent) {
          setStatus(agent.status);
          const a = agent.analysis || {};
          setForm({
            name: agent.name,
            personality: agent.personality,
            opening_line: agent.opening_line,
            voice_id: agent.voice ? String(agent.voice.id) : '',
            language: agent.language,
            temperature: agent.config && agent.config.temperature != null ? String(agent.config.temperature) : '',
            max_call_duration_seconds:
              agent.config && agent.config.max_call_duration_seconds != null ? String(agent.config.max_call_duration_seconds) : '',
            criteria: (a.criteria || []).map((c) => ({ ...c })),
            data_fields: (a.data_fields || []).map((d) => ({ ...d, enum: (d.enum || []).join(', ') })),
          });
        } else if (v.length) {
          setForm((f0) => ({ ...f0, voice_id: String(v[0].id) }));
        }
      }, setError)
      .finally(() => setLoading(false));
  }, [id]);

  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const voice = voices.find((v) => String(v.id) === form.voice_id);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const config = {};
    if (form.temperature !== '') config.temperature = Number(form.temperature);
    if (form.max_call_duration_seconds !== '') config.max_call_duration_seconds = Number(form.max_call_duration_seconds);
    const body = {
      name: form.name,
      personality: form.personality,
      opening_line: form.opening_line,
      voice_id: Number(form.voice_id),
      language: form.language,
      config,
    };
    if (feat.analysis) {
      body.analysis = {
        criteria: form.criteria.map(({ id: cid, name, prompt }) => ({ id: cid, name, prompt })),
        data_fields: form.data_fields.map((d) => {
          const out = { id: d.id, type: d.type, description: d.description };
          const values = String(d.enum || '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          if (values.length) out.enum = values;
          return out;
        }),
      };
    }
    try {
      const saved = id ? await put(`/api/agents/${id}`, body) : await post('/api/agents/', body);
      navigate('/agents', {});
      return saved;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (loading) return <Loading what="the agent" />;
  return (
    <>
      <h1>{id ? `Edit agent #${id}` : 'New agent'}</h1>
      {status && (
        <p>
          Status: <Badge value={status} />
          {status !== 'draft' && <span class="hint"> Saving also updates the agent at the voice provider.</span>}
        </p>
      )}
      <form class="stack" onSubmit={submit}>
        <label>
          Name
          <input name="name" required maxLength={255} value={form.name} onInput={set('name')} />
        </label>
        <label>
          Personality
          <span class="hint">The system prompt: who the agent is, what it knows, how it speaks.</span>
          <textarea name="personality" required rows={6} value={form.personality} onInput={set('personality')} />
        </label>
        <label>
          Opening line
          <input name="opening_line" required value={form.opening_line} onInput={set('opening_line')} />
        </label>
        <fieldset>
          <legend>Voice and preview</legend>
          <label>
            Voice
            <select name="voice_id" required value={form.voice_id} onChange={set('voice_id')}>
              {voices.map((v) => (
                <option value={String(v.id)}>
                  {v.name} — {[v.gender, v.accent, v.language].filter(Boolean).join(', ')}
                </option>
              ))}
            </select>
          </label>
          <VoicePreview voice={voice} />
        </fieldset>
        <div class="row">
          <label>
            Language
            <input name="language" required pattern="[a-z]{2}" maxLength={2} size={4} value={form.language} onInput={set('language')} />
          </label>
          <label>
            Temperature
            <input name="temperature" type="number" min="0" max="2" step="0.1" value={form.temperature} onInput={set('temperature')} />
          </label>
          <label>
            Longest call (seconds)
            <input
              name="max_call_duration_seconds"
              type="number"
              min="10"
              max="7200"
              step="1"
              value={form.max_call_duration_seconds}
              onInput={set('max_call_duration_seconds')}
            />
          </label>
        </div>
        {feat.analysis ? (
          <AnalysisEditor form={form} setForm={setForm} />
        ) : (
          <p class="hint">Analysis settings (success criteria, data to collect) need a server with conversation analysis.</p>
        )}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {id ? 'Save agent' : 'Create draft agent'}
          </button>
          <a href={href('/agents')}>Cancel</a>
        </div>
      </form>
    </>
  );
}

// Criteria (judged success/failure/unknown per conversation) and data fields (values pulled
// out of each conversation), as platform.md section 8 describes them.
function AnalysisEditor({ form, setForm }) {
  const update = (list, i, k, v) => {
    const next = form[list].map((x, j) => (j === i ? { ...x, [k]: v } : x));
    setForm({ ...form, [list]: next });
  };
  const remove = (list, i) => setForm({ ...form, [list]: form[list].filter((_, j) => j !== i) });
  const idHint = (v) => (v && !ID_RE.test(v) ? 'Lower-case letters, digits and _; starts with a letter.' : null);
  return (
    <fieldset>
      <legend>Analysis</legend>
      <h3 id="criteria-title">Success criteria</h3>
      {form.criteria.map((c, i) => (
        <div class="panel stack" key={i} role="group" aria-label={`Criterion ${i + 1}`}>
          <div class="row">
            <label>
              Id
              <input value={c.id} required pattern="[a-z][a-z0-9_]{0,63}" onInput={(e) => update('criteria', i, 'id', e.currentTarget.value)} />
              {idHint(c.id) && <span class="hint">{idHint(c.id)}</span>}
            </label>
            <label>
              Name
              <input value={c.name} required onInput={(e) => update('criteria', i, 'name', e.currentTarget.value)} />
            </label>
          </div>
          <label>
            Prompt
            <textarea rows={2} value={c.prompt} required onInput={(e) => update('criteria', i, 'prompt', e.currentTarget.value)} />
          </label>
          <div class="actions">
            <button type="button" class="danger" onClick={() => remove('criteria', i)}>
              Remove criterion {c.id || i + 1}
            </button>
          </div>
        </div>
      ))}
      <button
        type="button"
        class="secondary"
        disabled={form.criteria.length >= 20}
        onClick={() => setForm({ ...form, criteria: [...form.criteria, { id: '', name: '', prompt: '' }] })}
      >
        Add criterion
      </button>
      <h3>Data to collect</h3>
      {form.data_fields.map((d, i) => (
        <div class="panel stack" key={i} role="group" aria-label={`Data field ${i + 1}`}>
          <div class="row">
            <label>
              Id
              <input value={d.id} required pattern="[a-z][a-z0-9_]{0,63}" onInput={(e) => update('data_fields', i, 'id', e.currentTarget.value)} />
            </label>
            <label>
              Type
              <select value={d.type} onChange={(e) => update('data_fields', i, 'type', e.currentTarget.value)}>
                {['string', 'boolean', 'integer', 'number'].map((t) => (
                  <option value={t}>{t}</option>
                ))}
              </select>
            </label>
          </div>
          <label>
            Description
            <input value={d.description} required onInput={(e) => update('data_fields', i, 'description', e.currentTarget.value)} />
          </label>
          <label>
            Allowed values (optional, comma-separated)
            <input value={d.enum} onInput={(e) => update('data_fields', i, 'enum', e.currentTarget.value)} />
          </label>
          <div class="actions">
            <button type="button" class="danger" onClick={() => remove('data_fields', i)}>
              Remove field {d.id || i + 1}
            </button>
          </div>
        </div>
      ))}
      <button
        type="button"
        class="secondary"
        disabled={form.data_fields.length >= 30}
        onClick={() =>
          setForm({ ...form, data_fields: [...form.data_fields, { id: '', type: 'string', description: '', enum: '' }] })
        }
      >
        Add data field
      </button>
    </fieldset>
  );
}
