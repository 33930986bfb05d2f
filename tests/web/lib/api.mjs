// A tiny Mastodon API client for setting up and checking what the browser
// does: the same public API any app uses, with a password-grant token.

import assert from 'node:assert/strict';

export const ALL_SCOPES = 'read write follow push admin:read admin:write';

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

/** `{ a: 1, ids: [1, 2] }` → `a=1&ids[]=1&ids[]=2`. */
function queryString(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) params.append(`${key}[]`, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A client acting with `token` (or anonymously with null). Every method but
 * `request` throws an `ApiError` on a non-2xx answer and returns the JSON.
 */
export function client(baseUrl, token) {
  const request = async (method, path, { body, query, form } = {}) => {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload;
    if (form) payload = form;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(baseUrl + path + queryString(query), { method, headers, body: payload });
    const text = await res.text();
    let json = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: res.status, headers: res.headers, body: json };
  };
  const call = async (method, path, options) => {
    const res = await request(method, path, options);
    if (res.status < 200 || res.status > 299) throw new ApiError(method, path, res.status, res.body);
    return res.body;
  };
  return {
    baseUrl,
    token,
    /** The raw answer `{ status, headers, body }`, never throws on a status. */
    request,
    get: (path, query) => call('GET', path, { query }),
    post: (path, body) => call('POST', path, { body: body ?? {} }),
    put: (path, body) => call('PUT', path, { body: body ?? {} }),
    patch: (path, body) => call('PATCH', path, { body: body ?? {} }),
    del: (path) => call('DELETE', path),
    /** Multipart upload (e.g. `/api/v2/media`); `form` is a FormData. */
    postForm: (path, form) => call('POST', path, { form }),
    /** A post, by default public; `local_only: true` makes it company-only. */
    postStatus: (status, fields = {}) => call('POST', '/api/v1/statuses', { body: { status, visibility: 'public', ...fields } }),
    me: () => call('GET', '/api/v1/accounts/verify_credentials'),
    /** The account `acct` as this server knows it (resolving a remote one). */
    lookup: async (acct) => {
      const [name, host] = acct.replace(/^@/, '').split('@');
      const wanted = !host || host === new URL(baseUrl).host ? name : `${name}@${host}`;
      const found = await call('GET', '/api/v2/search', { query: { q: `@${wanted}`, type: 'accounts', resolve: true } });
      const account = found.accounts.find((a) => a.acct === wanted);
      assert.ok(account, `no account ${acct} on ${baseUrl}`);
      return account;
    },
  };
}

const apps = new Map();

/** One registered app per server (and scope set), shared by the file's tests. */
function registeredApp(baseUrl, scopes) {
  const key = `${baseUrl} ${scopes}`;
  if (!apps.has(key)) {
    const app = client(baseUrl, null).post('/api/v1/apps', {
      client_name: 'Loggia web tests',
      redirect_uris: 'urn:ietf:wg:oauth:2.0:oob',
      scopes,
    });
    app.catch(() => apps.delete(key));
    apps.set(key, app);
  }
  return apps.get(key);
}

/**
 * A client signed in as `username` with a password-grant token:
 * `api(baseUrl, username, password)` or `api(user)` with a user of WEB_USERS.
 */
export async function api(baseUrl, username, password, scopes = ALL_SCOPES) {
  if (typeof baseUrl === 'object') {
    ({ url: baseUrl, username, password } = baseUrl);
  }
  const app = await registeredApp(baseUrl, scopes);
  const token = await client(baseUrl, null).post('/oauth/token', {
    grant_type: 'password',
    client_id: app.client_id,
    client_secret: app.client_secret,
    username,
    password,
    scope: scopes,
  });
  return client(baseUrl, token.access_token);
}
