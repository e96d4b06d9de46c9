// The console's only way to the server: the public API, with the signed-in user's key (or the
// company key, for the pages that need one) in X-API-Key. Keys live in sessionStorage: for this
// tab only, gone when it closes; never localStorage, never a cookie.
const USER = 'cxco.console.user_key';
const COMPANY = 'cxco.console.company_key';

export const keys = {
  user: () => sessionStorage.getItem(USER),
  company: () => sessionStorage.getItem(COMPANY),
  setUser: (k) => (k ? sessionStorage.setItem(USER, k) : sessionStorage.removeItem(USER)),
  setCompany: (k) => (k ? sessionStorage.setItem(COMPANY, k) : sessionStorage.removeItem(COMPANY)),
  clear() {
    sessionStorage.removeItem(USER);
    sessionStorage.removeItem(COMPANY);
  },
};

// An answer that is not 2xx: the API's `detail`, `error_type` and, for 422, the bad fields.
export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && typeof body.detail === 'string' && body.detail) || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.type = body && body.error_type;
    this.errors = (body && Array.isArray(body.errors) && body.errors) || [];
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// `as`: 'user' (default) or 'company'; `body`: an object sent as JSON, or a string with `type`.
export async function api(method, path, { params, body, as = 'user', type, raw = false } = {}) {
  const key = as === 'company' ? keys.company() : keys.user();
  const headers = { Accept: 'application/json' };
  if (key) headers['X-API-Key'] = key;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = type || 'text/plain';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(path + query(params), { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(res.status, data);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, params, opts = {}) => api('GET', path, { ...opts, params });
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
export const put = (path, body, opts = {}) => api('PUT', path, { ...opts, body });
export const del = (path, opts = {}) => api('DELETE', path, opts);

// Every page of a paginated list, up to `max` items.
export async function all(path, params = {}, max = 1000, opts = {}) {
  const out = [];
  let cursor;
  for (;;) {
    const page = await get(path, { ...params, limit: 100, cursor }, opts);
    out.push(...page.items);
    if (!page.has_more || !page.next_cursor || out.length >= max) return out;
    cursor = page.next_cursor;
  }
}
