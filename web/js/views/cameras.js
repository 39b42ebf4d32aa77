// Camera wall: one tile per camera with its live MJPEG stream and a status badge
// (from the "camera" messages of the live feed; "tampered" while a tamper alert
// on the camera is not resolved). Each MJPEG stream holds a server thread and
// one of the browser's few connections per host, so only visible tiles stream,
// at most MAX_STREAMS at once, and every stream is closed when the screen is
// left, the tab is hidden or a camera is enlarged.

import { get, enc } from '../api.js';
import { live } from '../live.js';
import { el, clear } from '../util.js';

// Browsers open about 6 HTTP/1.1 connections per host; the live feed holds one
// and the API needs one.
const MAX_STREAMS = 4;
const TILE_FPS = 5;
const BIG_FPS = 10;
const RETRY_MS = 5000;

function mjpegUrl(name, fps) {
  return `/api/cameras/${enc(name)}/mjpeg?fps=${fps}`;
}

// Closes the stream of an <img> (the request is aborted when src goes away).
function stopImg(img) {
  img.dataset.streaming = '';
  img.removeAttribute('src');
}

export function mount(main) {
  const tiles = new Map(); // name -> {figure, img, badge, visible, note}
  const visible = new Set();
  let enlarged = null;
  let retryTimer = null;
  let destroyed = false;

  const grid = el('ul', { id: 'camera-wall', class: 'camera-wall', 'aria-label': 'Cameras' });
  const status = el('p', { class: 'load-status', role: 'status' }, 'Loading cameras…');
  const bigImg = el('img', { id: 'camera-big-img', alt: '' });
  const bigBadge = el('span', { class: 'badge status-badge' });
  const bigTitle = el('h2', { id: 'camera-big-title' });
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
    bigImg,
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
          `Live video of the visible cameras (at most ${MAX_STREAMS} at once). Select a camera to enlarge it.`,
        ),
        status,
      ),
      grid,
      dialog,
    ),
  );

  function statusOf(name) {
    return live.cameraStatus(name);
  }

  function renderBadge(badge, name) {
    const s = statusOf(name);
    badge.textContent = s;
    badge.dataset.status = s;
    badge.className = `badge status-badge status-${s}`;
  }

  function renderTile(name) {
    const t = tiles.get(name);
    if (!t) return;
    renderBadge(t.badge, name);
    t.figure.dataset.status = statusOf(name);
    const c = live.cameras.get(name);
    t.detail.textContent = c && Number.isFinite(c.fps) ? `${c.fps.toFixed(1)} fps` : '';
    t.detail.title = c?.error || '';
    if (enlarged === name) renderBadge(bigBadge, name);
  }

  // Starts the streams of visible tiles up to the cap and stops the others.
  function schedule() {
    if (destroyed) return;
    const active = !document.hidden && !enlarged;
    let budget = active ? MAX_STREAMS : 0;
    for (const [name, t] of tiles) {
      const want = active && visible.has(name) && budget > 0 && !t.failed;
      if (want) {
        budget -= 1;
        if (!t.img.dataset.streaming) {
          t.img.dataset.streaming = '1';
          t.img.src = mjpegUrl(name, TILE_FPS);
        }
        t.note.hidden = true;
      } else {
        if (t.img.dataset.streaming) stopImg(t.img);
        const capped = active && visible.has(name) && !t.failed;
        t.note.hidden = !capped && !t.failed;
        t.note.textContent = t.failed ? 'Stream unavailable, retrying…' : 'Paused (stream limit): enlarge to watch';
      }
    }
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const name = e.target.dataset.camera;
        if (e.isIntersecting) visible.add(name);
        else visible.delete(name);
      }
      schedule();
    },
    { rootMargin: '50px' },
  );

  function buildTile(cam) {
    const name = cam.name;
    const img = el('img', { class: 'tile-img', alt: `Live view of camera ${name}`, width: 640, height: 360 });
    const badge = el('span', { class: 'badge status-badge', dataset: { role: 'status' } });
    const detail = el('span', { class: 'tile-detail' });
    const note = el('span', { class: 'tile-note', hidden: true });
    const button = el(
      'button',
      { type: 'button', class: 'tile-button', 'aria-label': `Enlarge camera ${name}` },
      img,
      note,
    );
    const figure = el(
      'li',
      { class: 'camera-tile', dataset: { camera: name } },
      el('figure', {}, button, el('figcaption', {}, el('span', { class: 'tile-name' }, name), badge, detail)),
    );
    const t = { figure, img, badge, detail, note, failed: false };
    img.addEventListener('error', () => {
      if (!img.dataset.streaming) return; // src removed on purpose
      stopImg(img);
      t.failed = true;
      schedule();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        for (const x of tiles.values()) x.failed = false;
        schedule();
      }, RETRY_MS);
    });
    button.addEventListener('click', () => open(name, button));
    tiles.set(name, t);
    observer.observe(figure);
    return figure;
  }

  function open(name, opener) {
    enlarged = name;
    schedule(); // frees the tile streams
    bigTitle.textContent = `Camera ${name}`;
    bigImg.alt = `Live view of camera ${name}`;
    bigImg.dataset.streaming = '1';
    bigImg.src = mjpegUrl(name, BIG_FPS);
    renderBadge(bigBadge, name);
    dialog.returnFocus = opener;
    dialog.showModal();
  }

  dialog.addEventListener('close', () => {
    stopImg(bigImg);
    enlarged = null;
    schedule();
    dialog.returnFocus?.focus();
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
    schedule();
  }

  function onCamera(e) {
    const name = e.detail.name;
    if (!tiles.has(name)) {
      grid.append(buildTile({ name }));
      status.textContent = '';
    }
    renderTile(name);
  }

  function onAlert(e) {
    if (e.detail.alert.type === 'tamper') renderTile(e.detail.alert.camera);
  }

  function onReset() {
    for (const name of live.cameras.keys()) {
      if (!tiles.has(name)) grid.append(buildTile({ name }));
    }
    for (const name of tiles.keys()) renderTile(name);
  }

  get('/api/cameras')
    .then((r) => {
      if (destroyed) return;
      const cams = r.cameras || [];
      status.textContent = cams.length ? '' : 'No cameras are configured.';
      for (const c of cams) {
        const prev = live.cameras.get(c.name);
        if (!prev) live.cameras.set(c.name, c);
        if (!tiles.has(c.name)) grid.append(buildTile(c));
        renderTile(c.name);
      }
    })
    .catch((e) => {
      if (!destroyed && e.status !== 401) status.textContent = `Could not load the cameras: ${e.message}`;
    });

  live.addEventListener('camera', onCamera);
  live.addEventListener('alert', onAlert);
  live.addEventListener('reset', onReset);
  document.addEventListener('visibilitychange', onVisibility);

  return () => {
    destroyed = true;
    clearTimeout(retryTimer);
    observer.disconnect();
    for (const t of tiles.values()) stopImg(t.img);
    stopImg(bigImg);
    if (dialog.open) dialog.close();
    live.removeEventListener('camera', onCamera);
    live.removeEventListener('alert', onAlert);
    live.removeEventListener('reset', onReset);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
