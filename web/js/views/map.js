// Site map: each floor of the site model (GET /api/site) as inline SVG. Data are
// metres with y to the north, so y is flipped for SVG. Cameras whose config
// camera has an open alert, and sensors named by the zone of an open sensor
// alert, light up; the live feed keeps them current. A camera's view is the
// server's visibility polygon (clipped by walls and range), not a bare cone.

import { get } from '../api.js';
import { live } from '../live.js';
import { el, svg, clear, humanize } from '../util.js';

const PAD_M = 2;
const HEADING_LEN_M = 1.5;
const SENSOR_TYPES = new Set(['sensor_trip', 'unobserved_sensor_trip']);
const CONE_STEPS = 16;
// Camera statuses with a picture: anything else is drawn as having no feed.
const FEEDING = new Set(['online', 'tampered', 'remote']);

const pt = ([x, y]) => `${x},${-y}`;
const pts = (list) => (list || []).map(pt).join(' ');

function floorBounds(f) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const add = (p) => {
    if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return;
    minX = Math.min(minX, p[0]);
    maxX = Math.max(maxX, p[0]);
    minY = Math.min(minY, p[1]);
    maxY = Math.max(maxY, p[1]);
  };
  (f.outline || []).forEach(add);
  (f.walls || []).forEach((w) => w.forEach(add));
  (f.pillars || []).forEach((p) => p.forEach(add));
  (f.openings || []).forEach((o) => (o.shape || []).forEach(add));
  (f.assets || []).forEach((a) => add(a.at));
  (f.sensors || []).forEach((s) => add(s.at));
  (f.cameras || []).forEach((c) => {
    add(c.at);
    (c.view || []).forEach(add);
  });
  if (!Number.isFinite(minX)) return { minX: 0, minY: 0, maxX: 10, maxY: 10 };
  return { minX, minY, maxX, maxY };
}

// Why a site camera shows nothing, or '' when it has a feed: its `camera:` is
// not a configured camera ('no feed'), or that camera is not streaming (its status).
function missingFeed(c) {
  if (!c.camera || !live.cameras.has(c.camera)) return 'no feed';
  const s = live.cameraStatus(c.camera);
  return FEEDING.has(s) ? '' : s;
}

// Only for a site model served without visibility polygons (an older server): the
// nominal cone from heading, field of view and range, which ignores walls.
function nominalCone(c) {
  if (!Array.isArray(c.at) || !Number.isFinite(c.heading_deg) || !Number.isFinite(c.hfov_deg)) return [];
  const range = Number.isFinite(c.range_m) && c.range_m > 0 ? c.range_m : 10;
  const out = [c.at];
  for (let i = 0; i <= CONE_STEPS; ++i) {
    const a = ((c.heading_deg - c.hfov_deg / 2 + (c.hfov_deg * i) / CONE_STEPS) * Math.PI) / 180;
    out.push([c.at[0] + range * Math.cos(a), c.at[1] + range * Math.sin(a)]);
  }
  return out;
}

// Open (and acknowledged) alerts per config camera and per sensor.
function alertIndex() {
  const cameras = new Map();
  const sensors = new Map();
  const put = (map, key, a) => {
    if (!key) return;
    const cur = map.get(key) || { open: [], acked: [] };
    (a.state === 'open' ? cur.open : cur.acked).push(a);
    map.set(key, cur);
  };
  for (const a of live.alerts.values()) {
    if (a.state === 'resolved') continue;
    put(cameras, a.camera, a);
    if (SENSOR_TYPES.has(a.type)) put(sensors, a.zone, a);
  }
  return { cameras, sensors };
}

// Label placement: each label takes the first of a few spots around its mark
// that overlaps no label placed before (else the first spot).
const CHAR_EM = 0.6; // mean glyph width of the map font, in ems

function labelPlacer() {
  const boxes = [];
  const overlaps = (a) => boxes.some((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h);
  // (x, y): the mark; r: its radius; size: the font size. Returns {x, y, anchor}.
  return (x, y, r, size, text) => {
    const w = size * CHAR_EM * String(text).length;
    const h = size * 1.1;
    const spots = [
      { dx: r * 1.4, dy: size * 0.35, anchor: 'start' },
      { dx: r * 1.4, dy: r + size, anchor: 'start' },
      { dx: r * 1.4, dy: -r - size * 0.2, anchor: 'start' },
      { dx: -r * 1.4, dy: size * 0.35, anchor: 'end' },
      { dx: -r * 1.4, dy: r + size, anchor: 'end' },
      { dx: -r * 1.4, dy: -r - size * 0.2, anchor: 'end' },
    ];
    for (const s of spots) {
      const left = s.anchor === 'start' ? x + s.dx : x + s.dx - w;
      const box = { x: left, y: y + s.dy - size * 0.85, w, h };
      if (!overlaps(box)) {
        boxes.push(box);
        return { x: x + s.dx, y: y + s.dy, anchor: s.anchor };
      }
    }
    const s = spots[0];
    boxes.push({ x: x + s.dx, y: y + s.dy - size * 0.85, w, h });
    return { x: x + s.dx, y: y + s.dy, anchor: s.anchor };
  };
}

function mapLabel(place, x, y, r, size, text, cls) {
  const p = place(x, y, r, size, text);
  return svg('text', { x: p.x, y: p.y, class: cls, 'text-anchor': p.anchor }, text);
}

function renderFloor(f) {
  const place = labelPlacer();
  const SMALL = 0.8; // .map-label.small, relative to --font
  const b = floorBounds(f);
  const font = Math.max(0.35, (Math.max(b.maxX - b.minX, b.maxY - b.minY) + 2 * PAD_M) / 90);
  // Labels are written to the right of their marker: room for the longest one.
  const labels = [
    ...(f.cameras || []).map((c) => [c.at, c.camera ? `${c.id} · ${c.camera}` : c.id]),
    ...(f.sensors || []).map((s) => [s.at, s.id]),
    ...(f.assets || []).map((a) => [a.at, a.name || a.id]),
  ];
  for (const [at, text] of labels) {
    if (Array.isArray(at)) b.maxX = Math.max(b.maxX, at[0] + font * (1.5 + 0.6 * String(text).length));
  }
  const w = b.maxX - b.minX + 2 * PAD_M;
  const h = b.maxY - b.minY + 2 * PAD_M;
  const root = svg('svg', {
    id: 'site-svg',
    class: 'site-svg',
    viewBox: `${b.minX - PAD_M} ${-(b.maxY + PAD_M)} ${w} ${h}`,
    role: 'group',
    'aria-label': `Plan of ${f.name || f.id}`,
    dataset: { floor: f.id },
    style: `--font:${font}px`,
  });
  if (f.outline && f.outline.length) root.append(svg('polygon', { class: 'floor-outline', points: pts(f.outline) }));
  for (const c of f.cameras || []) {
    // An empty visibility polygon means the camera sees nothing of its floor.
    const view = Array.isArray(c.view) ? c.view : nominalCone(c);
    if (view.length >= 3) {
      root.append(
        svg('polygon', {
          class: `camera-view${missingFeed(c) ? ' no-feed' : ''}`,
          points: pts(view),
          dataset: { viewOf: c.camera || '', siteCamera: c.id },
        }),
      );
    }
  }
  for (const wall of f.walls || []) root.append(svg('polyline', { class: 'wall', points: pts(wall) }));
  for (const p of f.pillars || []) root.append(svg('polygon', { class: 'pillar', points: pts(p) }));
  for (const o of f.openings || []) {
    const shape = o.shape || [];
    const tag = shape.length > 2 ? 'polygon' : 'polyline';
    root.append(
      svg(
        tag,
        { class: `opening opening-${o.type}`, points: pts(shape), dataset: { opening: o.id } },
        svg('title', {}, `${humanize(o.type)} ${o.name || o.id}`),
      ),
    );
  }
  for (const a of f.assets || []) {
    if (!Array.isArray(a.at)) continue;
    const [x, y] = [a.at[0], -a.at[1]];
    const r = font * 0.9;
    root.append(
      svg(
        'g',
        { class: `asset priority-${a.priority || 'medium'}`, dataset: { asset: a.id } },
        svg('title', {}, `${a.name || a.id} (${a.kind || 'artwork'}, ${a.priority || 'medium'} priority)`),
        svg('polygon', { points: `${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}` }),
        mapLabel(place, x, y, r, font, a.name || a.id, 'map-label'),
      ),
    );
  }
  for (const s of f.sensors || []) {
    if (!Array.isArray(s.at)) continue;
    const [x, y] = [s.at[0], -s.at[1]];
    const r = font * 0.6;
    const g = svg(
      'a',
      { class: 'map-sensor', dataset: { sensor: s.id }, 'aria-label': `Sensor ${s.id} (${humanize(s.type)})` },
      svg('title', {}, `Sensor ${s.id} (${humanize(s.type)})`),
      svg('circle', { class: 'pulse-ring', cx: x, cy: y, r: r * 2 }),
      svg('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r }),
      mapLabel(place, x, y, r, font * SMALL, s.id, 'map-label small'),
    );
    root.append(g);
  }
  for (const c of f.cameras || []) {
    if (!Array.isArray(c.at)) continue;
    const [x, y] = [c.at[0], -c.at[1]];
    const a = ((c.heading_deg || 0) * Math.PI) / 180;
    const r = font * 0.8;
    const missing = missingFeed(c);
    const label = (c.camera ? `${c.id} · ${c.camera}` : c.id) + (missing ? ` (${missing})` : '');
    root.append(
      svg(
        'a',
        {
          class: `map-camera${missing ? ' no-feed' : ''}`,
          dataset: { camera: c.camera || '', siteCamera: c.id, feed: missing || 'live' },
          'aria-label': `Camera ${label}`,
        },
        svg('title', {}, `Camera ${label}`),
        svg('circle', { class: 'pulse-ring', cx: x, cy: y, r: r * 2.2 }),
        svg('line', {
          x1: x,
          y1: y,
          x2: x + HEADING_LEN_M * Math.cos(a),
          y2: y - HEADING_LEN_M * Math.sin(a),
          class: 'camera-heading',
        }),
        svg('circle', { cx: x, cy: y, r, class: 'camera-dot' }),
        mapLabel(place, x, y, r, font * SMALL, label, 'map-label small'),
      ),
    );
  }
  return root;
}

export function mount(main) {
  let site = null;
  let floorId = null;
  let destroyed = false;
  let feeds = ''; // the site cameras' feeds as last drawn
  const feedKey = () => (site ? site.floors.flatMap((f) => (f.cameras || []).map(missingFeed)).join('|') : '');
  const status = el('p', { id: 'map-status', class: 'load-status', role: 'status' }, 'Loading the site model…');
  const select = el('select', { id: 'floor-select' });
  const selectRow = el(
    'p',
    { class: 'floor-row', hidden: true },
    el('label', { for: 'floor-select' }, 'Floor '),
    select,
  );
  const plan = el('div', { class: 'map-wrap' });
  const alerting = el('ul', { id: 'map-alerting', class: 'map-alerting' });
  const legend = el(
    'ul',
    { class: 'map-legend', 'aria-label': 'Legend' },
    el('li', {}, el('span', { class: 'lg lg-camera' }), 'Camera and its view'),
    el('li', {}, el('span', { class: 'lg lg-no-feed' }), 'Camera without a feed (not configured, or not streaming)'),
    el('li', {}, el('span', { class: 'lg lg-alerting' }), 'Open alert'),
    el('li', {}, el('span', { class: 'lg lg-acked' }), 'Acknowledged'),
    el('li', {}, el('span', { class: 'lg lg-sensor' }), 'Sensor'),
    el('li', {}, el('span', { class: 'lg lg-asset' }), 'Artwork'),
    el('li', {}, el('span', { class: 'lg lg-opening' }), 'Window / door'),
  );
  clear(main).append(
    el(
      'div',
      { class: 'page page-map' },
      el('div', { class: 'page-head' }, el('h1', {}, 'Site map'), status, selectRow),
      plan,
      el(
        'section',
        { 'aria-labelledby': 'map-alerting-title' },
        el('h2', { id: 'map-alerting-title' }, 'Alerting now'),
        alerting,
      ),
      legend,
    ),
  );

  function floorLabel(f, idx) {
    const n =
      (f.cameras || []).filter((c) => c.camera && idx.cameras.get(c.camera)?.open.length).length +
      (f.sensors || []).filter((s) => idx.sensors.get(s.id)?.open.length).length;
    return `${f.name || f.id}${n ? ` (${n} alerting)` : ''}`;
  }

  function updateLights() {
    if (!site) return;
    const idx = alertIndex();
    site.floors.forEach((f, i) => {
      select.options[i].textContent = floorLabel(f, idx);
    });
    const light = (node, entry) => {
      const open = entry?.open || [];
      const acked = entry?.acked || [];
      node.classList.toggle('alerting', open.length > 0);
      node.classList.toggle('acknowledged', open.length === 0 && acked.length > 0);
      const first = open[0] || acked[0];
      if (first) node.setAttribute('href', `#/alert/${first.id}`);
      else node.removeAttribute('href');
      node.dataset.alertIds = [...open, ...acked].map((a) => a.id).join(',');
    };
    for (const node of plan.querySelectorAll('.map-camera'))
      light(node, node.dataset.camera ? idx.cameras.get(node.dataset.camera) : null);
    for (const node of plan.querySelectorAll('.camera-view')) {
      const e = node.dataset.viewOf ? idx.cameras.get(node.dataset.viewOf) : null;
      node.classList.toggle('alerting', !!e?.open.length);
    }
    for (const node of plan.querySelectorAll('.map-sensor')) light(node, idx.sensors.get(node.dataset.sensor));

    // The same as text, for every floor.
    const items = [];
    for (const f of site.floors) {
      for (const c of f.cameras || []) {
        const e = c.camera && idx.cameras.get(c.camera);
        for (const a of e ? e.open : []) {
          items.push(
            el(
              'li',
              {},
              el(
                'a',
                { href: `#/alert/${a.id}` },
                `Camera ${c.id} (${c.camera}), ${f.name || f.id}: ${humanize(a.type)} #${a.id}, ${a.severity}`,
              ),
            ),
          );
        }
      }
      for (const s of f.sensors || []) {
        for (const a of idx.sensors.get(s.id)?.open || []) {
          items.push(
            el(
              'li',
              {},
              el(
                'a',
                { href: `#/alert/${a.id}` },
                `Sensor ${s.id}, ${f.name || f.id}: ${humanize(a.type)} #${a.id}, ${a.severity}`,
              ),
            ),
          );
        }
      }
    }
    if (!items.length) items.push(el('li', { class: 'empty' }, 'Nothing on the map has an open alert.'));
    clear(alerting).append(...items);
  }

  function showFloor(id) {
    const f = site.floors.find((x) => x.id === id) || site.floors[0];
    floorId = f.id;
    select.value = f.id;
    feeds = feedKey();
    clear(plan).append(renderFloor(f));
    updateLights();
  }

  select.addEventListener('change', () => showFloor(select.value));

  get('/api/site')
    .then((s) => {
      if (destroyed) return;
      site = { floors: s.floors || [] };
      if (!site.floors.length) {
        status.textContent = 'The site model has no floors.';
        return;
      }
      status.textContent = '';
      for (const f of site.floors) select.append(el('option', { value: f.id }, f.name || f.id));
      selectRow.hidden = site.floors.length < 2;
      showFloor(floorId || site.floors[0].id);
    })
    .catch((e) => {
      if (destroyed || e.status === 401) return;
      status.textContent =
        e.status === 404 ? 'No site model configured.' : `Could not load the site model: ${e.message}`;
    });

  // A full load may bring the camera list, and a camera may stop or start
  // streaming: the floor is drawn again when a site camera's feed changed.
  const onReset = () => (site && floorId ? showFloor(floorId) : updateLights());
  const onCamera = () => {
    const k = feedKey();
    if (k !== feeds && site && floorId) showFloor(floorId);
  };
  live.addEventListener('alert', updateLights);
  live.addEventListener('reset', onReset);
  live.addEventListener('camera', onCamera);
  return () => {
    destroyed = true;
    live.removeEventListener('alert', updateLights);
    live.removeEventListener('reset', onReset);
    live.removeEventListener('camera', onCamera);
  };
}
