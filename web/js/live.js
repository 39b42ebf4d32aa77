// The shared live state of the dashboard: alerts (open and acknowledged in full,
// the most recent resolved ones) and camera status, loaded over the REST API and
// kept current by the Server-Sent Events feed /api/live?types=alert,camera.
//
// Events dispatched: "alert" {alert, change, live}, "reset" (after a full load),
// "camera" {name}, "connection" {state: connecting|live|reconnecting|offline}.
//
// A lost feed (an error, or no heartbeat for a while: a stalled daemon) is
// retried with a growing, jittered delay, each attempt one request (so a dead
// daemon costs one console error per attempt, not one every 3 s). The retry
// names the last message seen (?last_event_id=); the server replays what was
// missed, or says it cannot and the lists are loaded afresh.

import { get } from './api.js';
import { severityRank, SEVERITIES } from './util.js';

const LIVE_URL = '/api/live?types=alert,camera';
const PAGE = 1000;
const MAX_PAGES = 5;
const RESOLVED_KEEP = 50;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const BACKOFF_JITTER = 0.2; // +-20%, so many pages do not retry in step
const DEFAULT_HEARTBEAT_S = 15; // until the server's hello says
const MISSED_HEARTBEATS = 2.5; // then the feed counts as stalled
const PROBE_TIMEOUT_MS = 5000; // a stalled daemon accepts connections and never answers

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
    this.watchdog = null;
    this.attempt = 0; // failed attempts since the feed was last live
    this.retryAt = 0; // when the next attempt starts (ms since epoch)
    this.lostAt = 0; // when the feed was lost (0: live)
    this.lastEventId = '';
    this.heartbeatMs = DEFAULT_HEARTBEAT_S * 1000;
    this.freshLoad = false; // the lists were just loaded: a hello need not reload them
    this.resumed = false; // the last connection replayed what was missed
    this.pending = null; // SSE messages that arrive while a full load runs
    this.loadSeq = 0;
  }

  start() {
    this.stop();
    this.setConnection('connecting');
    this.lastEventId = '';
    this.reload(); // also when the feed cannot be opened (e.g. too many streams)
    this.freshLoad = true;
    this.connect();
  }

  connect() {
    const url = this.lastEventId ? `${LIVE_URL}&last_event_id=${encodeURIComponent(this.lastEventId)}` : LIVE_URL;
    const es = new EventSource(url);
    this.es = es;
    const mine = (fn) => (m) => {
      if (this.es !== es) return;
      this.armWatchdog();
      fn(m);
    };
    es.addEventListener(
      'hello',
      mine((m) => {
        let hello = {};
        try {
          hello = JSON.parse(m.data);
        } catch {
          // Defaults below.
        }
        if (hello.heartbeat_s > 0) this.heartbeatMs = hello.heartbeat_s * 1000;
        this.resumed = Boolean(hello.resumed);
        this.armWatchdog();
        this.attempt = 0;
        this.lostAt = 0;
        this.setConnection('live');
        // Not resumed: what happened while disconnected is not replayed.
        if (!hello.resumed && !this.freshLoad) this.reload();
        this.freshLoad = false;
      }),
    );
    es.addEventListener(
      'heartbeat',
      mine(() => {}),
    );
    // The server dropped messages for this page (it was too slow).
    es.addEventListener(
      'reload',
      mine(() => this.reload()),
    );
    es.addEventListener(
      'error',
      mine(() => this.lost()),
    );
    for (const kind of ['alert', 'camera']) {
      es.addEventListener(
        kind,
        mine((m) => {
          if (m.lastEventId) this.lastEventId = m.lastEventId;
          this.onMessage(kind, m.data);
        }),
      );
    }
  }

  armWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.lost(), this.heartbeatMs * MISSED_HEARTBEATS);
  }

  // The feed failed or stalled: close it (EventSource would retry every 3 s
  // itself) and try again later.
  lost() {
    if (this.es) this.es.close();
    this.es = null;
    clearTimeout(this.watchdog);
    this.freshLoad = false;
    if (!this.lostAt) this.lostAt = Date.now();
    this.setConnection(this.attempt === 0 ? 'reconnecting' : 'offline');
    this.scheduleRetry();
  }

  scheduleRetry() {
    clearTimeout(this.reconnectTimer);
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = Math.round(base * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * Math.random()));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => this.retry(), delay);
    this.dispatchEvent(new CustomEvent('connection', { detail: { state: this.connection } }));
  }

  // One request first: a dead daemon (network error) and an ended session
  // (401: the login form) are told apart before the feed is opened again.
  async retry() {
    this.reconnectTimer = null;
    try {
      await get('/api/me', null, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (e) {
      if (e.status === 401) return; // the app shows the login form
      this.setConnection('offline');
      this.scheduleRetry();
      return;
    }
    this.connect();
  }

  // Try at once (the banner's "Retry now").
  retryNow() {
    if (this.connection === 'live' || !this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.retry();
  }

  stop() {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdog);
    this.reconnectTimer = null;
    if (this.es) this.es.close();
    this.es = null;
    this.attempt = 0;
    this.lostAt = 0;
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
