// History: the event log with filters and "older" paging (GET /api/events), and
// a chart of the people count of one zone over time (GET /api/zones/history).

import { get } from '../api.js';
import {
  el,
  svg,
  clear,
  humanize,
  formatLocal,
  formatLocalFull,
  localInputToIso,
  toLocalInput,
  formatDetails,
  SEVERITIES,
} from '../util.js';

const PAGE = 50;
const DAY_MS = 24 * 3600 * 1000;
const CHART_W = 800;
const CHART_H = 260;
const M = { left: 44, right: 16, top: 14, bottom: 34 };
const EVENT_TYPES = [
  'intrusion',
  'line_crossing',
  'proximity',
  'loitering',
  'crowd',
  'running',
  'motion',
  'vehicle_near_facade',
  'abandoned_object',
  'object_removed',
  'tamper',
  'person_down',
  'unusual_activity',
  'sensor_trip',
  'unobserved_sensor_trip',
];

function field(id, label, input) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}

function eventRow(e) {
  return el(
    'tr',
    { dataset: { seq: e.seq } },
    el(
      'td',
      {},
      el('time', { datetime: e.received_at, title: formatLocalFull(e.received_at) }, formatLocal(e.received_at)),
    ),
    el('td', {}, e.camera),
    el('td', {}, humanize(e.type)),
    el('td', {}, e.phase),
    el('td', {}, el('span', { class: `badge sev sev-${e.severity}` }, e.severity)),
    el('td', {}, e.rule || '—'),
    el('td', {}, e.zone ? humanize(e.zone) : '—'),
    el('td', {}, e.track_id >= 0 ? `#${e.track_id}` : '—'),
    el('td', {}, e.label || '—'),
    el('td', { class: 'details' }, formatDetails(e.details)),
  );
}

// "Nice" tick step for a range (1, 2, 5 x 10^n).
function niceStep(range, count) {
  const raw = range / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

const MIN_CHART_SPAN_MS = 5 * 60e3;
const CHART_LEAD = 1.1; // a tenth of the data's span before its first point

const TIME_STEPS_MS = [
  60e3,
  5 * 60e3,
  15 * 60e3,
  30 * 60e3,
  3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  DAY_MS,
  7 * DAY_MS,
];

// A step chart: the count holds until the next point, up to `toMs`.
export function stepChart(points, fromMs, toMs, title) {
  const data = points
    .map((p) => ({ t: Date.parse(p.at), v: Number(p.count) }))
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
  const t1 = Math.max(toMs, data.length ? data[data.length - 1].t : toMs);
  // From shortly before the first count, not from the search's From: counts of
  // the last minutes in a 24-hour axis were a 1-px spike.
  let t0 = Math.min(fromMs, t1 - 60e3);
  if (data.length) {
    const span = Math.max(MIN_CHART_SPAN_MS, (t1 - data[0].t) * CHART_LEAD);
    t0 = Math.max(Math.min(fromMs, data[0].t), t1 - span);
  }
  const vmax = Math.max(1, ...data.map((p) => p.v));
  const yStep = Math.max(1, niceStep(vmax, 5));
  const ymax = Math.ceil(vmax / yStep) * yStep;
  const pw = CHART_W - M.left - M.right;
  const ph = CHART_H - M.top - M.bottom;
  const x = (t) => M.left + ((t - t0) / (t1 - t0)) * pw;
  const y = (v) => M.top + ph - (v / ymax) * ph;
  const root = svg('svg', {
    id: 'zone-chart',
    class: 'chart',
    viewBox: `0 0 ${CHART_W} ${CHART_H}`,
    role: 'img',
    'aria-label': `${title}: ${data.length} points, at most ${vmax}`,
    dataset: { from: new Date(t0).toISOString(), to: new Date(t1).toISOString() }, // the time axis
  });
  for (let v = 0; v <= ymax; v += yStep) {
    root.append(
      svg('line', { x1: M.left, x2: CHART_W - M.right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: M.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, String(v)),
    );
  }
  const span = t1 - t0;
  const tStep = TIME_STEPS_MS.find((s) => span / s <= 8) || TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
  const fmt = new Intl.DateTimeFormat(
    undefined,
    tStep >= DAY_MS ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' },
  );
  // Ticks on local round times.
  const tzOffset = new Date(t0).getTimezoneOffset() * 60e3;
  for (let t = Math.ceil((t0 - tzOffset) / tStep) * tStep + tzOffset; t <= t1; t += tStep) {
    root.append(
      svg('line', { x1: x(t), x2: x(t), y1: M.top, y2: M.top + ph, class: 'grid' }),
      svg('text', { x: x(t), y: CHART_H - 12, class: 'tick', 'text-anchor': 'middle' }, fmt.format(new Date(t))),
    );
  }
  root.append(svg('line', { x1: M.left, x2: M.left, y1: M.top, y2: M.top + ph, class: 'axis' }));
  root.append(svg('line', { x1: M.left, x2: CHART_W - M.right, y1: M.top + ph, y2: M.top + ph, class: 'axis' }));
  if (data.length) {
    let d = `M${x(data[0].t).toFixed(1)},${y(data[0].v).toFixed(1)}`;
    for (let i = 1; i < data.length; ++i) d += ` H${x(data[i].t).toFixed(1)} V${y(data[i].v).toFixed(1)}`;
    d += ` H${x(Math.min(t1, Date.now())).toFixed(1)}`;
    root.append(svg('path', { d, class: 'series' }));
  }
  return root;
}

export function mount(main) {
  let destroyed = false;
  let nextBefore = null;
  let lastQuery = null;
  const now = new Date();
  const from = el('input', { id: 'history-from', type: 'datetime-local', value: toLocalInput(new Date(now - DAY_MS)) });
  const to = el('input', { id: 'history-to', type: 'datetime-local' });
  const camera = el('select', { id: 'history-camera' }, el('option', { value: '' }, 'Any camera'));
  // A choice of the known types: free text found nothing for "line crossing".
  const type = el(
    'select',
    { id: 'history-type' },
    el('option', { value: '' }, 'Any'),
    EVENT_TYPES.map((t) => el('option', { value: t }, humanize(t))),
  );
  const severity = el(
    'select',
    { id: 'history-severity' },
    el('option', { value: '' }, 'Any'),
    SEVERITIES.slice()
      .reverse()
      .map((s) => el('option', { value: s }, s)),
  );
  const status = el('p', { id: 'history-status', class: 'load-status', role: 'status' });
  const tbody = el('tbody', { id: 'history-rows' });
  const table = el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      { id: 'history-table', class: 'data-table', hidden: true },
      el('caption', { class: 'visually-hidden' }, 'Events, newest first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Time', 'Camera', 'Type', 'Phase', 'Severity', 'Rule', 'Zone', 'Track', 'Label', 'Details'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      tbody,
    ),
  );
  const older = el('button', { id: 'history-older', type: 'button', class: 'btn', hidden: true }, 'Older events');
  const form = el(
    'form',
    { id: 'history-form', class: 'filter-form' },
    field('history-from', 'From', from),
    field('history-to', 'To', to),
    field('history-camera', 'Camera', camera),
    field('history-type', 'Type', type),
    field('history-severity', 'Min. severity', severity),
    el('div', { class: 'field field-submit' }, el('button', { type: 'submit', class: 'btn btn-primary' }, 'Search')),
  );

  const zoneSelect = el('select', { id: 'zone-select' });
  const zoneStatus = el('p', { id: 'zone-status', class: 'load-status', role: 'status' });
  const chartBox = el('div', { class: 'chart-wrap' });
  const zoneForm = el(
    'form',
    { id: 'zone-form', class: 'filter-form' },
    field('zone-select', 'Camera / zone', zoneSelect),
    el('div', { class: 'field field-submit' }, el('button', { type: 'submit', class: 'btn' }, 'Show')),
  );

  clear(main).append(
    el(
      'div',
      { class: 'page page-history' },
      el('h1', {}, 'History'),
      el(
        'section',
        { 'aria-labelledby': 'events-title' },
        el('h2', { id: 'events-title' }, 'Events'),
        form,
        status,
        table,
        older,
      ),
      el(
        'section',
        { 'aria-labelledby': 'zones-title' },
        el('h2', { id: 'zones-title' }, 'People per zone'),
        el('p', { class: 'hint' }, 'Counts within the From / To of the event search (default: the last 24 hours); the chart starts shortly before the first one.'),
        zoneForm,
        zoneStatus,
        chartBox,
      ),
    ),
  );

  async function search(append) {
    const q = append
      ? { ...lastQuery, before: nextBefore }
      : {
          from: localInputToIso(from.value),
          to: localInputToIso(to.value),
          camera: camera.value,
          type: type.value,
          severity: severity.value,
          limit: PAGE,
        };
    if (!append) lastQuery = q;
    status.textContent = 'Loading…';
    older.disabled = true;
    try {
      const r = await get('/api/events', q);
      if (destroyed) return;
      if (!append) clear(tbody);
      const events = r.events || [];
      for (const e of events) tbody.append(eventRow(e));
      nextBefore = r.next_before ?? null;
      older.hidden = !nextBefore;
      table.firstChild.hidden = tbody.children.length === 0;
      status.textContent = tbody.children.length
        ? `${tbody.children.length} events${nextBefore ? ' (more are older)' : ''}.`
        : 'No events match.';
    } catch (e) {
      if (!destroyed && e.status !== 401) status.textContent = `Search failed: ${e.message}`;
    } finally {
      older.disabled = false;
    }
  }

  async function showZone() {
    const [cam, zone] = JSON.parse(zoneSelect.value || 'null') || [];
    if (!cam) return;
    const f = localInputToIso(from.value);
    const t = localInputToIso(to.value);
    zoneStatus.textContent = 'Loading…';
    try {
      const r = await get('/api/zones/history', { camera: cam, zone, from: f, to: t });
      if (destroyed) return;
      const points = r.points || [];
      const toMs = t ? Date.parse(t) : Date.now();
      const fromMs = f ? Date.parse(f) : toMs - DAY_MS;
      const title = `People in ${humanize(zone)} (${cam})`;
      zoneStatus.textContent = points.length ? '' : 'No counts recorded in this period.';
      clear(chartBox).append(
        el('figure', {}, stepChart(points, fromMs, toMs, title), el('figcaption', {}, title)),
        el(
          'details',
          {},
          el('summary', {}, 'Data table'),
          el(
            'table',
            { class: 'data-table' },
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Count'))),
            el(
              'tbody',
              {},
              points.map((p) =>
                el('tr', {}, el('td', {}, formatLocalFull(p.at)), el('td', { class: 'num' }, String(p.count))),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      if (destroyed || e.status === 401) return;
      zoneStatus.textContent =
        e.status === 404
          ? 'Zone history is not available from this server.'
          : `Could not load the zone history: ${e.message}`;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search(false);
  });
  older.addEventListener('click', () => search(true));
  zoneForm.addEventListener('submit', (e) => {
    e.preventDefault();
    showZone();
  });

  get('/api/cameras')
    .then((r) => {
      if (destroyed) return;
      for (const c of r.cameras || []) camera.append(el('option', { value: c.name }, c.name));
    })
    .catch(() => {});
  get('/api/zones/counts')
    .then((r) => {
      if (destroyed) return;
      const options = [];
      for (const [cam, zones] of Object.entries(r || {})) {
        for (const [zone, count] of Object.entries(zones || {})) {
          options.push(
            el('option', { value: JSON.stringify([cam, zone]) }, `${cam} / ${humanize(zone)} (now ${count})`),
          );
        }
      }
      if (options.length) zoneSelect.append(...options);
      else {
        zoneSelect.append(el('option', { value: '' }, 'No zones'));
        zoneSelect.disabled = true;
      }
    })
    .catch((e) => {
      if (!destroyed && e.status !== 401) zoneStatus.textContent = `Could not load the zones: ${e.message}`;
    });
  search(false);

  return () => {
    destroyed = true;
  };
}
