// Webhooks (company key): register and remove endpoints, turn them on and off, read each one's
// delivery log (status codes and latencies) and send it a test event.
import { useEffect, useState } from 'preact/hooks';
import { get, post, put, del } from './api.js';
import { features } from './features.js';
import { Badge, CompanyKeyGate, ErrorBox, Notice, Loading, usePaged, MoreButton, fmtDate, useLoad, ScrollTable } from './ui.jsx';

const opts = { as: 'company' };

export function WebhooksPage() {
  return (
    <>
      <h1>Webhooks</h1>
      <CompanyKeyGate reason="Webhooks belong to the company as a whole, so the API answers only to the company key for them: registering, changing, testing them and reading their delivery log.">
        <Webhooks />
      </CompanyKeyGate>
    </>
  );
}

function Webhooks() {
  const hooks = useLoad(() => get('/api/webhooks/', {}, opts), []);
  const [selected, setSelected] = useState(null);
  const [error, setError] = useState(null);
  const toggle = async (w) => {
    setError(null);
    try {
      await put(`/api/webhooks/${w.id}`, { status: w.status === 'active' ? 'disabled' : 'active' }, opts);
      hooks.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (w) => {
    if (!confirm(`Remove the webhook to ${w.url}?`)) return;
    setError(null);
    try {
      await del(`/api/webhooks/${w.id}`, opts);
      if (selected === w.id) setSelected(null);
      hooks.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <ErrorBox error={error || hooks.error} />
      {!hooks.data ? (
        <Loading what="webhooks" />
      ) : hooks.data.length === 0 ? (
        <p>No webhooks yet.</p>
      ) : (
        <ScrollTable>
          <caption>Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {hooks.data.map((w) => (
              <tr key={w.id}>
                <th scope="row" class="secret">
                  {w.url}
                </th>
                <td>{w.events.join(', ')}</td>
                <td>
                  <Badge value={w.status} />
                </td>
                <td>
                  <div class="actions">
                    <button type="button" class="secondary" aria-pressed={selected === w.id} onClick={() => setSelected(w.id)}>
                      Deliveries <span class="sr-only">of {w.url}</span>
                    </button>
                    <button type="button" class="secondary" onClick={() => toggle(w)}>
                      {w.status === 'active' ? 'Disable' : 'Enable'} <span class="sr-only">{w.url}</span>
                    </button>
                    <button type="button" class="danger" onClick={() => remove(w)}>
                      Remove <span class="sr-only">{w.url}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {selected && <Deliveries id={selected} />}
      <NewWebhook onCreated={hooks.reload} />
    </>
  );
}

function Deliveries({ id }) {
  const paged = usePaged(`/api/webhooks/${id}/deliveries`, {}, [id], opts);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const test = async () => {
    setError(null);
    setNotice(null);
    try {
      const r = await post(`/api/webhooks/${id}/test`, {}, opts);
      setNotice(`Test event ${r.event_id} queued; its delivery shows below once attempted.`);
      setTimeout(paged.reload, 1500);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Delivery log of webhook #{id}</h2>
      <div class="actions">
        <button type="button" onClick={test}>
          Send a test event
        </button>
        <button type="button" class="secondary" onClick={paged.reload}>
          Refresh
        </button>
      </div>
      <div aria-live="polite">
        <Notice>{notice}</Notice>
        <ErrorBox error={error || paged.error} />
      </div>
      {paged.items.length === 0 ? (
        <p>{paged.loading ? 'Loading…' : 'Nothing delivered yet.'}</p>
      ) : (
        <ScrollTable>
          <caption>Attempts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col" class="num">
                Attempt
              </th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">
                HTTP status
              </th>
              <th scope="col" class="num">
                Latency
              </th>
              <th scope="col">Error / next retry</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((d) => (
              <tr key={d.id}>
                <td>{fmtDate(d.created_at)}</td>
                <td>
                  {d.event_type} <span class="muted">{d.event_id}</span>
                </td>
                <td class="num">{d.attempt}</td>
                <td>
                  <Badge value={d.outcome} />
                </td>
                <td class="num">{d.status_code ?? '—'}</td>
                <td class="num">{Math.round(d.latency_ms)} ms</td>
                <td>
                  {d.error || ''}
                  {d.next_retry_at ? ` retry ${fmtDate(d.next_retry_at)}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <MoreButton paged={paged} what="attempts" />
    </section>
  );
}

function NewWebhook({ onCreated }) {
  const [types, setTypes] = useState([]);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState(new Set(['conversation.completed']));
  const [error, setError] = useState(null);
  const [secret, setSecret] = useState(null);
  useEffect(() => {
    features().then((f) => setTypes(f.eventTypes));
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const w = await post('/api/webhooks/', { url: url.trim(), events: [...events] }, opts);
      setSecret(w.secret || null);
      setUrl('');
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel stack" onSubmit={submit}>
      <h2>Register a webhook</h2>
      <label>
        URL
        <input type="url" name="url" required placeholder="https://example.com/cxco-events" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Events</legend>
        <div class="checks">
          {types.map((t) => (
            <label class="inline" key={t}>
              <input
                type="checkbox"
                checked={events.has(t)}
                onChange={(e) => {
                  const next = new Set(events);
                  if (e.currentTarget.checked) next.add(t);
                  else next.delete(t);
                  setEvents(next);
                }}
              />
              {t}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorBox error={error} />
      {secret && (
        <Notice>
          Registered. Its signing secret, shown this once: <span class="secret">{secret}</span>
        </Notice>
      )}
      <div class="actions">
        <button type="submit" disabled={events.size === 0}>
          Register webhook
        </button>
      </div>
    </form>
  );
}
