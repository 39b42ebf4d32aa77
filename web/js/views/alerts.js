// The alert queue (home): open alerts (most severe, then newest first), then the
// acknowledged ones and the recently resolved ones, kept current by the live
// store. Rows are keyed by alert id and updated in place so that a note being
// typed survives live updates.

import { live } from '../live.js';
import { actionForm, submitAction } from '../actions.js';
import { can } from '../session.js';
import { el, clear, humanize, timeEl, refreshRelativeTimes, isShortcutBlocked } from '../util.js';

const REFRESH_MS = 20000;
const SNAPSHOT_RETRY_MS = 3000;

const LISTS = [
  { state: 'open', id: 'open-alerts', title: 'Open', empty: 'No open alerts.' },
  { state: 'acknowledged', id: 'acked-alerts', title: 'Acknowledged', empty: 'No acknowledged alerts.' },
  { state: 'resolved', id: 'resolved-alerts', title: 'Resolved (recent)', empty: 'No recently resolved alerts.' },
];

// Snapshot thumbnail, loaded lazily; a snapshot still being written gets one retry.
export function snapshotImg(alert, cls = 'thumb') {
  const img = el('img', {
    class: cls,
    src: `/api/alerts/${alert.id}/snapshot`,
    alt: `Snapshot of alert ${alert.id} (${alert.camera})`,
    loading: 'lazy',
    decoding: 'async',
    width: 160,
    height: 120,
  });
  let retried = false;
  img.addEventListener('error', () => {
    if (!retried) {
      retried = true;
      setTimeout(() => {
        if (img.isConnected) img.src = `/api/alerts/${alert.id}/snapshot?retry=1`;
      }, SNAPSHOT_RETRY_MS);
      return;
    }
    img.replaceWith(
      el('div', { class: `${cls} thumb-missing`, role: 'img', 'aria-label': 'No snapshot' }, 'No snapshot'),
    );
  });
  return img;
}

function actionInfo(label, action) {
  if (!action) return null;
  return el(
    'p',
    { class: 'action-info' },
    `${label} by `,
    el('strong', {}, action.who || '?'),
    ' ',
    timeEl(action.when),
    action.note ? el('span', { class: 'note' }, ` — “${action.note}”`) : null,
  );
}

function rowBody(a) {
  const meta = [
    ['Camera', a.camera],
    ['Rule', a.rule],
    [a.type === 'proximity' || a.type === 'object_removed' ? 'Artwork' : 'Zone', a.zone ? humanize(a.zone) : '—'],
  ];
  return el(
    'div',
    { class: 'alert-body' },
    el(
      'h3',
      { class: 'alert-title', id: `alert-${a.id}-title` },
      el(
        'a',
        { href: `#/alert/${a.id}`, class: 'alert-link' },
        humanize(a.type) || 'alert',
        el('span', { class: 'alert-id' }, ` #${a.id}`),
      ),
    ),
    el(
      'p',
      { class: 'badges' },
      el('span', { class: `badge sev sev-${a.severity}`, dataset: { severity: a.severity } }, a.severity),
      el('span', { class: `badge state state-${a.state}` }, a.state),
      a.escalation_level > 0
        ? el(
            'span',
            { class: 'badge level', title: 'Escalation level', dataset: { level: a.escalation_level } },
            `level ${a.escalation_level}`,
          )
        : null,
      a.active_incidents > 0
        ? el('span', { class: 'badge active', title: 'Incidents still going on' }, 'ongoing')
        : null,
    ),
    el(
      'dl',
      { class: 'alert-meta' },
      meta.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v || '—'))),
      el('div', {}, el('dt', {}, 'Opened'), el('dd', {}, timeEl(a.opened_at))),
      a.event_count > 1 ? el('div', {}, el('dt', {}, 'Events'), el('dd', {}, String(a.event_count))) : null,
    ),
    actionInfo('Acknowledged', a.ack),
    actionInfo('Resolved', a.resolution),
  );
}

function buildRow(a) {
  return el(
    'li',
    {
      class: `alert-row sev-${a.severity}`,
      dataset: { alertId: a.id, state: a.state, severity: a.severity },
      'aria-labelledby': `alert-${a.id}-title`,
    },
    el('a', { class: 'thumb-link', href: `#/alert/${a.id}`, tabindex: '-1', 'aria-hidden': 'true' }, snapshotImg(a)),
    rowBody(a),
    actionForm(a, 'note'),
  );
}

export function mount(main) {
  const rows = new Map(); // id -> {li, state, json}
  const lists = {};
  const section = (spec) => {
    const ol = el('ol', { id: spec.id, class: 'alert-list', 'aria-labelledby': `${spec.id}-title` });
    const count = el('span', { class: 'count', dataset: { count: spec.state } }, '0');
    const empty = el('p', { class: 'empty' }, spec.empty);
    lists[spec.state] = { ol, count, empty };
    return el(
      'section',
      { class: `queue queue-${spec.state}`, 'aria-labelledby': `${spec.id}-title` },
      el('h2', { id: `${spec.id}-title`, tabindex: '-1' }, spec.title, ' ', count),
      empty,
      ol,
    );
  };
  const status = el('p', { class: 'load-status', role: 'status' });
  clear(main).append(
    el(
      'div',
      { class: 'page page-alerts' },
      el(
        'div',
        { class: 'page-head' },
        el('h1', {}, 'Alert queue'),
        can('operator')
          ? null
          : el('p', { class: 'hint' }, 'Read only: acknowledging and resolving need the operator role.'),
        status,
      ),
      el(
        'div',
        { class: 'queues' },
        section(LISTS[0]),
        el('div', { class: 'queues-side' }, section(LISTS[1]), section(LISTS[2])),
      ),
    ),
  );

  // A row under the keyboard focus that leaves its list (acknowledged,
  // resolved) hands the focus to its neighbour.
  function focusNeighbour(li) {
    const next = li.nextElementSibling || li.previousElementSibling;
    return next || li.closest('section').querySelector('h2');
  }

  function render() {
    const seen = new Set();
    let refocus = null;
    const takeFocus = (li) => {
      if (li.contains(document.activeElement)) refocus = focusNeighbour(li);
    };
    for (const spec of LISTS) {
      const { ol, count, empty } = lists[spec.state];
      const alerts = live.list(spec.state);
      count.textContent = String(alerts.length);
      empty.hidden = alerts.length > 0;
      let cursor = ol.firstElementChild;
      for (const a of alerts) {
        seen.add(a.id);
        const json = JSON.stringify(a);
        let r = rows.get(a.id);
        if (r && r.state !== a.state) {
          takeFocus(r.li);
          r.li.remove();
          r = null;
        }
        if (!r) {
          r = { li: buildRow(a), state: a.state, json };
          rows.set(a.id, r);
        } else if (r.json !== json) {
          const body = r.li.querySelector('.alert-body');
          const hadFocus = body.contains(document.activeElement);
          const fresh = rowBody(a);
          body.replaceWith(fresh);
          if (hadFocus) fresh.querySelector('.alert-link').focus({ preventScroll: true });
          r.li.className = `alert-row sev-${a.severity}`;
          r.li.dataset.severity = a.severity;
          r.json = json;
        }
        if (cursor === r.li) {
          cursor = cursor.nextElementSibling;
        } else {
          ol.insertBefore(r.li, cursor);
        }
      }
    }
    for (const [id, r] of rows) {
      if (!seen.has(id)) {
        takeFocus(r.li);
        r.li.remove();
        rows.delete(id);
      }
    }
    if (refocus && refocus.isConnected) (refocus.querySelector?.('.alert-link') || refocus).focus();
  }

  function allRows() {
    return [...main.querySelectorAll('.alert-row')];
  }

  function onKey(e) {
    if (isShortcutBlocked(e) || document.querySelector('dialog[open]')) return;
    const rowsNow = allRows();
    const current = document.activeElement?.closest?.('.alert-row');
    const i = current ? rowsNow.indexOf(current) : -1;
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      const next = rowsNow[e.key === 'j' ? Math.min(i + 1, rowsNow.length - 1) : Math.max(i - 1, 0)];
      next?.querySelector('.alert-link')?.focus();
    } else if ((e.key === 'a' || e.key === 'r') && current) {
      const form = current.querySelector(`form[data-form="${e.key === 'a' ? 'acknowledge' : 'resolve'}"]`);
      if (form) {
        e.preventDefault();
        submitAction(form);
      }
    }
  }

  function onLoadError(e) {
    status.textContent = `Could not load the alerts: ${e.detail.error.message}`;
  }
  function onReset() {
    status.textContent = '';
    render();
  }

  live.addEventListener('alert', render);
  live.addEventListener('reset', onReset);
  live.addEventListener('loaderror', onLoadError);
  document.addEventListener('keydown', onKey);
  const timer = setInterval(() => refreshRelativeTimes(main), REFRESH_MS);
  render();
  if (live.alerts.size === 0 && live.connection !== 'live') status.textContent = 'Loading…';

  return () => {
    clearInterval(timer);
    live.removeEventListener('alert', render);
    live.removeEventListener('reset', onReset);
    live.removeEventListener('loaderror', onLoadError);
    document.removeEventListener('keydown', onKey);
  };
}
