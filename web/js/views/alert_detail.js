// One alert: snapshot with the event boxes and track drawn over it, the clip
// (operators), the event timeline, who acknowledged / resolved it, and the
// actions.

import { get, probe } from '../api.js';
import { live } from '../live.js';
import { actionForm } from '../actions.js';
import { can } from '../session.js';
import {
  el,
  svg,
  clear,
  humanize,
  timeEl,
  formatLocal,
  formatLocalFull,
  bboxOf,
  formatDetails,
  refreshRelativeTimes,
} from '../util.js';

const TIMELINE_REFRESH_MS = 2000;
// Incidents of one alert with their own evidence (kMaxIncidentsWithEvidence, src/app/evidence_service.h).
const MAX_INCIDENT_EVIDENCE = 32;
const TRACK_COLOURS = ['#ffb454', '#58a6ff', '#7ee787', '#ff7b72', '#d2a8ff', '#79c0ff', '#f2cc60', '#56d4dd'];

function colourOf(trackId) {
  const n = Number(trackId);
  return TRACK_COLOURS[(Number.isFinite(n) ? Math.abs(n) : 0) % TRACK_COLOURS.length];
}

// The alert's events, oldest first.
async function loadTimeline(alert) {
  const r = await get(`/api/alerts/${alert.id}/timeline`);
  return r.events || [];
}

const CHAR_EM = 0.66; // glyph width of the overlay's bold font, in ems, when it cannot be measured
const LINE_EM = 1.25; // a label's height (the font's ascent and descent, and a margin)
const PLACE_STEPS = 12; // label heights tried above and below the box
const GAP_EM = 0.5; // kept free beside a label, so that two on one line do not read as one

// Places each track's label by its box where it covers no label placed before:
// above the box, below it, inside its top, then further up or down in steps, each
// from the box's left edge or ending at its right edge. Returns
// (box {x, y, w, h}, label width) -> the label's baseline {x, y}.
function labelPlacer(width, height, font) {
  const placed = [];
  const h = font * LINE_EM;
  const free = (r) =>
    r.x >= 0 &&
    r.y >= 0 &&
    r.x + r.w <= width &&
    r.y + r.h <= height &&
    !placed.some((q) => r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h);
  return (b, w) => {
    const clampX = (x) => Math.min(Math.max(0, x), Math.max(0, width - w));
    const xs = [clampX(b.x), clampX(b.x + b.w - w)];
    const tops = [b.y - h - 2, b.y + b.h + 2, b.y + 2];
    for (let k = 1; k <= PLACE_STEPS; ++k) tops.push(b.y - h - 2 - k * h, b.y + b.h + 2 + k * h);
    let spot = { x: xs[0], y: Math.min(Math.max(0, b.y - h - 2), height - h) }; // if nothing is free
    search: for (const y of tops) {
      for (const x of xs) {
        if (free({ x, y, w, h })) {
          spot = { x, y };
          break search;
        }
      }
    }
    const gap = font * GAP_EM;
    placed.push({ x: spot.x - gap, y: spot.y, w: w + 2 * gap, h });
    return { x: spot.x, y: spot.y + font * 0.95 };
  };
}

function drawOverlay(overlay, img, events) {
  clear(overlay);
  const w = img.naturalWidth;
  const h = img.naturalHeight;
  if (!w || !h) return 0;
  overlay.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const stroke = Math.max(1.5, w / 400);
  const font = Math.max(11, w / 50);
  const tracks = new Map();
  for (const e of events) {
    const b = bboxOf(e);
    if (!b) continue;
    const key = e.track_id ?? -1;
    if (!tracks.has(key)) tracks.set(key, []);
    tracks.get(key).push({ e, b });
  }
  const place = labelPlacer(w, h, font);
  let drawn = 0;
  for (const [trackId, list] of tracks) {
    const colour = colourOf(trackId);
    const g = svg('g', { class: 'overlay-track', dataset: { trackId } });
    list.forEach(({ e, b }, i) => {
      const last = i === list.length - 1;
      g.append(
        svg(
          'rect',
          {
            x: b.x,
            y: b.y,
            width: b.w,
            height: b.h,
            fill: 'none',
            stroke: colour,
            'stroke-width': last ? stroke * 2 : stroke,
            'stroke-opacity': last ? 1 : 0.55,
            'stroke-dasharray': e.phase === 'end' ? `${stroke * 4} ${stroke * 3}` : null,
            dataset: { seq: e.seq, phase: e.phase },
          },
          svg('title', {}, `${humanize(e.phase)} ${formatLocal(e.received_at)} track ${trackId}`),
        ),
      );
      drawn += 1;
    });
    // The path of the feet (bottom centre of each box): the track.
    if (list.length > 1) {
      const pts = list.map(({ b }) => `${(b.x + b.w / 2).toFixed(1)},${(b.y + b.h).toFixed(1)}`).join(' ');
      g.append(
        svg('polyline', {
          points: pts,
          fill: 'none',
          stroke: colour,
          'stroke-width': stroke * 1.5,
          class: 'overlay-path',
        }),
      );
    }
    const { e, b } = list[list.length - 1];
    const label = `${e.label || 'track'} ${trackId >= 0 ? `#${trackId}` : ''}`.trim();
    const text = svg('text', { fill: colour, 'font-size': font, class: 'overlay-label' }, label);
    g.append(text);
    overlay.append(g);
    // Its width as drawn (0 while the overlay is hidden: then estimated).
    const at = place(b, text.getComputedTextLength() || font * CHAR_EM * label.length);
    text.setAttribute('x', at.x);
    text.setAttribute('y', at.y);
  }
  return drawn;
}

function historyList(a) {
  const items = [
    el(
      'li',
      {},
      el('span', { class: 'h-what' }, 'Opened'),
      ' ',
      el('time', { datetime: a.opened_at }, formatLocalFull(a.opened_at)),
    ),
  ];
  if (a.escalation_level > 0) {
    items.push(el('li', {}, el('span', { class: 'h-what' }, 'Escalation level'), ` ${a.escalation_level}`));
  }
  for (const [label, act, key] of [
    ['Acknowledged', a.ack, 'ack'],
    ['Resolved', a.resolution, 'resolution'],
  ]) {
    if (!act) continue;
    items.push(
      el(
        'li',
        { dataset: { history: key } },
        el('span', { class: 'h-what' }, label),
        ' by ',
        el('strong', { class: 'h-who' }, act.who || '?'),
        ' ',
        el('time', { datetime: act.when, title: formatLocalFull(act.when) }, formatLocalFull(act.when)),
        act.note ? el('blockquote', { class: 'h-note' }, act.note) : null,
      ),
    );
  }
  return el('ol', { id: 'alert-history', class: 'history-list' }, items);
}

function infoList(a) {
  const rows = [
    ['Camera', a.camera],
    ['Rule', a.rule],
    ['Zone / artwork', a.zone ? humanize(a.zone) : '—'],
    ['Opened', el('span', {}, formatLocalFull(a.opened_at), ' (', timeEl(a.opened_at), ')')],
    ['Last event', el('span', {}, formatLocalFull(a.last_event_at), ' (', timeEl(a.last_event_at), ')')],
    ['Events', String(a.event_count ?? '—')],
    ['Incidents', (a.incident_ids || []).join(', ') || '—'],
    ['Ongoing incidents', String(a.active_incidents ?? 0)],
    ['Escalation level', String(a.escalation_level ?? 0)],
  ];
  return el(
    'dl',
    { class: 'info-list' },
    rows.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))),
  );
}

function timelineTable(events) {
  if (!events.length) return el('p', { class: 'empty' }, 'No events recorded for this alert.');
  return el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      { id: 'alert-timeline', class: 'data-table' },
      el('caption', { class: 'visually-hidden' }, 'Events of the alert, oldest first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Time', 'Phase', 'Type', 'Severity', 'Track', 'Label', 'Zone', 'Stream t', 'Details'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        events.map((e) =>
          el(
            'tr',
            { dataset: { seq: e.seq, phase: e.phase } },
            el(
              'td',
              {},
              el(
                'time',
                { datetime: e.received_at, title: formatLocalFull(e.received_at) },
                formatLocal(e.received_at),
              ),
            ),
            el('td', {}, el('span', { class: `phase phase-${e.phase}` }, e.phase)),
            el('td', {}, humanize(e.type)),
            el('td', {}, el('span', { class: `badge sev sev-${e.severity}` }, e.severity)),
            el(
              'td',
              {},
              e.track_id >= 0
                ? el('span', { class: 'track-chip', style: `--chip:${colourOf(e.track_id)}` }, `#${e.track_id}`)
                : '—',
            ),
            el('td', {}, e.label || '—'),
            el('td', {}, e.zone ? humanize(e.zone) : '—'),
            el('td', { class: 'num' }, Number.isFinite(e.t) ? `${e.t.toFixed(1)} s` : '—'),
            el('td', { class: 'details' }, formatDetails(e.details)),
          ),
        ),
      ),
    ),
  );
}

export function mount(main, [idText]) {
  const id = Number(idText);
  let alert = null;
  let events = [];
  let destroyed = false;
  let timelineTimer = null;

  const page = el('div', { class: 'page page-detail', dataset: { detailAlert: id } });
  clear(main).append(page);
  page.append(el('p', { class: 'load-status', role: 'status' }, 'Loading…'));

  // The id the action button is described by, as in the queue.
  const heading = el('h1', { id: `alert-${id}-title`, class: 'alert-detail-title' });
  const badges = el('p', { class: 'badges' });
  const info = el('div', { class: 'detail-info' });
  const actions = el('div', { id: 'alert-detail-actions', class: 'detail-actions' });
  const historyBox = el('div', { class: 'detail-history' });
  const timelineBox = el('div', { class: 'detail-timeline', 'aria-live': 'polite' });
  const overlay = svg('svg', {
    id: 'track-overlay',
    class: 'track-overlay',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  const snapshot = el('img', {
    id: 'alert-snapshot',
    class: 'snapshot',
    src: `/api/alerts/${id}/snapshot`,
    alt: `Snapshot of alert ${id}`,
  });
  const snapshotWrap = el('div', { class: 'snapshot-wrap' }, snapshot, overlay);
  const overlayToggle = el('input', { type: 'checkbox', id: 'overlay-toggle', checked: true });
  const overlayInfo = el('span', { class: 'hint', id: 'overlay-info' });
  const clipBox = el('div', { class: 'clip-box' });
  const incidentsBox = el('div', { id: 'alert-incidents', class: 'detail-incidents' });

  function redrawOverlay() {
    const n = drawOverlay(overlay, snapshot, events);
    overlay.dataset.boxes = String(n);
    overlayInfo.textContent = n ? `${n} box${n === 1 ? '' : 'es'} from the timeline` : '';
  }

  snapshot.addEventListener('load', redrawOverlay);
  snapshot.addEventListener('error', () => {
    snapshotWrap.replaceWith(el('p', { id: 'snapshot-missing', class: 'empty' }, 'No snapshot for this alert.'));
  });
  overlayToggle.addEventListener('change', () => {
    overlay.style.display = overlayToggle.checked ? '' : 'none';
  });

  function renderClip() {
    const clipUrl = `/api/alerts/${id}/clip`;
    if (!can('operator')) {
      clear(clipBox).append(el('p', { id: 'clip-unavailable', class: 'notice' }, 'Clips are available to operators.'));
      return;
    }
    const video = el('video', {
      id: 'alert-clip',
      controls: true,
      // Nothing fetched before play: the server audits a clip as viewed when it is requested.
      preload: 'none',
      playsinline: true,
      src: clipUrl,
    });
    const msg = el('p', { class: 'notice', role: 'status', hidden: true });
    video.addEventListener('error', async () => {
      const status = await probe(clipUrl);
      if (destroyed) return;
      video.remove();
      msg.hidden = false;
      if (status === 403) {
        msg.id = 'clip-unavailable';
        msg.textContent = 'Clips are available to operators.';
      } else if (status === 404) {
        msg.textContent = 'No clip for this alert yet (it is written after the post-roll). ';
        msg.append(el('button', { type: 'button', class: 'btn btn-small', onclick: renderClip }, 'Try again'));
      } else {
        msg.textContent = 'The clip cannot be played in this browser. ';
        msg.append(el('a', { href: `${clipUrl}?download=1` }, 'Download it'));
      }
    });
    clear(clipBox).append(
      video,
      msg,
      el(
        'p',
        {},
        el('a', { href: `${clipUrl}?download=1`, id: 'clip-download', download: `alert-${id}.mp4` }, 'Download clip'),
        el('span', { class: 'hint' }, ' (exports are audited)'),
      ),
    );
  }

  // Incidents merged into the alert after the first each have their own snapshot and
  // clip (the server records the first MAX_INCIDENT_EVIDENCE of them).
  function renderIncidents() {
    const ids = alert.incident_ids || [];
    clear(incidentsBox);
    if (ids.length < 2) return;
    const items = ids.slice(1, MAX_INCIDENT_EVIDENCE).map((incident, k) => {
      const n = k + 1;
      const links = [el('a', { href: `/api/alerts/${id}/snapshot?incident=${n}`, target: '_blank' }, 'snapshot')];
      if (can('operator')) {
        links.push(' · ', el('a', { href: `/api/alerts/${id}/clip?incident=${n}`, target: '_blank' }, 'clip'));
      }
      return el('li', {}, `${n + 1}. ${incident}: `, ...links);
    });
    incidentsBox.append(el('h3', {}, `Later incidents (${ids.length - 1})`), el('ul', { class: 'incident-list' }, ...items));
  }

  function renderAlert() {
    heading.textContent = `${humanize(alert.type) || 'Alert'} #${alert.id}`;
    page.dataset.state = alert.state;
    clear(badges).append(
      el('span', { class: `badge sev sev-${alert.severity}` }, alert.severity),
      ' ',
      el('span', { class: `badge state state-${alert.state}`, id: 'alert-detail-state' }, alert.state),
    );
    clear(info).append(infoList(alert));
    renderIncidents();
    clear(historyBox).append(el('h2', {}, 'History'), historyList(alert));
    const form = actionForm(alert, 'detail-note');
    // Keep a note being typed when the same action is still due.
    const old = actions.querySelector('form.alert-actions');
    if (form && old && old.dataset.form === form.dataset.form) return;
    clear(actions);
    if (form) actions.append(el('h2', {}, 'Action'), form);
    else if (alert.state !== 'resolved' && !can('operator')) {
      actions.append(el('p', { class: 'hint' }, 'Acknowledging and resolving need the operator role.'));
    }
  }

  async function refreshTimeline() {
    try {
      const loaded = await loadTimeline(alert);
      if (destroyed) return;
      events = loaded;
      clear(timelineBox).append(timelineTable(events));
      redrawOverlay();
    } catch (e) {
      if (!destroyed && e.status !== 401)
        clear(timelineBox).append(el('p', { class: 'error' }, `Could not load the timeline: ${e.message}`));
    }
  }

  function onLive(e) {
    const a = e.detail.alert;
    if (a.id !== id) return;
    alert = a;
    renderAlert();
    clearTimeout(timelineTimer);
    timelineTimer = setTimeout(refreshTimeline, TIMELINE_REFRESH_MS);
  }

  get(`/api/alerts/${id}`)
    .then((a) => {
      if (destroyed) return;
      alert = a;
      clear(page).append(
        el('p', { class: 'back' }, el('a', { href: '#/alerts' }, '← Alert queue')),
        el('div', { class: 'page-head' }, heading, badges),
        el(
          'div',
          { class: 'detail-grid' },
          el(
            'section',
            { class: 'detail-evidence', 'aria-labelledby': 'evidence-title' },
            el('h2', { id: 'evidence-title' }, 'Evidence'),
            snapshotWrap,
            el(
              'p',
              { class: 'overlay-controls' },
              overlayToggle,
              el('label', { for: 'overlay-toggle' }, ' Draw the track'),
              ' ',
              overlayInfo,
            ),
            el('h3', {}, 'Clip'),
            clipBox,
            incidentsBox,
          ),
          el('section', { class: 'detail-side', 'aria-label': 'Alert details' }, actions, info, historyBox),
        ),
        el(
          'section',
          { class: 'detail-events', 'aria-labelledby': 'timeline-title' },
          el('h2', { id: 'timeline-title' }, 'Timeline'),
          timelineBox,
        ),
      );
      renderAlert();
      renderClip();
      refreshTimeline();
    })
    .catch((e) => {
      if (destroyed || e.status === 401) return;
      clear(page).append(
        el('p', { class: 'back' }, el('a', { href: '#/alerts' }, '← Alert queue')),
        el('h1', {}, `Alert #${idText}`),
        el(
          'p',
          { class: 'error', role: 'alert' },
          e.status === 404
            ? 'This alert does not exist (or was removed by retention).'
            : `Could not load the alert: ${e.message}`,
        ),
      );
    });

  live.addEventListener('alert', onLive);
  const timer = setInterval(() => refreshRelativeTimes(page), 20000);
  return () => {
    destroyed = true;
    clearTimeout(timelineTimer);
    clearInterval(timer);
    live.removeEventListener('alert', onLive);
    const video = page.querySelector('video');
    if (video) {
      video.pause();
      video.removeAttribute('src');
      video.load(); // releases the connection
    }
  };
}
