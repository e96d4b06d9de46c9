// Settings: API keys with scopes (owners and admins), the do-not-call list, and the company's
// provider credentials (company key). Secrets typed here go to the API and are never shown again.
import { useEffect, useState } from 'preact/hooks';
import { get, post, del } from './api.js';
import { features } from './features.js';
import { CompanyKeyGate, ErrorBox, Notice, Loading, usePaged, MoreButton, fmtDate, useLoad, ScrollTable } from './ui.jsx';

export function SettingsPage({ me }) {
  return (
    <>
      <h1>Settings</h1>
      <ApiKeys me={me} />
      <DoNotCall />
      <section aria-labelledby="providers-title">
        <h2 id="providers-title">Provider credentials</h2>
        <CompanyKeyGate reason="Provider credentials (your own voice provider, SIP trunk, WhatsApp or LLM accounts) are the company's, so the API takes them only with the company key.">
          <Providers />
        </CompanyKeyGate>
      </section>
    </>
  );
}

function ApiKeys({ me }) {
  const list = useLoad(() => get('/api/keys/'), []);
  const [scopes, setScopes] = useState([]);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState(new Set());
  const [agentIds, setAgentIds] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    features().then((f) => setScopes(f.scopes));
  }, []);
  const create = async (e) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    const body = { name: name.trim(), scopes: [...chosen] };
    const ids = agentIds
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    if (ids.length) body.agent_ids = ids;
    if (expires) body.expires_at = new Date(expires).toISOString();
    try {
      const k = await post('/api/keys/', body);
      setCreated(k);
      setName('');
      setChosen(new Set());
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (k) => {
    if (!confirm(`Revoke the key "${k.name}" (${k.prefix}…)? Anything using it stops working at once.`)) return;
    setError(null);
    try {
      await del(`/api/keys/${k.id}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p class="hint">Keys with only the scopes an integration needs, optionally limited to some agents. Owners and admins manage them.</p>
      {list.error && list.error.status === 403 ? (
        <p>Your role ({me.role}) cannot manage API keys; ask an owner or admin.</p>
      ) : (
        <>
          <ErrorBox error={error || list.error} />
          {!list.data ? (
            <Loading what="keys" />
          ) : list.data.length === 0 ? (
            <p>No API keys yet.</p>
          ) : (
            <ScrollTable>
              <caption>API keys</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Agents</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((k) => (
                  <tr key={k.id} data-key-id={k.id}>
                    <th scope="row">{k.name}</th>
                    <td>
                      <code>{k.prefix}</code>
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{k.agent_ids ? k.agent_ids.join(', ') : 'all'}</td>
                    <td>{k.expires_at ? fmtDate(k.expires_at) : 'never'}</td>
                    <td>{k.last_used_at ? fmtDate(k.last_used_at) : 'never'}</td>
                    <td>
                      <button type="button" class="danger" onClick={() => revoke(k)}>
                        Revoke <span class="sr-only">{k.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          )}
          {created && (
            <Notice>
              Key "{created.name}" created. Copy it now, it is shown this once: <span class="secret" data-testid="new-key">{created.key}</span>
            </Notice>
          )}
          <form class="panel stack" onSubmit={create}>
            <h3>New API key</h3>
            <label>
              Name
              <input name="key_name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <fieldset>
              <legend>Scopes</legend>
              <div class="checks">
                {scopes.map((s) => (
                  <label class="inline" key={s}>
                    <input
                      type="checkbox"
                      checked={chosen.has(s)}
                      onChange={(e) => {
                        const next = new Set(chosen);
                        if (e.currentTarget.checked) next.add(s);
                        else next.delete(s);
                        setChosen(next);
                      }}
                    />
                    {s}
                  </label>
                ))}
              </div>
            </fieldset>
            <div class="row">
              <label>
                Limit to agents (ids, comma-separated; empty: all)
                <input name="agent_ids" inputMode="numeric" value={agentIds} onInput={(e) => setAgentIds(e.currentTarget.value)} />
              </label>
              <label>
                Expires (optional)
                <input name="expires_at" type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
              </label>
            </div>
            <div class="actions">
              <button type="submit" disabled={chosen.size === 0}>
                Create key
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

function DoNotCall() {
  const paged = usePaged('/api/do-not-call/', {}, []);
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const body = { phone_number: number.trim() };
      if (reason.trim()) body.reason = reason.trim();
      await post('/api/do-not-call/', body);
      setNumber('');
      setReason('');
      paged.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (n) => {
    setError(null);
    try {
      await del(`/api/do-not-call/${encodeURIComponent(n)}`);
      paged.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="dnc-title">
      <h2 id="dnc-title">Do-not-call list</h2>
      <p class="hint">Numbers here are never dialed, by a single call or a campaign; a number added mid-campaign is skipped from then on.</p>
      <form class="row" onSubmit={add}>
        <label>
          Number
          <input type="tel" name="dnc_number" required placeholder="+27821234567" value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
        </label>
        <label>
          Reason (optional)
          <input name="dnc_reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit">Add to the list</button>
      </form>
      <ErrorBox error={error || paged.error} />
      {paged.items.length > 0 && (
        <ScrollTable>
          <caption>Numbers not to call</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Reason</th>
              <th scope="col">Added</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((d) => (
              <tr key={d.phone_number}>
                <th scope="row">{d.phone_number}</th>
                <td>{d.reason || ''}</td>
                <td>{fmtDate(d.created_at)}</td>
                <td>
                  <button type="button" class="danger" onClick={() => remove(d.phone_number)}>
                    Remove <span class="sr-only">{d.phone_number}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <MoreButton paged={paged} what="numbers" />
    </section>
  );
}

// The fields each provider takes (the API drops any other, and never returns them).
const FIELDS = {
  elevenlabs: [
    ['api_key', 'API key', 'password'],
    ['webhook_secret', 'Post-call webhook secret (optional)', 'password'],
  ],
  sip_trunk: [
    ['address', 'Address', 'text'],
    ['transport', 'Transport (auto, udp, tcp, tls)', 'text'],
    ['username', 'Username (optional)', 'text'],
    ['password', 'Password (optional)', 'password'],
  ],
  twilio: [
    ['account_sid', 'Account SID', 'text'],
    ['auth_token', 'Auth token', 'password'],
  ],
  whatsapp: [
    ['access_token', 'Access token', 'password'],
    ['waba_id', 'WhatsApp Business account id', 'text'],
    ['pin', 'Two-step verification PIN (optional)', 'password'],
  ],
  llm: [
    ['base_url', 'Base URL', 'url'],
    ['api_key', 'API key', 'password'],
    ['model', 'Model', 'text'],
  ],
};

function Providers() {
  const providers = useLoad(() => get('/api/providers/', {}, { as: 'company' }), []);
  const company = useLoad(() => get('/api/users/me'), []);
  if (providers.error) return <ErrorBox error={providers.error} />;
  if (!providers.data || !company.data) return <Loading what="providers" />;
  return providers.data.map((p) => <ProviderForm key={p.slug} provider={p} companyId={company.data.company_id} />);
}

function ProviderForm({ provider, companyId }) {
  const fields = FIELDS[provider.slug] || [['api_key', 'API key', 'password']];
  const [values, setValues] = useState({});
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const credentials = {};
    for (const [k] of fields) if (values[k]) credentials[k] = values[k];
    try {
      await post(`/api/providers/${provider.slug}/credentials`, { company_id: companyId, credentials }, { as: 'company' });
      setValues({});
      setNotice('Stored, encrypted. They are never shown again.');
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    if (!confirm(`Remove the stored ${provider.name} credentials?`)) return;
    setError(null);
    setNotice(null);
    try {
      await del(`/api/providers/${provider.slug}/credentials`, { as: 'company' });
      setNotice('Removed.');
    } catch (err) {
      setError(err.status === 404 ? new Error('No credentials are stored for this provider.') : err);
    }
  };
  return (
    <form class="panel stack" onSubmit={save} aria-label={`${provider.name} credentials`}>
      <h3>
        {provider.name} <span class="muted">({provider.type})</span>
      </h3>
      {fields.map(([k, label, type]) => (
        <label key={k}>
          {label}
          <input
            name={`${provider.slug}.${k}`}
            type={type}
            autocomplete="off"
            value={values[k] || ''}
            onInput={(e) => setValues({ ...values, [k]: e.currentTarget.value })}
          />
        </label>
      ))}
      <div aria-live="polite">
        <Notice>{notice}</Notice>
        <ErrorBox error={error} />
      </div>
      <div class="actions">
        <button type="submit">Store credentials</button>
        <button type="button" class="danger" onClick={remove}>
          Remove stored credentials
        </button>
      </div>
    </form>
  );
}
