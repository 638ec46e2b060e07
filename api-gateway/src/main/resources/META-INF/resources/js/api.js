// Thin client of the gateway's REST API (/api/v1). Every non-2xx answer becomes an ApiError that carries the
// HTTP status, the user-facing reason and, when the answer names one, the request field at fault.

export const BASE = 'api/v1';

export class ApiError extends Error {
  constructor(status, message, field, body) {
    super(message);
    this.status = status;
    this.field = field || null;
    this.body = body;
  }
}

/** Reads the reason and the field from an error answer, whatever of the usual JSON shapes it has. */
export async function errorFrom(res) {
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* plain text answer */ }
  let field = null;
  let message = null;
  if (body && typeof body === 'object') {
    const first = Array.isArray(body.violations) && body.violations.length ? body.violations[0]
      : Array.isArray(body.errors) && body.errors.length ? body.errors[0] : null;
    field = body.field ?? body.parameter ?? body.param ?? body.name
      ?? (first && (first.field ?? first.parameter ?? first.path)) ?? null;
    message = body.reason ?? body.message ?? body.detail ?? body.error_description
      ?? (first && (first.message ?? first.reason)) ?? (typeof body.error === 'string' ? body.error : null)
      ?? body.title ?? null;
  }
  if (!message) {
    const html = /^\s*</.test(text);
    const title = html ? /<(?:title|h1)>([^<]*)</i.exec(text) : null;
    message = html ? `HTTP ${res.status}${title ? `: ${title[1].trim()}` : ''}`
      : text && text.length < 500 ? text : `HTTP ${res.status} ${res.statusText}`;
  }
  if (typeof field === 'string' && field.includes('.') && !field.startsWith('options')) {
    field = field.split('.').pop(); // e.g. "submit.arg0.points" from a bean-validation path
  }
  return new ApiError(res.status, String(message), field, body);
}

// ---- authentication: an API key kept by the page (localStorage), sent as a bearer token on every call. Images
// and the event stream cannot send headers: they use the signed links (?access=...) each job's JSON carries.
const KEY_STORE = 'rd.apiKey';

export function apiKey() {
  try { return localStorage.getItem(KEY_STORE) || ''; } catch { return ''; }
}

export function setApiKey(k) {
  try {
    if (k) localStorage.setItem(KEY_STORE, k); else localStorage.removeItem(KEY_STORE);
  } catch { /* storage disabled: the key lives until the page closes */ }
}

const access = new Map(); // job id -> "access=<signed token>"

/** Keeps a job's signed link parameter, for its images and event stream. @returns the job */
function remember(job) {
  if (job && job.id && job.links && job.links.access) access.set(job.id, job.links.access);
  return job;
}

/** url + the job's signed access parameter (when known) + more query parameters. */
function signed(id, url, more) {
  const q = [access.get(id), more].filter(Boolean).join('&');
  return q ? `${url}?${q}` : url;
}

async function call(path, init) {
  let res;
  const opts = { ...(init || {}) };
  const key = apiKey();
  opts.headers = { ...(opts.headers || {}) };
  if (key) opts.headers.Authorization = `Bearer ${key}`;
  try {
    res = await fetch(`${BASE}${path}`, opts);
  } catch (e) {
    throw new ApiError(0, `the gateway is not reachable (${e.message})`, null, null);
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401) {
      err.field = 'apiKey';
      err.message = key ? `the API key was refused: ${err.message}` : 'enter your API key (top right) first';
    }
    throw err;
  }
  return res;
}

/** Unique id for the Idempotency-Key header (crypto.randomUUID needs a secure context). */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map(x => x.toString(16).padStart(2, '0')).join('');
}

/** POST /jobs (multipart). @returns the created job's JSON */
export async function submitJob({ image, imageName, mask, points, prompt, method, options, idempotencyKey }) {
  const fd = new FormData();
  fd.append('image', image, imageName || 'image.png');
  if (mask) fd.append('mask', mask, 'mask.png');
  fd.append('points', JSON.stringify(points));
  fd.append('prompt', prompt || '');
  fd.append('method', method);
  fd.append('options', JSON.stringify(options || {}));
  const res = await call('/jobs', { method: 'POST', body: fd, headers: { 'Idempotency-Key': idempotencyKey } });
  return remember(await res.json());
}

export async function getJob(id) { return remember(await (await call(`/jobs/${enc(id)}`)).json()); }

export async function cancelJob(id) {
  const res = await call(`/jobs/${enc(id)}`, { method: 'DELETE' });
  return res.status === 204 ? null : res.json().then(remember).catch(() => null);
}

export async function getTrajectory(id) { return (await call(`/jobs/${enc(id)}/trajectory`)).json(); }

export async function listJobs({ state, page, size }) {
  const q = new URLSearchParams();
  if (state) q.set('state', state);
  q.set('page', String(page));
  q.set('size', String(size));
  return (await call(`/jobs?${q}`)).json();
}

/** @param more extra query parameters, e.g. "t=123" */
export const resultUrl = (id, more) => signed(id, `${BASE}/jobs/${enc(id)}/result`, more);
export const eventsUrl = id => signed(id, `${BASE}/jobs/${enc(id)}/events`);
export const inputUrl = id => signed(id, `${BASE}/jobs/${enc(id)}/input/image`);
/** A link the gateway handed out (absolute path, signed already) as a URL relative to this page. */
export const link = path => (path && path.startsWith('/') ? path.slice(1) : path);
const enc = encodeURIComponent;
