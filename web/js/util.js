// Small DOM and formatting helpers shared by every screen.

export const SEVERITIES = ['critical', 'alert', 'warning', 'info'];
const SEVERITY_RANK = { info: 0, warning: 1, alert: 2, critical: 3 };
export const ROLES = ['viewer', 'operator', 'admin'];
const ROLE_RANK = { viewer: 0, operator: 1, admin: 2 };

export function severityRank(s) {
  return SEVERITY_RANK[s] ?? -1;
}

// True when `role` includes the rights of `needed` (each role includes the one before).
export function roleAtLeast(role, needed) {
  return (ROLE_RANK[role] ?? -1) >= ROLE_RANK[needed];
}

// el('button', {class: 'x', dataset: {action: 'a'}, onclick: f}, 'text', child...)
// Attributes whose value is null/undefined/false are left out.
export function el(tag, attrs = {}, ...children) {
  const node = tag.includes(':')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(tag.indexOf(':') + 1))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) node.dataset[k] = String(v);
      }
    } else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      node.textContent = value;
    } else if (value === true) {
      node.setAttribute(key, '');
    } else {
      node.setAttribute(key, String(value));
    }
  }
  append(node, children);
  return node;
}

// SVG element shorthand: svg('rect', {x: 1}).
export function svg(tag, attrs = {}, ...children) {
  return el('svg:' + tag, attrs, ...children);
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export function parseTime(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

// Local date and time; only the time when it is today.
export function formatLocal(iso) {
  const d = parseTime(iso);
  if (!d) return '—';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeFormat.format(d) : dateTimeFormat.format(d);
}

export function formatLocalFull(iso) {
  const d = parseTime(iso);
  return d ? dateTimeFormat.format(d) : '—';
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

// "2 min ago", "just now", "in 3 h" (clock skew).
export function formatRelative(iso, now = Date.now()) {
  const d = parseTime(iso);
  if (!d) return '';
  const s = Math.round((d.getTime() - now) / 1000);
  const a = Math.abs(s);
  if (a < 10) return 'just now';
  if (a < 60) return relativeFormat.format(s, 'second');
  if (a < 3600) return relativeFormat.format(Math.round(s / 60), 'minute');
  if (a < 86400) return relativeFormat.format(Math.round(s / 3600), 'hour');
  return relativeFormat.format(Math.round(s / 86400), 'day');
}

// A <time> showing "2 min ago" with the local date and time as its tooltip;
// refreshRelativeTimes() keeps the text current.
export function timeEl(iso, cls = 'rel-time') {
  return el(
    'time',
    { class: cls, datetime: iso || '', title: formatLocalFull(iso), dataset: { relative: '1' } },
    formatRelative(iso),
  );
}

export function refreshRelativeTimes(root) {
  const now = Date.now();
  for (const t of root.querySelectorAll('time[data-relative]')) {
    t.textContent = formatRelative(t.getAttribute('datetime'), now);
  }
}

// "2026-01-01T10:00" (a datetime-local value, local time) -> ISO UTC, or "".
export function localInputToIso(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

// Date -> the value a datetime-local input shows (local time, minutes).
export function toLocalInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` + `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

// auth::kMinPasswordLength: the server refuses shorter passwords.
export const MIN_PASSWORD = 10;

export function humanize(s) {
  return String(s || '').replace(/_/g, ' ');
}

// Event bbox: [x, y, w, h] (events::ToJson) or {x, y, w, h}; null when empty.
export function bboxOf(e) {
  const b = e && e.bbox;
  if (!b) return null;
  const [x, y, w, h] = Array.isArray(b) ? b : [b.x, b.y, b.w, b.h];
  if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) return null;
  return { x, y, w, h };
}

// details: {"dwell_s": 1.2, ...} -> "dwell s: 1.2, ...".
// Readable text for an event's details: nested objects as "key: value" lists,
// lists of numbers as "1.50, 2" (a box, a point), never raw JSON.
function detailValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) {
    const inner = v.map(detailValue).join(', ');
    return v.every((x) => typeof x !== 'object' || x === null) ? inner : `[${inner}]`;
  }
  if (typeof v === 'object') return `(${formatDetails(v)})`;
  return humanize(String(v));
}

export function formatDetails(details) {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details)
    .map(([k, v]) => `${humanize(k)}: ${detailValue(v)}`)
    .join('; ');
}

export function alertTitle(a) {
  return `${humanize(a.type) || 'alert'} #${a.id}`;
}

// Keyboard shortcuts must not fire while the user types or holds a modifier.
export function isShortcutBlocked(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return true;
  const t = e.target;
  if (!(t instanceof Element)) return false;
  if (t.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

let toastTimer = null;

// A short message at the bottom of the screen (polite live region).
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 5000);
}

// Text read out at once by screen readers (new alerts).
export function announce(message) {
  const box = document.getElementById('announcer');
  if (!box) return;
  box.textContent = '';
  // A change on the next frame is announced even when the text repeats.
  requestAnimationFrame(() => {
    box.textContent = message;
  });
}

// The message to show for a failed API call.
export function errorText(e, what = 'The request') {
  if (!e) return `${what} failed.`;
  if (e.status === 403) return `${what} is not allowed for your role.`;
  if (e.status === 0) return e.message;
  return `${what} failed: ${e.message}`;
}
