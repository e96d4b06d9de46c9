// The CXCo console (platform.md section 10): sign-in with a user key, then one page per part of
// the product, all on the public API. Routing is by the URL's #fragment.
import { render } from 'preact';
import { useEffect, useState, useRef } from 'preact/hooks';
import { get, keys } from './api.js';
import { useRoute, href, ErrorBox } from './ui.jsx';
import { AgentsPage } from './agents.jsx';
import { ConversationsPage } from './conversations.jsx';
import { CampaignsPage } from './campaigns.jsx';
import { UsagePage } from './usage.jsx';
import { WebhooksPage } from './webhooks.jsx';
import { SettingsPage } from './settings.jsx';

const PAGES = [
  { path: '/agents', label: 'Agents', component: AgentsPage },
  { path: '/conversations', label: 'Conversations', component: ConversationsPage },
  { path: '/campaigns', label: 'Calls & campaigns', component: CampaignsPage },
  { path: '/usage', label: 'Usage', component: UsagePage },
  { path: '/webhooks', label: 'Webhooks', component: WebhooksPage },
  { path: '/settings', label: 'Settings', component: SettingsPage },
];

function SignIn({ onSignedIn }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    keys.setUser(draft.trim());
    try {
      const me = await get('/api/users/me');
      onSignedIn(me);
    } catch (err) {
      keys.clear();
      setError(
        err.status === 401
          ? new Error('That key is not valid (unknown, revoked or expired).')
          : err.status === 403
            ? new Error('That is not a user key. Sign in with your own user key (cxco_user_k_...).')
            : err,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Sign in to the CXCo console</h1>
      <form class="stack panel" onSubmit={submit}>
        <label>
          User key
          <input
            type="password"
            name="user_key"
            autocomplete="off"
            required
            autofocus
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
        </label>
        <p class="hint">
          Your personal key, starting with <code>cxco_user_k_</code>. The console keeps it for this browser tab
          only (sessionStorage: gone when the tab closes, never stored on disk or in a cookie) and sends it only to
          this server, as the <code>X-API-Key</code> header of the public API.
        </p>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </div>
      </form>
      <p class="hint">
        The API reference is at <a href="/docs">/docs</a>.
      </p>
    </main>
  );
}

function Shell({ me, onSignOut }) {
  const route = useRoute();
  const page = PAGES.find((p) => route.path === p.path || route.path.startsWith(`${p.path}/`)) || PAGES[0];
  const Page = page.component;
  const mainRef = useRef(null);
  const first = useRef(true);
  // After navigating, focus moves to the page so keyboard and screen-reader users land on it.
  useEffect(() => {
    document.title = `${page.label} · CXCo console`;
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current && mainRef.current.focus();
  }, [page.path]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">CXCo console</span>
        <span class="who">
          {me.name} · {me.email} · {me.role}
        </span>
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="main" aria-label="Console">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={href(p.path)} aria-current={p === page ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} ref={mainRef}>
        <Page route={route} me={me} />
      </main>
    </>
  );
}

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(!!keys.user());
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!keys.user()) return;
    get('/api/users/me')
      .then(setMe, (err) => {
        if (err.status === 401 || err.status === 403) keys.clear();
        else setError(err);
      })
      .finally(() => setChecking(false));
  }, []);
  if (checking) return <p role="status">Signing in…</p>;
  if (error) return <ErrorBox error={error} />;
  if (!me) return <SignIn onSignedIn={setMe} />;
  return (
    <Shell
      me={me}
      onSignOut={() => {
        keys.clear();
        setMe(null);
        history.replaceState(null, '', location.pathname);
      }}
    />
  );
}

render(<App />, document.getElementById('app'));
