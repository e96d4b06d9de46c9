// Small shared pieces: errors as the API words them, status badges, dates, the hash router and
// the company-key prompt. Every piece of data is rendered as text (Preact escapes it); nothing
// here sets HTML from a string.
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';
import { get, keys, ApiError } from './api.js';

// ---- routing: #/path?query, so the server needs one route and the URL says what is shown.
export function parseHash() {
  const h = location.hash.replace(/^#/, '') || '/agents';
  const [path, qs] = h.split('?');
  return { path, params: Object.fromEntries(new URLSearchParams(qs || '')) };
}

export function href(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path, params, replace = false) {
  const target = href(path, params);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new Event('hashchange'));
}

export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}

// ---- data loading: {data, error, loading, reload}; `deps` re-run it.
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve()
      .then(fn)
      .then(
        (data) => mine === seq.current && setState({ data, error: null, loading: false }),
        (error) => mine === seq.current && setState({ data: null, error, loading: false }),
      );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

// ---- errors: the API's detail, and for a 422 each bad field.
export function ErrorBox({ error }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.errors : [];
  return (
    <div class="error" role="alert">
      <strong>{error instanceof ApiError ? 'The API refused: ' : 'Something went wrong: '}</strong>
      {error.message}
      {error.type ? <span class="muted"> ({error.type})</span> : null}
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              <code>{(f.loc || []).filter((x) => x !== 'body').join('.')}</code>: {f.msg}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }) {
  if (!children) return null;
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

// A table that scrolls sideways on narrow screens; the scrolling region takes focus so that
// keyboard users can scroll it too.
export function ScrollTable({ children }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on narrow screens)">
      <table>{children}</table>
    </div>
  );
}

export function Badge({ value }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const s = String(value);
  return <span class={`badge ${s.replace(/[^a-z_]/g, '')}`}>{s.replace(/_/g, ' ')}</span>;
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function Loading({ what }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

// ---- the company key: webhooks and provider credentials answer only to it.
export function CompanyKeyGate({ reason, children }) {
  const [key, setKey] = useState(keys.company());
  const [draft, setDraft] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (key) {
    return (
      <>
        <p class="hint">
          Using the company key for this page (kept for this tab only).{' '}
          <button
            class="secondary"
            type="button"
            onClick={() => {
              keys.setCompany(null);
              setKey(null);
            }}
          >
            Forget the company key
          </button>
        </p>
        {children}
      </>
    );
  }
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const k = draft.trim();
    try {
      keys.setCompany(k);
      await get('/api/providers/', {}, { as: 'company' });
      setKey(k);
    } catch (err) {
      keys.setCompany(null);
      setError(err.status === 401 || err.status === 403 ? new Error('That is not a valid company key.') : err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel stack" onSubmit={submit} aria-labelledby="company-key-title">
      <h2 id="company-key-title">Company key needed</h2>
      <p class="hint">{reason}</p>
      <p class="hint">
        It starts with <code>cxco_comp_k_</code>, is kept for this browser tab only (never stored on disk, never
        sent anywhere but this server) and is forgotten when you sign out or close the tab.
      </p>
      <label>
        Company key
        <input
          type="password"
          name="company_key"
          autocomplete="off"
          required
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
      </label>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Use company key
        </button>
      </div>
    </form>
  );
}

// A "Load more" button for cursor pages.
export function usePaged(path, params, deps, opts = {}) {
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const load = useCallback(
    async (more) => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const page = await get(path, { ...params, limit: opts.limit || 30, cursor: more || undefined }, opts);
        if (mine !== seq.current) return;
        setItems((old) => (more ? [...old, ...page.items] : page.items));
        setCursor(page.has_more ? page.next_cursor : null);
        setError(null);
      } catch (err) {
        if (mine === seq.current) setError(err);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [path, JSON.stringify(params), ...deps],
  );
  useEffect(() => {
    load(null);
  }, [load]);
  return { items, error, loading, more: cursor ? () => load(cursor) : null, reload: () => load(null) };
}

export function MoreButton({ paged, what }) {
  if (!paged.more) return null;
  return (
    <button type="button" class="secondary" onClick={paged.more} disabled={paged.loading}>
      Load more {what}
    </button>
  );
}
