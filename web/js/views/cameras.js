// Camera wall for a hundred cameras and more: each tile is the camera's latest
// picture, fetched as one small request about once a second
// (GET /api/cameras/{name}/frame?size=tile: at most 320 px wide, made by the daemon
// once a second while a wall shows it and shared by every wall open) and only for
// tiles on the current page that are on screen. No connection stays open per tile, so the browser's few
// connections per host are not a limit; only the enlarged camera streams MJPEG.
//
// Tiles are grouped by floor of the site model (cameras it does not place come
// last); cameras with an open alert come first, in a group of their own. Pages
// of 12 to 100 tiles. A camera that is not online shows its status over the
// last picture it sent.

import { get, enc } from '../api.js';
import { live } from '../live.js';
import { can } from '../session.js';
import { el, clear } from '../util.js';
import { followControls, followList } from './follow.js';

const TILE_REFRESH_MS = 1000;
const BIG_FPS = 10;
const PAGE_SIZES = [12, 24, 48, 100];
const DEFAULT_PAGE_SIZE = 24;
const PAGE_SIZE_KEY = 'argus.wall.pageSize';
const ALERTING = 'Alerting now';
const UNPLACED = 'Other cameras';

function frameUrl(name, n) {
  return `/api/cameras/${enc(name)}/frame?size=tile&n=${n}`;
}

function mjpegUrl(name, fps) {
  return `/api/cameras/${enc(name)}/mjpeg?fps=${fps}`;
}

// Closes the stream of an <img> (the request is aborted when src goes away).
function stopImg(img) {
  img.dataset.streaming = '';
  img.removeAttribute('src');
}

function savedPageSize() {
  const n = Number(localStorage.getItem(PAGE_SIZE_KEY));
  return PAGE_SIZES.includes(n) ? n : DEFAULT_PAGE_SIZE;
}

// camera name -> {group, rank}: the floor of the site model that places it.
function groupsOf(site) {
  const out = new Map();
  (site?.floors || []).forEach((f, rank) => {
    for (const c of f.cameras || []) {
      if (c.camera && !out.has(c.camera)) out.set(c.camera, { group: f.name || f.id, rank });
    }
  });
  return out;
}

export function mount(main) {
  const tiles = new Map(); // name -> {li, img, badge, detail, note, loading}
  const visible = new Set();
  let groups = new Map();
  let pageSize = savedPageSize();
  let page = 0;
  let layoutKey = '';
  let shownNames = new Set(); // the cameras of the current page
  let enlarged = null;
  let destroyed = false;
  let frameCount = 0;

  const wall = el('div', { id: 'camera-wall', class: 'camera-wall-pages', 'aria-label': 'Cameras' });
  const status = el('p', { class: 'load-status', role: 'status' }, 'Loading cameras…');
  const sizeSelect = el(
    'select',
    { id: 'wall-page-size' },
    PAGE_SIZES.map((n) => el('option', { value: n, selected: n === pageSize }, `${n} per page`)),
  );
  const prev = el('button', { type: 'button', class: 'btn btn-small', id: 'wall-prev' }, '← Previous');
  const next = el('button', { type: 'button', class: 'btn btn-small', id: 'wall-next' }, 'Next →');
  const pageInfo = el('span', { id: 'wall-page', class: 'wall-page' });
  const pager = el(
    'div',
    { class: 'wall-pager' },
    prev,
    pageInfo,
    next,
    el('label', { class: 'visually-hidden', for: 'wall-page-size' }, 'Tiles per page'),
    sizeSelect,
  );
  const bigImg = el('img', { id: 'camera-big-img', alt: '' });
  // Operators follow a person from the live view (views/follow.js).
  const follows = can('operator') ? followList() : null;
  const follow = can('operator') ? followControls(bigImg, () => follows.refresh()) : null;
  const bigBadge = el('span', { class: 'badge status-badge' });
  const bigTitle = el('h2', { id: 'camera-big-title' });
  // What the camera learned of normal activity (src/learn): loaded when opened.
  const learnedImg = el('img', { id: 'camera-learned-img', alt: '' });
  const learnedNote = el('p', { class: 'hint', id: 'camera-learned-note', role: 'status' });
  const learned = el(
    'details',
    { id: 'camera-learned', class: 'camera-learned' },
    el('summary', {}, 'What this camera learned'),
    learnedNote,
    learnedImg,
  );
  const dialog = el(
    'dialog',
    { id: 'camera-dialog', class: 'camera-dialog', 'aria-labelledby': 'camera-big-title' },
    el(
      'div',
      { class: 'camera-dialog-head' },
      bigTitle,
      bigBadge,
      el('button', { type: 'button', class: 'btn', id: 'camera-dialog-close', onclick: () => dialog.close() }, 'Close'),
    ),
    follow ? [follow.frame, follow.panel] : bigImg,
    learned,
  );
  clear(main).append(
    el(
      'div',
      { class: 'page page-cameras' },
      el(
        'div',
        { class: 'page-head' },
        el('h1', {}, 'Cameras'),
        el(
          'p',
          { class: 'hint' },
          'Pictures refresh about once a second; cameras with an open alert come first. Select a camera for live video.',
        ),
        status,
        pager,
        follows?.node,
      ),
      wall,
      dialog,
    ),
  );

  function alerting(name) {
    for (const a of live.alerts.values()) {
      if (a.camera === name && a.state === 'open') return true;
    }
    return false;
  }

  // Every camera in wall order: alerting ones, then by floor, then by name.
  function ordered() {
    const names = [...live.cameras.keys()];
    const key = (n) => {
      if (alerting(n)) return [0, 0, ALERTING];
      const g = groups.get(n);
      return g ? [1, g.rank, g.group] : [2, 0, UNPLACED];
    };
    return names
      .map((n) => ({ name: n, key: key(n) }))
      .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.name.localeCompare(b.name))
      .map((x) => ({ name: x.name, group: x.key[2] }));
  }

  function renderBadge(badge, name) {
    const s = live.cameraStatus(name);
    badge.textContent = s;
    badge.dataset.status = s;
    badge.className = `badge status-badge status-${s}`;
  }

  function renderTile(name) {
    const t = tiles.get(name);
    if (!t) return;
    renderBadge(t.badge, name);
    const s = live.cameraStatus(name);
    t.li.dataset.status = s;
    t.li.classList.toggle('tile-alerting', alerting(name));
    const c = live.cameras.get(name);
    if (s === 'remote') t.detail.textContent = `on node ${c?.node || '?'}`;
    else t.detail.textContent = c && Number.isFinite(c.fps) ? `${c.fps.toFixed(1)} fps` : '';
    t.detail.title = c?.error || '';
    t.note.hidden = s === 'online' || s === 'tampered' || s === 'remote'; // remote: its node's picture
    t.note.textContent = s === 'unknown' ? 'No status yet' : `Camera ${s}${c?.error ? `: ${c.error}` : ''}`;
    if (enlarged === name) renderBadge(bigBadge, name);
  }

  function tileOf(name) {
    let t = tiles.get(name);
    if (t) return t;
    const img = el('img', { class: 'tile-img', alt: `Latest picture of camera ${name}`, width: 320, height: 240 });
    const badge = el('span', { class: 'badge status-badge', dataset: { role: 'status' } });
    const detail = el('span', { class: 'tile-detail' });
    const note = el('span', { class: 'tile-note', hidden: true });
    const button = el(
      'button',
      { type: 'button', class: 'tile-button', 'aria-label': `Enlarge camera ${name}` },
      img,
      note,
    );
    const li = el(
      'li',
      { class: 'camera-tile', dataset: { camera: name } },
      el('figure', {}, button, el('figcaption', {}, el('span', { class: 'tile-name' }, name), badge, detail)),
    );
    t = { li, img, badge, detail, note, loading: false };
    const done = () => {
      t.loading = false;
    };
    img.addEventListener('load', done);
    img.addEventListener('error', done); // the last picture stays; the next tick tries again
    button.addEventListener('click', () => open(name, button));
    tiles.set(name, t);
    return t;
  }

  // Rebuilds the current page when its cameras or their order changed.
  function layout() {
    if (destroyed) return;
    const all = ordered();
    const pages = Math.max(1, Math.ceil(all.length / pageSize));
    page = Math.min(page, pages - 1);
    const shown = all.slice(page * pageSize, (page + 1) * pageSize);
    shownNames = new Set(shown.map((x) => x.name));
    pageInfo.textContent = `Page ${page + 1} of ${pages} · ${all.length} camera${all.length === 1 ? '' : 's'}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pager.hidden = all.length <= PAGE_SIZES[0];
    const key = `${pageSize}|${shown.map((x) => `${x.group}/${x.name}`).join('|')}`;
    if (key !== layoutKey) {
      layoutKey = key;
      observer.disconnect();
      visible.clear();
      const sections = [];
      for (const x of shown) {
        let s = sections.at(-1);
        if (!s || s.group !== x.group) {
          s = { group: x.group, names: [] };
          sections.push(s);
        }
        s.names.push(x.name);
      }
      clear(wall).append(
        ...sections.map((s) =>
          el(
            'section',
            { class: `wall-group${s.group === ALERTING ? ' wall-group-alerting' : ''}`, dataset: { group: s.group } },
            el('h2', { class: 'wall-group-title' }, s.group, el('span', { class: 'count' }, ` ${s.names.length}`)),
            el(
              'ul',
              { class: 'camera-wall', 'aria-label': s.group },
              s.names.map((n) => tileOf(n).li),
            ),
          ),
        ),
      );
      for (const x of shown) observer.observe(tiles.get(x.name).li);
    }
    for (const x of shown) renderTile(x.name);
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const name = e.target.dataset.camera;
        if (e.isIntersecting) visible.add(name);
        else visible.delete(name);
      }
      refresh();
    },
    { rootMargin: '100px' },
  );

  // One request per visible tile whose previous picture has arrived; none for a
  // camera that is not online (it has no new picture to give).
  function refresh() {
    if (destroyed || document.hidden || enlarged) return;
    for (const name of visible) {
      const t = tiles.get(name);
      if (!t || t.loading || !['online', 'tampered'].includes(live.cameraStatus(name))) continue;
      t.loading = true;
      frameCount += 1;
      t.img.src = frameUrl(name, frameCount);
    }
  }
  const timer = setInterval(refresh, TILE_REFRESH_MS);

  function open(name, opener) {
    enlarged = name;
    bigTitle.textContent = `Camera ${name}`;
    bigImg.alt = `Live view of camera ${name}`;
    bigImg.dataset.streaming = '1';
    bigImg.src = mjpegUrl(name, BIG_FPS);
    renderBadge(bigBadge, name);
    follow?.start(name);
    learned.open = false;
    learnedImg.removeAttribute('src');
    learnedImg.hidden = true;
    learnedNote.textContent = '';
    dialog.returnFocus = opener;
    dialog.showModal();
  }

  // Occupancy, flow and speed per cell; the server says why when there is nothing yet.
  learned.addEventListener('toggle', () => {
    if (!learned.open || !enlarged) return;
    learnedNote.textContent = 'Loading…';
    learnedImg.alt = `What camera ${enlarged} learned: occupancy, flow and speed per cell`;
    learnedImg.src = `/api/cameras/${enc(enlarged)}/learned.svg?n=${Date.now()}`;
  });
  learnedImg.addEventListener('load', () => {
    learnedImg.hidden = false;
    learnedNote.textContent = 'Hatched cells: too little seen there to judge.';
  });
  learnedImg.addEventListener('error', () => {
    if (!learnedImg.getAttribute('src') || !enlarged) return;
    learnedImg.hidden = true;
    get(`/api/cameras/${enc(enlarged)}/learned.svg`).then(
      () => {
        learnedNote.textContent = '';
      },
      (e) => {
        learnedNote.textContent = e.message;
      },
    );
  });

  dialog.addEventListener('close', () => {
    stopImg(bigImg);
    follow?.stop();
    enlarged = null;
    dialog.returnFocus?.focus();
    refresh();
  });
  // A click on the backdrop closes the enlarged view too.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });

  function onVisibility() {
    if (document.hidden && enlarged) stopImg(bigImg);
    else if (!document.hidden && enlarged && !bigImg.dataset.streaming) {
      bigImg.dataset.streaming = '1';
      bigImg.src = mjpegUrl(enlarged, BIG_FPS);
    }
    refresh();
  }

  prev.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    layout();
  });
  next.addEventListener('click', () => {
    page += 1;
    layout();
  });
  sizeSelect.addEventListener('change', () => {
    pageSize = Number(sizeSelect.value);
    localStorage.setItem(PAGE_SIZE_KEY, String(pageSize));
    page = 0;
    layout();
  });

  function onCamera(e) {
    // A new camera may join the current page; a status change may not move any.
    if (shownNames.has(e.detail.name)) renderTile(e.detail.name);
    else layout();
  }

  get('/api/cameras')
    .then((r) => {
      if (destroyed) return;
      const cams = r.cameras || [];
      status.textContent = cams.length ? '' : 'No cameras are configured.';
      for (const c of cams) {
        if (!live.cameras.has(c.name)) live.cameras.set(c.name, c);
      }
      layout();
    })
    .catch((e) => {
      if (!destroyed && e.status !== 401) status.textContent = `Could not load the cameras: ${e.message}`;
    });
  get('/api/site')
    .then((s) => {
      if (destroyed) return;
      groups = groupsOf(s);
      layout();
    })
    .catch(() => {}); // no site model: one group

  live.addEventListener('camera', onCamera);
  live.addEventListener('alert', layout);
  live.addEventListener('reset', layout);
  document.addEventListener('visibilitychange', onVisibility);

  return () => {
    destroyed = true;
    clearInterval(timer);
    observer.disconnect();
    for (const t of tiles.values()) t.img.removeAttribute('src');
    stopImg(bigImg);
    follow?.destroy();
    follows?.destroy();
    if (dialog.open) dialog.close();
    live.removeEventListener('camera', onCamera);
    live.removeEventListener('alert', layout);
    live.removeEventListener('reset', layout);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
