// The shared live state of the dashboard: alerts (open and acknowledged in full,
// the most recent resolved ones) and camera status, loaded over the REST API and
// kept current by the Server-Sent Events feed /api/live?types=alert,camera.
//
// Events dispatched: "alert" {alert, change, live}, "reset" (after a full load),
// "camera" {name}, "connection" {state: connecting|live|reconnecting|offline}.

import { get } from './api.js';
import { severityRank, SEVERITIES } from './util.js';

const LIVE_URL = '/api/live?types=alert,camera';
const PAGE = 1000;
const MAX_PAGES = 5;
const RESOLVED_KEEP = 50;
const RECONNECT_MS = 5000;

function time(iso) {
  const t = Date.parse(iso || '');
  return Number.isNaN(t) ? 0 : t;
}

async function loadAll(state) {
  const out = [];
  let before = null;
  for (let i = 0; i < MAX_PAGES; ++i) {
    const page = await get('/api/alerts', { state, limit: PAGE, before });
    out.push(...(page.alerts || []));
    before = page.next_before;
    if (!before) break;
  }
  return out;
}

class LiveStore extends EventTarget {
  constructor() {
    super();
    this.alerts = new Map();
    this.cameras = new Map();
    this.connection = 'offline';
    this.es = null;
    this.reconnectTimer = null;
    this.pending = null; // SSE messages that arrive while a full load runs
    this.loadSeq = 0;
  }

  start() {
    this.stop();
    this.setConnection('connecting');
    this.reload(); // also when the feed cannot be opened (e.g. too many streams)
    const es = new EventSource(LIVE_URL);
    this.es = es;
    es.addEventListener('open', () => {
      this.setConnection('live');
      this.reload(); // catch up with what happened while disconnected
    });
    es.addEventListener('error', () => {
      if (this.es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        // The server answered with an error (401, 503 too many streams...):
        // EventSource gives up, so check the session and retry later.
        es.close();
        this.es = null;
        this.setConnection('offline');
        get('/api/me').catch(() => {}); // a 401 here leads to the login form
        this.reconnectTimer = setTimeout(() => this.start(), RECONNECT_MS);
      } else {
        this.setConnection('reconnecting');
      }
    });
    es.addEventListener('alert', (m) => this.onMessage('alert', m.data));
    es.addEventListener('camera', (m) => this.onMessage('camera', m.data));
  }

  stop() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.es) this.es.close();
    this.es = null;
    this.loadSeq += 1; // a load under way is no longer wanted
    this.pending = null;
    this.setConnection('offline');
  }

  // Forget everything (logout).
  reset() {
    this.stop();
    this.alerts.clear();
    this.cameras.clear();
    this.dispatchEvent(new CustomEvent('reset'));
  }

  setConnection(state) {
    if (this.connection === state) return;
    this.connection = state;
    this.dispatchEvent(new CustomEvent('connection', { detail: { state } }));
  }

  onMessage(kind, text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
    if (this.pending) {
      this.pending.push([kind, data]);
      return;
    }
    this.apply(kind, data);
  }

  apply(kind, data) {
    if (kind === 'alert' && data.alert) {
      this.upsert(data.alert, data.change || 'updated', true);
    } else if (kind === 'camera' && data.camera) {
      const prev = this.cameras.get(data.camera) || { name: data.camera };
      // The daemon sends "state"; the API contract calls it "status".
      const status = data.status || data.state || prev.status;
      this.cameras.set(data.camera, { ...prev, ...data, name: data.camera, status });
      this.dispatchEvent(new CustomEvent('camera', { detail: { name: data.camera } }));
    }
  }

  // Loads the alerts and cameras afresh; SSE messages received meanwhile are
  // applied afterwards so that nothing newer is overwritten.
  async reload() {
    const seq = ++this.loadSeq;
    if (!this.pending) this.pending = [];
    try {
      const [open, acked, resolved, cams] = await Promise.all([
        loadAll('open'),
        loadAll('acknowledged'),
        get('/api/alerts', { state: 'resolved', limit: RESOLVED_KEEP }),
        get('/api/cameras'),
      ]);
      if (seq !== this.loadSeq) return;
      this.alerts.clear();
      for (const a of [...open, ...acked, ...(resolved.alerts || [])]) this.alerts.set(a.id, a);
      this.cameras.clear();
      for (const c of cams.cameras || []) this.cameras.set(c.name, c);
      const queued = this.pending;
      this.pending = null;
      for (const [kind, data] of queued) this.apply(kind, data);
      this.dispatchEvent(new CustomEvent('reset'));
    } catch (e) {
      if (seq === this.loadSeq) {
        const queued = this.pending || [];
        this.pending = null;
        for (const [kind, data] of queued) this.apply(kind, data);
      }
      this.dispatchEvent(new CustomEvent('loaderror', { detail: { error: e } }));
    }
  }

  // A new version of an alert (from an action's answer or the live feed).
  upsert(alert, change = 'updated', live = false) {
    if (!alert || alert.id === undefined) return;
    this.alerts.set(alert.id, alert);
    this.pruneResolved();
    this.dispatchEvent(new CustomEvent('alert', { detail: { alert, change, live } }));
  }

  pruneResolved() {
    const resolved = this.list('resolved');
    for (const a of resolved.slice(RESOLVED_KEEP)) this.alerts.delete(a.id);
  }

  // Alerts in `state`: open ones most severe then newest first; acknowledged
  // and resolved ones by the time of that action, newest first.
  list(state) {
    const out = [...this.alerts.values()].filter((a) => a.state === state);
    if (state === 'open') {
      out.sort(
        (a, b) =>
          severityRank(b.severity) - severityRank(a.severity) || time(b.opened_at) - time(a.opened_at) || b.id - a.id,
      );
    } else {
      const key = state === 'acknowledged' ? 'ack' : 'resolution';
      out.sort((a, b) => time(b[key]?.when) - time(a[key]?.when) || b.id - a.id);
    }
    return out;
  }

  openCounts() {
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    for (const a of this.alerts.values()) {
      if (a.state === 'open' && a.severity in counts) counts[a.severity] += 1;
    }
    return counts;
  }

  // Shown as "tampered" while a tamper alert on the camera is not resolved.
  isTampered(camera) {
    for (const a of this.alerts.values()) {
      if (a.camera === camera && a.type === 'tamper' && a.state !== 'resolved') return true;
    }
    return false;
  }

  cameraStatus(name) {
    if (this.isTampered(name)) return 'tampered';
    return this.cameras.get(name)?.status || 'unknown';
  }
}

export const live = new LiveStore();
