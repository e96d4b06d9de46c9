// Conversations: the list with the filters this server has (and full-text search where it has
// it), one conversation's transcript with its analysis, and the call's recording. Transcripts
// are the customer's words: they are rendered as text, never as markup.
import { useEffect, useState } from 'preact/hooks';
import { get, post, api, all } from './api.js';
import { features } from './features.js';
import { Badge, ErrorBox, Loading, usePaged, MoreButton, href, navigate, fmtDate, fmtDuration, useLoad, ScrollTable } from './ui.jsx';

export function ConversationsPage({ route }) {
  const parts = route.path.split('/').filter(Boolean);
  if (parts[1]) return <ConversationDetail id={parts[1]} />;
  return <ConversationList params={route.params} />;
}

// Filters shown when the server's list takes them (platform.md section 8); agent and channel
// are in the reference and always there.
const OPTIONAL_FILTERS = [
  { name: 'status', label: 'Status', options: ['completed', 'failed', 'in_progress'] },
  { name: 'direction', label: 'Direction', options: ['inbound', 'outbound'] },
  { name: 'start_date', label: 'From', type: 'date' },
  { name: 'end_date', label: 'To', type: 'date' },
  { name: 'caller_number', label: 'Caller number', type: 'tel' },
  { name: 'campaign_id', label: 'Campaign id', type: 'number' },
];

const FILTER_KEYS = ['agent_id', 'channel', 'q', 'criteria', 'data', ...OPTIONAL_FILTERS.map((f) => f.name)];

function ConversationList({ params }) {
  const [feat, setFeat] = useState(null);
  const agents = useLoad(() => all('/api/agents/', {}, 500), []);
  useEffect(() => {
    features().then(setFeat);
  }, []);
  const filters = {};
  for (const k of FILTER_KEYS) if (params[k]) filters[k] = params[k];
  const paged = usePaged('/api/conversations/', filters, []);
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const agentName = (id) => {
    const a = (agents.data || []).find((x) => x.id === id);
    return a ? a.name : `#${id}`;
  };
  const apply = (e) => {
    e.preventDefault();
    navigate('/conversations', draft);
  };
  const set = (k) => (e) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const has = (name) => feat && feat.filters && feat.filters.has(name);
  // The criterion and data field ids of the company's agents, offered as choices in the filters.
  const known = { criteria: [], data: [] };
  for (const a of agents.data || []) {
    for (const c of (a.analysis && a.analysis.criteria) || []) if (!known.criteria.includes(c.id)) known.criteria.push(c.id);
    for (const d of (a.analysis && a.analysis.data_fields) || []) if (!known.data.includes(d.id)) known.data.push(d.id);
  }

  return (
    <>
      <h1>Conversations</h1>
      <form class="panel" onSubmit={apply} role="search" aria-label="Filter conversations">
        <div class="row">
          {feat && feat.search && (
            <label>
              Search transcripts
              <input type="search" name="q" value={draft.q || ''} onInput={set('q')} placeholder="words in transcripts and summaries" />
            </label>
          )}
          <label>
            Agent
            <select name="agent_id" value={draft.agent_id || ''} onChange={set('agent_id')}>
              <option value="">any</option>
              {(agents.data || []).map((a) => (
                <option value={String(a.id)}>{a.name}</option>
              ))}
            </select>
          </label>
          <label>
            Channel
            <select name="channel" value={draft.channel || ''} onChange={set('channel')}>
              <option value="">any</option>
              <option value="voice">voice</option>
              <option value="whatsapp">whatsapp</option>
            </select>
          </label>
          {OPTIONAL_FILTERS.filter((f) => has(f.name)).map((f) => (
            <label key={f.name}>
              {f.label}
              {f.options ? (
                <select name={f.name} value={draft[f.name] || ''} onChange={set(f.name)}>
                  <option value="">any</option>
                  {f.options.map((o) => (
                    <option value={o}>{o.replace('_', ' ')}</option>
                  ))}
                </select>
              ) : (
                <input name={f.name} type={f.type} value={draft[f.name] || ''} onInput={set(f.name)} />
              )}
            </label>
          ))}
          {has('criteria') && (
            <label>
              Criterion result
              <span class="hint">criterion id:success, failure or unknown</span>
              <input
                name="criteria"
                list="criteria-choices"
                value={draft.criteria || ''}
                onInput={set('criteria')}
                placeholder="booked:success"
                pattern="[a-z][a-z0-9_]{0,63}:(success|failure|unknown)"
              />
              <datalist id="criteria-choices">
                {known.criteria.flatMap((id) => ['success', 'failure', 'unknown'].map((r) => <option value={`${id}:${r}`} />))}
              </datalist>
            </label>
          )}
          {has('data') && (
            <label>
              Collected data
              <span class="hint">field id:eq, neq, gt, gte, lt or lte:value, or field id:exists</span>
              <input
                name="data"
                list="data-choices"
                value={draft.data || ''}
                onInput={set('data')}
                placeholder="plan:eq:pro"
                pattern="[a-z][a-z0-9_]{0,63}:(exists|(eq|neq|gt|gte|lt|lte):.*)"
              />
              <datalist id="data-choices">
                {known.data.flatMap((id) => [<option value={`${id}:eq:`} />, <option value={`${id}:exists`} />])}
              </datalist>
            </label>
          )}
        </div>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={() => navigate('/conversations', {})}>
            Clear
          </button>
          {feat && feat.export && <ExportButtons filters={filters} />}
        </div>
      </form>
      <div aria-live="polite">
        <ErrorBox error={paged.error} />
      </div>
      {paged.loading && paged.items.length === 0 ? (
        <Loading what="conversations" />
      ) : paged.items.length === 0 ? (
        <p>No conversations match. Calls and chats appear here when they end.</p>
      ) : (
        <ScrollTable>
          <caption>Conversations, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Agent</th>
              <th scope="col">Caller</th>
              <th scope="col">Channel</th>
              <th scope="col" class="num">
                Length
              </th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((c) => (
              <tr key={c.id} data-conversation-id={c.id}>
                <td>
                  <a href={href(`/conversations/${c.id}`)}>{fmtDate(c.started_at)}</a>
                </td>
                <td>{agentName(c.agent_id)}</td>
                <td class="nowrap">{c.caller_number || '—'}</td>
                <td>
                  {c.channel} · {c.direction}
                </td>
                <td class="num">{fmtDuration(c.duration_seconds)}</td>
                <td>
                  <Badge value={c.status} />
                </td>
                <td>
                  <Outcome value={c.call_successful} />
                </td>
                <td>{c.transcript_summary || ''}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <MoreButton paged={paged} what="conversations" />
    </>
  );
}

function Outcome({ value }) {
  if (value === true) return <Badge value="success" />;
  if (value === false) return <Badge value="failure" />;
  return <Badge value="unknown" />;
}

// The export streams with the key in a header, so it is fetched here and saved from a blob.
function ExportButtons({ filters }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const download = async (format) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api('GET', '/api/conversations/export', { params: { ...filters, format }, raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `conversations.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="secondary" disabled={busy} onClick={() => download('csv')}>
        Export CSV
      </button>
      <button type="button" class="secondary" disabled={busy} onClick={() => download('jsonl')}>
        Export JSONL
      </button>
      <ErrorBox error={error} />
    </>
  );
}

// The recording needs the key header, which an <audio src> cannot send: fetched as a blob and
// played from an object URL, released when the view goes.
function AudioPlayer({ id }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  const [state, setState] = useState('loading');
  useEffect(() => {
    let objectUrl = null;
    let live = true;
    api('GET', `/api/conversations/${id}/audio`, { raw: true })
      .then((res) => res.blob())
      .then((blob) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
        setState('ready');
      })
      .catch((err) => {
        if (!live) return;
        setState(err.status === 404 ? 'none' : 'error');
        setError(err);
      });
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [id]);
  if (state === 'loading') return <p class="muted">Loading the recording…</p>;
  if (state === 'none') return <p class="muted">No recording for this conversation.</p>;
  if (state === 'error') return <ErrorBox error={error} />;
  return (
    <audio controls src={url} aria-label="Call recording" data-testid="recording">
      Your browser cannot play this recording.
    </audio>
  );
}

function ConversationDetail({ id }) {
  const conv = useLoad(() => get(`/api/conversations/${id}`), [id]);
  // The agent's analysis settings name its criteria and describe its fields (a key that cannot
  // read the agent still sees the ids).
  const agentId = conv.data && conv.data.agent_id;
  const agent = useLoad(() => (agentId ? get(`/api/agents/${agentId}`).catch(() => null) : null), [agentId]);
  const [feat, setFeat] = useState({});
  const [analyzing, setAnalyzing] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    features().then(setFeat);
  }, []);
  if (conv.loading && !conv.data) return <Loading what="the conversation" />;
  if (conv.error) return <ErrorBox error={conv.error} />;
  const c = conv.data;
  const analyze = async () => {
    setAnalyzing(true);
    setError(null);
    try {
      await post(`/api/conversations/${id}/analyze`, {});
      conv.reload();
    } catch (err) {
      setError(err);
    } finally {
      setAnalyzing(false);
    }
  };
  return (
    <>
      <p>
        <a href={href('/conversations')}>← All conversations</a>
      </p>
      <h1>Conversation #{c.id}</h1>
      <dl class="cards">
        <div class="card">
          <dt class="label">Started</dt>
          <dd class="value-sm">{fmtDate(c.started_at)}</dd>
        </div>
        <div class="card">
          <dt class="label">Caller</dt>
          <dd>{c.caller_number || '—'}</dd>
        </div>
        <div class="card">
          <dt class="label">Channel</dt>
          <dd>
            {c.channel} · {c.direction}
          </dd>
        </div>
        <div class="card">
          <dt class="label">Length</dt>
          <dd>{fmtDuration(c.duration_seconds)}</dd>
        </div>
        <div class="card">
          <dt class="label">Status</dt>
          <dd>
            <Badge value={c.status} /> <Outcome value={c.call_successful} />
          </dd>
        </div>
        {c.sip_refer_destination && (
          <div class="card">
            <dt class="label">Transferred to</dt>
            <dd>{c.sip_refer_destination}</dd>
          </div>
        )}
      </dl>
      {c.transcript_summary && (
        <>
          <h2>Summary</h2>
          <p class="msg" data-testid="summary">
            {c.transcript_summary}
          </p>
        </>
      )}
      {c.channel === 'voice' && (
        <>
          <h2>Recording</h2>
          <AudioPlayer id={c.id} />
        </>
      )}
      <Analysis analysis={c.analysis} settings={agent.data && agent.data.analysis} />
      {feat.analyze && (
        <div class="actions">
          <button type="button" class="secondary" disabled={analyzing} onClick={analyze}>
            {analyzing ? 'Analysing…' : 'Analyse again with the agent’s current settings'}
          </button>
        </div>
      )}
      <ErrorBox error={error} />
      <h2>Transcript</h2>
      {!c.transcript || c.transcript.length === 0 ? (
        <p class="muted">No transcript.</p>
      ) : (
        <ol class="transcript" aria-label="Transcript">
          {c.transcript.map((t, i) => (
            <li key={i} class={t.role === 'agent' ? 'agent' : 'user'}>
              <span class="who">
                {t.role === 'agent' ? 'Agent' : 'Customer'}
                {typeof t.timestamp === 'number' ? ` · ${fmtDuration(t.timestamp)}` : ''}
              </span>
              <p class="msg">{t.message}</p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

// platform.md section 8: {criteria: {id: {result, rationale}}, data: {id: {value, rationale}}}.
function Analysis({ analysis, settings }) {
  if (!analysis) return null;
  const name = {};
  for (const x of (settings && settings.criteria) || []) name[x.id] = x.name;
  const about = {};
  for (const x of (settings && settings.data_fields) || []) about[x.id] = x.description;
  const criteria = Object.entries(analysis.criteria || {});
  const data = Object.entries(analysis.data || {});
  if (!criteria.length && !data.length) return null;
  return (
    <>
      <h2>Analysis</h2>
      <div class="split">
        {criteria.length > 0 && (
          <ScrollTable>
            <caption>Success criteria</caption>
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                <th scope="col">Result</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {criteria.map(([id, r]) => (
                <tr key={id}>
                  <th scope="row">
                    {name[id] ? `${name[id]} ` : ''}
                    <code>{id}</code>
                  </th>
                  <td>
                    <Badge value={r && r.result} />
                  </td>
                  <td>{(r && r.rationale) || ''}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
        {data.length > 0 && (
          <ScrollTable>
            <caption>Collected data</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {data.map(([id, r]) => (
                <tr key={id}>
                  <th scope="row">
                    <code>{id}</code>
                    {about[id] && <div class="muted">{about[id]}</div>}
                  </th>
                  <td>{r && r.value !== null && r.value !== undefined ? String(r.value) : '—'}</td>
                  <td>{(r && r.rationale) || ''}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </>
  );
}
