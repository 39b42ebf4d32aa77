// fetch() wrapper for the Argus API: same-origin cookies, JSON bodies ({} when
// empty, as the server requires for cookie-authenticated POSTs) and errors as
// ApiError with the server's {"error": "..."} message. A 401 calls the handler
// set by the app (back to the login form) unless the caller expects it.

export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // 0: network error
    this.retryAfter = retryAfter; // seconds, from Retry-After (429)
  }
}

let unauthorizedHandler = () => {};

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function retryAfterSeconds(res) {
  const h = res.headers.get('Retry-After');
  if (!h) return null;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const d = Date.parse(h);
  return Number.isNaN(d) ? null : Math.max(0, Math.round((d - Date.now()) / 1000));
}

// Options: method, body (object, POST only), query, signal, expect401 (do not
// call the unauthorized handler).
export async function request(path, options = {}) {
  const { method = 'GET', body, query, signal, expect401 = false } = options;
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal,
    cache: 'no-store',
  };
  if (method !== 'GET' && method !== 'HEAD') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(withQuery(path, query), init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The server cannot be reached.');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const message = (data && data.error) || res.statusText || `HTTP ${res.status}`;
    const err = new ApiError(res.status, message, retryAfterSeconds(res));
    if (res.status === 401 && !expect401) unauthorizedHandler(err);
    throw err;
  }
  return data ?? {};
}

export function get(path, query, options = {}) {
  return request(path, { ...options, query });
}

export function post(path, body = {}, options = {}) {
  return request(path, { ...options, method: 'POST', body });
}

// Status of a resource without reading it (e.g. why a <video> failed: 403 or 404).
export async function probe(path) {
  try {
    const res = await fetch(path, {
      credentials: 'same-origin',
      headers: { Range: 'bytes=0-0' },
      cache: 'no-store',
    });
    if (res.body) res.body.cancel().catch(() => {});
    if (res.status === 401) unauthorizedHandler(new ApiError(401, 'unauthorized'));
    return res.status;
  } catch {
    return 0;
  }
}

export function enc(s) {
  return encodeURIComponent(s);
}
