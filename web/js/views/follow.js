// Following a person across cameras, for operators (docs/handoff.md): in a camera's
// live view each person the tracker holds is outlined; selecting one asks why they
// should be followed (the reason is audited) and starts the follow. The cameras page
// lists the people followed, where they were last seen, and stops a follow. Each later
// sighting arrives as a `followed_person` alert.

import { get, post, enc } from '../api.js';
import { el, clear, errorText, timeEl, toast } from '../util.js';

// Often: an outline that lags its person by a second misses a walking visitor.
const TRACKS_REFRESH_MS = 300;
const FOLLOWS_REFRESH_MS = 5000;
const REASON_MAX = 500;

// The rectangle the picture occupies inside an <img> with object-fit: contain.
function pictureRect(img) {
  const nw = img.naturalWidth;
  const nh = img.naturalHeight;
  const cw = img.clientWidth;
  const ch = img.clientHeight;
  if (!nw || !nh || !cw || !ch) return null;
  const scale = Math.min(cw / nw, ch / nh);
  const w = nw * scale;
  const h = nh * scale;
  return { left: img.offsetLeft + (cw - w) / 2, top: img.offsetTop + (ch - h) / 2, width: w, height: h };
}

// Outlines over the live picture `img` (which the caller places in `frame`, returned)
// and the follow form. start(camera) / stop() as the live view opens and closes.
export function followControls(img, onFollowed) {
  const layer = el('div', { class: 'track-layer', dataset: { role: 'tracks' } });
  const frame = el('div', { class: 'camera-big-frame' }, img, layer);
  const reason = el('textarea', {
    id: 'follow-reason',
    rows: 2,
    maxlength: REASON_MAX,
    required: true,
    placeholder: 'Why this person should be followed (kept in the audit log)',
  });
  const title = el('p', { class: 'follow-title' });
  const msg = el('p', { class: 'row-msg', role: 'status', id: 'follow-message' });
  const cancel = el('button', { type: 'button', class: 'btn btn-small' }, 'Cancel');
  const form = el(
    'form',
    { id: 'follow-form', class: 'follow-form', hidden: true },
    title,
    el('label', { for: 'follow-reason' }, 'Reason'),
    reason,
    el('div', { class: 'follow-buttons' }, el('button', { type: 'submit', class: 'btn btn-primary' }, 'Follow'), cancel),
  );
  const panel = el('div', { class: 'follow-panel' }, form, msg);
  let camera = null;
  let track = null;
  let timer = null;
  let last = null; // the last answer of /tracks

  // Outlines are updated in place (keyed by track id), so one under the pointer stays
  // the same element while its person walks.
  const boxes = new Map(); // track id -> button
  function draw() {
    const r = pictureRect(img);
    const tracks = r && last ? last.tracks || [] : [];
    if (r) Object.assign(layer.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
    const seen = new Set();
    for (const t of tracks) {
      seen.add(t.id);
      let b = boxes.get(t.id);
      if (!b) {
        b = el('button', { type: 'button', dataset: { track: t.id } }, el('span', { class: 'track-label' }));
        b.addEventListener('click', () => select(b.track));
        boxes.set(t.id, b);
        layer.append(b);
      }
      b.track = t;
      const [x, y, w, h] = t.box;
      Object.assign(b.style, { left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${h * 100}%` });
      b.className = `track-box${t.follow ? ' track-followed' : ''}${t.id === track ? ' track-selected' : ''}`;
      b.setAttribute('aria-label', t.follow ? `Track ${t.id}, followed (follow ${t.follow})` : `Follow the person of track ${t.id}`);
      b.firstChild.textContent = t.follow ? `followed #${t.follow}` : `#${t.id}`;
    }
    for (const [id, b] of boxes) {
      if (seen.has(id)) continue;
      b.remove();
      boxes.delete(id);
    }
  }

  function select(t) {
    if (t.follow) {
      msg.textContent = `Track ${t.id} is followed already (follow ${t.follow}).`;
      return;
    }
    track = t.id;
    title.textContent = `Follow the person of track ${t.id} across cameras`;
    msg.textContent = '';
    delete msg.dataset.kind;
    form.hidden = false;
    reason.focus();
    draw();
  }

  function reset() {
    track = null;
    form.hidden = true;
    reason.value = '';
  }

  async function refresh() {
    if (!camera) return;
    const asked = camera;
    try {
      const r = await get(`/api/cameras/${enc(asked)}/tracks`);
      if (asked !== camera) return;
      last = r;
    } catch {
      last = null; // a camera of another node, or none yet: no outlines
    }
    draw();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const why = reason.value.trim();
    if (!why) {
      msg.dataset.kind = 'error';
      msg.textContent = 'Say why this person should be followed.';
      return;
    }
    try {
      const f = await post('/api/follows', { camera, track, reason: why });
      msg.dataset.kind = 'ok';
      msg.textContent = `Following (follow ${f.id}): an alert comes when they enter a zone or appear in the next camera.`;
      toast(`Following the person of track ${track}`);
      reset();
      onFollowed?.();
      refresh();
    } catch (err) {
      msg.dataset.kind = 'error';
      msg.textContent = err.status === 404 ? 'That person has left the view.' : errorText(err, 'Following');
    }
  });
  cancel.addEventListener('click', () => {
    reset();
    draw();
  });
  img.addEventListener('load', draw);
  const onResize = () => draw();
  window.addEventListener('resize', onResize);

  return {
    frame,
    panel,
    start(name) {
      camera = name;
      last = null;
      reset();
      msg.textContent = '';
      clearInterval(timer);
      timer = setInterval(refresh, TRACKS_REFRESH_MS);
      refresh();
    },
    stop() {
      camera = null;
      last = null;
      clearInterval(timer);
      timer = null;
      reset();
      draw();
    },
    destroy() {
      this.stop();
      window.removeEventListener('resize', onResize);
    },
  };
}

// The people followed now, with a Stop button each; hidden when there are none.
export function followList() {
  const list = el('ul', { class: 'follow-list' });
  const node = el(
    'section',
    { id: 'follows', class: 'follows', hidden: true, 'aria-label': 'Followed people' },
    el('h2', {}, 'Followed people'),
    list,
  );
  let destroyed = false;

  function item(f) {
    const stop = el('button', { type: 'button', class: 'btn btn-small', dataset: { follow: f.id } }, 'Stop');
    stop.addEventListener('click', async () => {
      stop.disabled = true;
      try {
        await post(`/api/follows/${f.id}/stop`);
        toast(`Follow ${f.id} stopped`);
      } catch (e) {
        toast(errorText(e, 'Stopping the follow'), 'error');
      }
      refresh();
    });
    return el(
      'li',
      { dataset: { follow: f.id } },
      el('strong', {}, `#${f.id}`),
      ` ${f.reason} · last seen on `,
      el('span', { class: 'follow-camera' }, f.camera),
      ' ',
      timeEl(f.last_seen_at),
      f.cameras?.length > 1 ? ` · via ${f.cameras.join(' → ')}` : '',
      ` · by ${f.by} `,
      stop,
    );
  }

  async function refresh() {
    let follows = [];
    try {
      follows = ((await get('/api/follows')).follows || []).filter((f) => f.active);
    } catch {
      follows = []; // not an operator, or a server that does not follow people
    }
    if (destroyed) return;
    clear(list).append(...follows.map(item));
    node.hidden = follows.length === 0;
  }
  const timer = setInterval(refresh, FOLLOWS_REFRESH_MS);
  refresh();
  return {
    node,
    refresh,
    destroy() {
      destroyed = true;
      clearInterval(timer);
    },
  };
}
