// Calls and campaigns: start a campaign from a CSV file (rows and their errors previewed before
// anything is sent), watch its progress live, read its recipients, add more from a CSV; place a
// single call and follow the latest calls.
import { useEffect, useState } from 'preact/hooks';
import { get, post, api, all } from './api.js';
import { readRecipients } from './csv.js';
import { Badge, ErrorBox, Notice, Loading, usePaged, MoreButton, href, navigate, fmtDate, useLoad, ScrollTable } from './ui.jsx';

const POLL_MS = 1500;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const LIVE = new Set(['scheduled', 'running', 'paused']);

export function CampaignsPage({ route }) {
  const parts = route.path.split('/').filter(Boolean);
  if (parts[1] === 'new') return <NewCampaign />;
  if (parts[1]) return <CampaignDetail id={parts[1]} status={route.params.status || ''} />;
  return <Overview />;
}

// Polls `fn` every POLL_MS while `keepGoing(data)` holds.
function usePolled(fn, deps, keepGoing) {
  const loaded = useLoad(fn, deps);
  useEffect(() => {
    if (!loaded.data || !keepGoing(loaded.data)) return undefined;
    const t = setTimeout(loaded.reload, POLL_MS);
    return () => clearTimeout(t);
  }, [loaded.data]);
  return loaded;
}

function Progress({ campaign }) {
  const c = campaign.counts || {};
  const done = (c.completed || 0) + (c.failed || 0) + (c.skipped || 0) + (c.canceled || 0);
  const total = c.total || 0;
  return (
    <div class="stack">
      <progress
        max={total || 1}
        value={done}
        aria-label={`${campaign.name}: ${done} of ${total} recipients finished`}
        data-testid="campaign-progress"
      />
      <div class="progress-legend">
        <span>
          {done} / {total} finished
        </span>
        <span>{c.pending || 0} pending</span>
        <span>{c.in_progress || 0} in progress</span>
        <span>{c.completed || 0} completed</span>
        <span>{c.failed || 0} failed</span>
        {c.skipped ? <span>{c.skipped} skipped</span> : null}
        {c.canceled ? <span>{c.canceled} canceled</span> : null}
      </div>
    </div>
  );
}

function Overview() {
  const campaigns = usePolled(() => get('/api/campaigns/', { limit: 50 }), [], (d) => d.items.some((c) => LIVE.has(c.status)));
  return (
    <>
      <h1>Calls &amp; campaigns</h1>
      <div class="actions">
        <a class="button" href={href('/campaigns/new')}>
          New campaign from a CSV file
        </a>
      </div>
      <h2>Campaigns</h2>
      <ErrorBox error={campaigns.error} />
      {!campaigns.data ? (
        <Loading what="campaigns" />
      ) : campaigns.data.items.length === 0 ? (
        <p>No campaigns yet.</p>
      ) : (
        <ScrollTable>
          <caption>Campaigns, newest first (live)</caption>
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.data.items.map((c) => (
              <tr key={c.id} data-campaign-id={c.id}>
                <th scope="row">
                  <a href={href(`/campaigns/${c.id}`)}>{c.name}</a>
                  <div class="muted">created {fmtDate(c.created_at)}</div>
                </th>
                <td>
                  <Badge value={c.status} />
                </td>
                <td>
                  <Progress campaign={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <PlaceCall />
      <RecentCalls />
    </>
  );
}

function ActiveAgentSelect({ value, onChange, agents }) {
  return (
    <label>
      Agent
      <select name="agent_id" required value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">choose an active agent</option>
        {agents.map((a) => (
          <option value={String(a.id)}>
            {a.name} ({a.phone_number ? a.phone_number.number : 'no number'})
          </option>
        ))}
      </select>
    </label>
  );
}

function PlaceCall() {
  const agents = useLoad(() => all('/api/agents/', { status: 'active' }, 500), []);
  const [agent, setAgent] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const call = await post('/api/calls', { agent_id: Number(agent), to_number: to.trim() });
      setNotice(`Call #${call.id} to ${call.to_number} is ${call.status}.`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h2>Place a call</h2>
      <form class="row" onSubmit={submit}>
        <ActiveAgentSelect value={agent} onChange={setAgent} agents={agents.data || []} />
        <label>
          To number
          <input type="tel" name="to_number" required placeholder="+27821234567" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">Call</button>
      </form>
      <div aria-live="polite">
        <Notice>{notice}</Notice>
        <ErrorBox error={error} />
      </div>
    </>
  );
}

function RecentCalls({ campaignId }) {
  const calls = usePolled(
    () => get('/api/calls/', { limit: 20, campaign_id: campaignId }),
    [campaignId],
    (d) => d.items.some((c) => ['queued', 'initiated', 'in_progress'].includes(c.status)),
  );
  return (
    <>
      <h2>Latest calls</h2>
      <ErrorBox error={calls.error} />
      {!calls.data ? (
        <Loading what="calls" />
      ) : calls.data.items.length === 0 ? (
        <p>No calls yet.</p>
      ) : (
        <ScrollTable>
          <caption>The 20 latest calls</caption>
          <thead>
            <tr>
              <th scope="col">Call</th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Attempt</th>
              <th scope="col">Conversation</th>
            </tr>
          </thead>
          <tbody>
            {calls.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  #{c.id} <span class="muted">{fmtDate(c.created_at)}</span>
                </td>
                <td>{c.to_number}</td>
                <td>
                  <Badge value={c.status} />
                </td>
                <td class="num">{c.attempt}</td>
                <td>{c.conversation_id ? <a href={href(`/conversations/${c.conversation_id}`)}>#{c.conversation_id}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </>
  );
}

// The rows of a CSV file, and why each bad one is bad.
function CsvPreview({ parsed }) {
  const bad = parsed.rows.filter((r) => r.errors.length);
  const shown = parsed.rows.slice(0, 200);
  return (
    <div class="panel" data-testid="csv-preview">
      <p role="status">
        {parsed.rows.length} recipients read, {parsed.rows.length - bad.length} ready, {bad.length} with errors.
      </p>
      {parsed.errors.length > 0 && (
        <div class="error" role="alert">
          <ul>
            {parsed.errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      )}
      {bad.length > 0 && (
        <div class="error">
          <strong>Rows with errors</strong>
          <ul data-testid="csv-errors">
            {bad.slice(0, 100).map((r) => (
              <li key={r.line}>
                Line {r.line}: {r.errors.join('; ')}
              </li>
            ))}
            {bad.length > 100 && <li>… and {bad.length - 100} more</li>}
          </ul>
        </div>
      )}
      <ScrollTable>
        <caption>
          Preview{parsed.rows.length > shown.length ? ` (first ${shown.length} rows)` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Line</th>
            {parsed.columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
            <th scope="col">Check</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.line} class={r.errors.length ? 'bad' : ''}>
              <td class="num">{r.line}</td>
              {parsed.columns.map((c) => (
                <td>
                  {c === 'phone_number'
                    ? r.recipient.phone_number
                    : c === 'timezone'
                      ? r.recipient.timezone || ''
                      : c === 'external_id'
                        ? r.recipient.external_id || ''
                        : (r.recipient.dynamic_variables || {})[c] || ''}
                </td>
              ))}
              <td>{r.errors.length ? r.errors.join('; ') : 'ok'}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </div>
  );
}

function useCsvFile() {
  const [parsed, setParsed] = useState(null);
  const [text, setText] = useState(null);
  const [name, setName] = useState('');
  const onFile = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) {
      setParsed(null);
      setText(null);
      return;
    }
    const t = await file.text();
    setName(file.name);
    setText(t);
    setParsed(readRecipients(t));
  };
  return { parsed, text, name, onFile };
}

function NewCampaign() {
  const agents = useLoad(() => all('/api/agents/', { status: 'active' }, 500), []);
  const csv = useCsvFile();
  const [form, setForm] = useState({
    name: '',
    agent_id: '',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    max_concurrency: '5',
    max_attempts: '3',
    backoff_seconds: '3600',
    start_at: '',
    window_start: '',
    window_end: '',
    days: new Set(DAYS.slice(0, 5)),
    skipBad: false,
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const bad = csv.parsed ? csv.parsed.rows.filter((r) => r.errors.length).length : 0;
  const fileOk = csv.parsed && csv.parsed.errors.length === 0 && (bad === 0 || form.skipBad);
  const submit = async (e) => {
    e.preventDefault();
    if (!fileOk) return;
    setBusy(true);
    setError(null);
    try {
      const recipients = csv.parsed.rows.filter((r) => !r.errors.length).map((r) => r.recipient);
      const campaign = await post('/api/campaigns', {
        name: form.name,
        agent_id: Number(form.agent_id),
        timezone: form.timezone,
        max_concurrency: Number(form.max_concurrency),
        retry: { max_attempts: Number(form.max_attempts), backoff_seconds: Number(form.backoff_seconds) },
        recipients,
        // The browser's local time, with its offset, as the API requires.
        ...(form.start_at ? { start_at: new Date(form.start_at).toISOString() } : {}),
        ...(form.window_start && form.window_end
          ? { calling_windows: [{ days: DAYS.filter((d) => form.days.has(d)), start: form.window_start, end: form.window_end }] }
          : {}),
      });
      navigate(`/campaigns/${campaign.id}`, {});
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        <a href={href('/campaigns')}>← Calls &amp; campaigns</a>
      </p>
      <h1>New campaign</h1>
      <form class="stack" onSubmit={submit}>
        <label>
          Name
          <input name="name" required value={form.name} onInput={set('name')} />
        </label>
        <ActiveAgentSelect value={form.agent_id} onChange={(v) => setForm({ ...form, agent_id: v })} agents={agents.data || []} />
        {agents.data && agents.data.length === 0 && <p class="hint">Publish an agent first: campaigns call with an active agent.</p>}
        <label>
          Recipients (CSV file)
          <span class="hint">
            A header row with <code>phone_number</code> (E.164, required), optionally <code>timezone</code> (IANA) and{' '}
            <code>external_id</code>; every other column becomes a dynamic variable of the call.
          </span>
          <input type="file" name="recipients" accept=".csv,text/csv" required onChange={csv.onFile} />
        </label>
        {csv.parsed && <CsvPreview parsed={csv.parsed} />}
        {bad > 0 && (
          <label class="inline">
            <input type="checkbox" checked={form.skipBad} onChange={set('skipBad')} />
            Leave out the {bad} rows with errors
          </label>
        )}
        <div class="row">
          <label>
            Time zone
            <input name="timezone" required value={form.timezone} onInput={set('timezone')} />
          </label>
          <label>
            Calls at once
            <input name="max_concurrency" type="number" min="1" max="100" value={form.max_concurrency} onInput={set('max_concurrency')} />
          </label>
          <label>
            Attempts per recipient
            <input name="max_attempts" type="number" min="1" max="10" value={form.max_attempts} onInput={set('max_attempts')} />
          </label>
          <label>
            Seconds between attempts
            <input name="backoff_seconds" type="number" min="1" max="86400" value={form.backoff_seconds} onInput={set('backoff_seconds')} />
          </label>
        </div>
        <fieldset>
          <legend>When (optional)</legend>
          <label>
            Start at
            <span class="hint">Empty: now.</span>
            <input name="start_at" type="datetime-local" value={form.start_at} onInput={set('start_at')} />
          </label>
          <p class="hint">
            Calling window, in each recipient's time zone (the campaign's when the row has none). Empty: any time.
          </p>
          <div class="checks" role="group" aria-label="Days of the calling window">
            {DAYS.map((d) => (
              <label class="inline" key={d}>
                <input
                  type="checkbox"
                  checked={form.days.has(d)}
                  onChange={(e) => {
                    const days = new Set(form.days);
                    if (e.currentTarget.checked) days.add(d);
                    else days.delete(d);
                    setForm({ ...form, days });
                  }}
                />
                {d}
              </label>
            ))}
          </div>
          <div class="row">
            <label>
              From
              <input name="window_start" type="time" value={form.window_start} onInput={set('window_start')} />
            </label>
            <label>
              Until
              <input name="window_end" type="time" value={form.window_end} onInput={set('window_end')} />
            </label>
          </div>
        </fieldset>
        <ErrorBox error={error || agents.error} />
        <div class="actions">
          <button type="submit" disabled={busy || !fileOk}>
            Start campaign{csv.parsed ? ` with ${csv.parsed.rows.length - (form.skipBad ? bad : 0)} recipients` : ''}
          </button>
        </div>
      </form>
    </>
  );
}

function CampaignDetail({ id, status }) {
  const campaign = usePolled(() => get(`/api/campaigns/${id}`), [id], (c) => LIVE.has(c.status));
  const recipients = usePaged(`/api/campaigns/${id}/recipients`, { status }, [status, campaign.data && campaign.data.counts && JSON.stringify(campaign.data.counts)], {
    limit: 50,
  });
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const csv = useCsvFile();
  if (!campaign.data) return campaign.error ? <ErrorBox error={campaign.error} /> : <Loading what="the campaign" />;
  const c = campaign.data;
  const act = async (action) => {
    setError(null);
    try {
      await post(`/api/campaigns/${id}/${action}`, {});
      campaign.reload();
    } catch (err) {
      setError(err);
    }
  };
  const upload = async (e) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    try {
      // The API reads the CSV itself (Content-Type: text/csv) and names any bad row.
      const r = await api('POST', `/api/campaigns/${id}/recipients`, { body: csv.text, type: 'text/csv' });
      setNotice(`${r.added} recipients added.`);
      campaign.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <p>
        <a href={href('/campaigns')}>← Calls &amp; campaigns</a>
      </p>
      <h1>{c.name}</h1>
      <p data-testid="campaign-status">
        <Badge value={c.status} /> <span class="muted">#{c.id} · agent #{c.agent_id} · {c.timezone} · up to {c.max_concurrency} calls at once</span>
      </p>
      <Progress campaign={c} />
      {c.usage && (
        <p class="muted">
          {c.usage.calls} calls placed, {c.usage.conversations} conversations, {c.usage.minutes} minutes.
        </p>
      )}
      <div class="actions">
        {c.status === 'running' && (
          <button type="button" class="secondary" onClick={() => act('pause')}>
            Pause campaign
          </button>
        )}
        {c.status === 'paused' && (
          <button type="button" onClick={() => act('resume')}>
            Resume campaign
          </button>
        )}
        {LIVE.has(c.status) && (
          <button type="button" class="danger" onClick={() => act('cancel')}>
            Cancel campaign
          </button>
        )}
      </div>
      <div aria-live="polite">
        <Notice>{notice}</Notice>
        <ErrorBox error={error} />
      </div>
      {LIVE.has(c.status) && (
        <form class="panel stack" onSubmit={upload}>
          <h2>Add recipients</h2>
          <label>
            CSV file
            <input type="file" accept=".csv,text/csv" required onChange={csv.onFile} />
          </label>
          {csv.parsed && <CsvPreview parsed={csv.parsed} />}
          <div class="actions">
            <button type="submit" disabled={!csv.text}>
              Add recipients
            </button>
          </div>
        </form>
      )}
      <h2>Recipients</h2>
      <label>
        Status
        <select value={status} onChange={(e) => navigate(`/campaigns/${id}`, { status: e.currentTarget.value }, true)}>
          <option value="">any</option>
          {['pending', 'in_progress', 'completed', 'failed', 'skipped', 'canceled'].map((s) => (
            <option value={s}>{s.replace('_', ' ')}</option>
          ))}
        </select>
      </label>
      <ErrorBox error={recipients.error} />
      <ScrollTable>
        <caption>Recipients</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Attempts
            </th>
            <th scope="col">Last outcome</th>
            <th scope="col">Next attempt</th>
            <th scope="col">External id</th>
          </tr>
        </thead>
        <tbody>
          {recipients.items.map((r) => (
            <tr key={r.id}>
              <td>{r.phone_number}</td>
              <td>
                <Badge value={r.status} />
              </td>
              <td class="num">{r.attempts}</td>
              <td>{r.last_outcome ? <Badge value={r.last_outcome} /> : '—'}</td>
              <td>{fmtDate(r.next_attempt_at)}</td>
              <td>{r.external_id || ''}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <MoreButton paged={recipients} what="recipients" />
      <RecentCalls campaignId={c.id} />
    </>
  );
}
