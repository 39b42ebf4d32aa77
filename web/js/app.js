// Argus control-room dashboard: session, header, hash router and global
// keyboard shortcuts. Each screen is a module in views/ exporting
// mount(main, params) -> cleanup function.

import { get, post, onUnauthorized } from './api.js';
import { live } from './live.js';
import { session, setSession, clearSession } from './session.js';
import * as sound from './sound.js';
import { el, clear, announce, isShortcutBlocked, humanize, SEVERITIES } from './util.js';
import * as loginView from './views/login.js';
import * as alertsView from './views/alerts.js';
import * as detailView from './views/alert_detail.js';
import * as camerasView from './views/cameras.js';
import * as mapView from './views/map.js';
import * as historyView from './views/history.js';
import * as adminView from './views/admin.js';

const HOME = '#/alerts';
const GO_PREFIX_MS = 1500;

const routes = [
  { re: /^\/alerts$/, nav: 'alerts', title: 'Alerts', view: alertsView },
  { re: /^\/alert\/(\d+)$/, nav: 'alerts', title: 'Alert', view: detailView },
  { re: /^\/cameras$/, nav: 'cameras', title: 'Cameras', view: camerasView },
  { re: /^\/map$/, nav: 'map', title: 'Site map', view: mapView },
  { re: /^\/history$/, nav: 'history', title: 'History', view: historyView },
  { re: /^\/admin$/, nav: 'admin', title: 'System', view: adminView },
];

const main = document.getElementById('main');
const header = document.getElementById('app-header');
let ready = false;
let loggedIn = false;
let cleanup = null;
let returnTo = null;

function unmountView() {
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.warn('view cleanup failed', e);
    }
  }
  cleanup = null;
}

function showLogin(message = '') {
  unmountView();
  // No banner, nothing greyed or disabled on the login form (the session may
  // have ended while the connection was lost).
  renderBanner();
  syncStale();
  header.hidden = true;
  document.title = 'Log in · Argus';
  cleanup = loginView.mount(main, { message, onLoggedIn });
}

function notFound() {
  clear(main).append(
    el(
      'section',
      { class: 'page' },
      el('h1', {}, 'Page not found'),
      el('p', {}, el('a', { href: HOME }, 'Back to the alerts')),
    ),
  );
}

function route() {
  if (!ready) return;
  const hash = location.hash || HOME;
  if (!hash.startsWith('#/')) return; // an in-page anchor, not a screen
  const path = hash.slice(1);
  if (path === '/login') {
    if (loggedIn) location.replace(returnTo || HOME);
    else showLogin();
    return;
  }
  if (!loggedIn) {
    returnTo = hash;
    location.replace('#/login');
    return;
  }
  unmountView();
  for (const a of header.querySelectorAll('[data-nav]')) a.removeAttribute('aria-current');
  const r = routes.find((x) => x.re.test(path));
  if (!r) {
    notFound();
    return;
  }
  const params = path.match(r.re).slice(1);
  header.querySelector(`[data-nav="${r.nav}"]`)?.setAttribute('aria-current', 'page');
  document.title = `${r.title} · Argus`;
  clear(main);
  cleanup = r.view.mount(main, params) || null;
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function renderUser() {
  document.getElementById('current-user').textContent = session.user;
  const role = document.getElementById('current-role');
  role.textContent = session.role;
  role.dataset.role = session.role || '';
  document.body.dataset.role = session.role || '';
}

function renderCounts() {
  const counts = live.openCounts();
  for (const s of SEVERITIES) {
    const b = document.getElementById(`count-${s}`);
    b.textContent = String(counts[s]);
    b.parentElement.classList.toggle('zero', counts[s] === 0);
    b.parentElement.dataset.count = String(counts[s]);
  }
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  const box = document.getElementById('severity-counters');
  box.title = `${total} open alert${total === 1 ? '' : 's'}: ` + SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
}

function renderSound() {
  const b = document.getElementById('mute-toggle');
  const muted = sound.isMuted();
  b.setAttribute('aria-pressed', String(muted));
  b.textContent = muted ? 'Muted' : 'Sound on';
  b.classList.toggle('needs-gesture', !muted && !sound.isReady());
  b.title = muted
    ? 'Critical alerts are silent; press to turn the sound on (s)'
    : sound.isReady()
      ? 'Critical alerts beep; press to mute (s)'
      : 'Sound starts after your first click or key press';
}

function renderConnection(state) {
  const c = document.getElementById('connection-status');
  c.dataset.state = state;
  c.dataset.resumed = String(live.resumed);
  c.textContent =
    { live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…', offline: 'offline' }[state] || state;
  renderBanner();
  syncStale();
}

// While the live feed is lost: a banner says so (and since when, and when the
// next attempt is), the page is greyed as stale and its actions are disabled.
const BANNER_TICK_MS = 1000;
let bannerTimer = null;

function disconnected() {
  return loggedIn && live.lostAt > 0;
}

function renderBanner() {
  const banner = document.getElementById('connection-banner');
  const down = disconnected();
  banner.hidden = !down;
  document.body.dataset.connection = down ? 'lost' : 'live';
  clearInterval(bannerTimer);
  bannerTimer = null;
  if (!down) return;
  const since = new Date(live.lostAt).toLocaleTimeString();
  const wait = Math.max(0, Math.ceil((live.retryAt - Date.now()) / 1000));
  document.getElementById('connection-banner-detail').textContent =
    `Connection lost at ${since}; what you see may be out of date and actions are disabled. ` +
    (live.reconnectTimer ? `Next attempt in ${wait} s.` : 'Trying to reconnect…');
  bannerTimer = setInterval(renderBanner, BANNER_TICK_MS);
}

const CAMERA_BANNER_NAMES = 3; // cameras named in the banner's one line

// Cameras that are not delivering frames (offline, reconnecting...), by name; a camera
// another node of the site runs ("remote") is that node's to report.
function renderCameraBanner() {
  const box = document.getElementById('camera-banner');
  const down = loggedIn
    ? [...live.cameras.values()].filter((c) => c.status && !['online', 'live', 'remote'].includes(c.status))
    : [];
  const wasOpen = box.querySelector('details')?.open;
  box.hidden = down.length === 0;
  clear(box);
  if (down.length === 0) return;
  const why = (c) => `${c.name} (${c.status}${c.error ? `: ${c.error}` : ''})`;
  if (down.length === 1) {
    box.append(el('strong', {}, 'Camera not online: '), why(down[0]));
    return;
  }
  // One line however many: a hundred-camera site must not push the page down. The
  // list with the reasons opens on demand.
  const names = down.slice(0, CAMERA_BANNER_NAMES).map((c) => c.name);
  const more = down.length - names.length;
  box.append(
    el(
      'details',
      { open: Boolean(wasOpen) },
      el(
        'summary',
        {},
        el('strong', {}, `${down.length} cameras not online: `),
        names.join(', ') + (more > 0 ? ` and ${more} more` : ''),
      ),
      el('ul', { class: 'camera-banner-list' }, down.map((c) => el('li', {}, why(c)))),
    ),
  );
}

const OFFLINE_CONTROLS = 'form button, form input, form select, form textarea, [data-action]';

function disableControls(root) {
  for (const c of root.querySelectorAll(OFFLINE_CONTROLS)) {
    if (c.disabled) continue;
    c.disabled = true;
    c.dataset.offline = '1';
  }
}

const staleObserver = new MutationObserver(() => disableControls(main));

function syncStale() {
  if (disconnected()) {
    disableControls(main);
    staleObserver.observe(main, { childList: true, subtree: true });
  } else {
    staleObserver.disconnect();
    for (const c of main.querySelectorAll('[data-offline]')) {
      c.disabled = false;
      delete c.dataset.offline;
    }
  }
}

function start() {
  loggedIn = true;
  header.hidden = false;
  renderUser();
  renderCounts();
  live.start();
  const target = returnTo;
  returnTo = null;
  if (target && location.hash !== target) location.hash = target;
  else route();
}

function onLoggedIn(me) {
  if (me.must_change_password) {
    changePassword(me.user);
    return;
  }
  setSession(me);
  start();
}

// The first admin logged in with the one-time password: nothing else until it is changed.
function changePassword(user) {
  unmountView();
  header.hidden = true;
  document.title = 'New password · Argus';
  cleanup = loginView.mountChangePassword(main, {
    user,
    onChanged: () => {
      history.replaceState(null, '', '#/login');
      showLogin('Password changed. Log in with your new password.');
    },
  });
}

// Any 401: back to the login form, then to where the user was.
function onSessionLost() {
  if (!loggedIn) return; // already at the login form
  loggedIn = false;
  const hash = location.hash;
  returnTo = hash && hash !== '#/login' ? hash : null;
  clearSession();
  live.reset();
  unmountView();
  history.replaceState(null, '', '#/login');
  showLogin('Your session has ended. Please log in again.');
}

async function logout() {
  try {
    await post('/api/logout', {}, { expect401: true });
  } catch {
    // The cookie is dropped either way once the session is gone server-side.
  }
  loggedIn = false;
  returnTo = null;
  clearSession();
  live.reset();
  unmountView();
  history.replaceState(null, '', '#/login');
  showLogin('You are logged out.');
}

// An alert often escalates to its first tier right when it opens: one cue is enough.
const CUE_REPEAT_MS = 10000;
const lastCue = new Map(); // alert id -> time of its last cue

function onLiveAlert(e) {
  const { alert: a, change, live: fromFeed } = e.detail;
  renderCounts();
  if (!fromFeed) return;
  const now = Date.now();
  const recent = now - (lastCue.get(a.id) || 0) < CUE_REPEAT_MS;
  if (change === 'opened' || (change === 'escalated' && a.state === 'open' && !recent)) {
    lastCue.set(a.id, now);
    if (lastCue.size > 500) lastCue.delete(lastCue.keys().next().value);
    const what = `${humanize(a.type)} on camera ${a.camera}${a.zone ? `, ${humanize(a.zone)}` : ''}`;
    announce(
      change === 'opened'
        ? `New ${a.severity} alert: ${what}`
        : `Alert escalated to level ${a.escalation_level}: ${what}`,
    );
    if (a.severity === 'critical') sound.beep();
  }
}

let goPending = 0;
function onKey(e) {
  if (!loggedIn || isShortcutBlocked(e)) return;
  const dialog = document.getElementById('shortcuts-dialog');
  if (document.querySelector('dialog[open]') && e.key !== '?') return;
  if (Date.now() - goPending < GO_PREFIX_MS) {
    goPending = 0;
    const target = { a: '#/alerts', c: '#/cameras', m: '#/map', h: '#/history', s: '#/admin' }[e.key];
    if (target) {
      e.preventDefault();
      location.hash = target;
    }
    return;
  }
  if (e.key === 'g') {
    goPending = Date.now();
  } else if (e.key === '?') {
    e.preventDefault();
    if (dialog.open) dialog.close();
    else dialog.showModal();
  } else if (e.key === 's') {
    sound.setMuted(!sound.isMuted());
  }
}

function showBootError(e) {
  clear(main).append(
    el(
      'section',
      { class: 'page' },
      el('h1', {}, 'Argus is not reachable'),
      el('p', { role: 'alert' }, e.message || String(e)),
      el('button', { class: 'btn', type: 'button', onclick: () => boot() }, 'Try again'),
    ),
  );
}

async function boot() {
  try {
    const me = await get('/api/me', null, { expect401: true });
    if (me.must_change_password) {
      ready = true;
      changePassword(me.user);
      return;
    }
    setSession(me);
    loggedIn = true;
  } catch (e) {
    // 401: not logged in, show the login form. Anything else (a 404 too: not
    // an Argus API) is an error.
    if (e.status !== 401) {
      showBootError(e);
      return;
    }
  }
  ready = true;
  if (loggedIn) start();
  else route();
}

function init() {
  onUnauthorized(onSessionLost);
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', onKey);
  // A session that was already logged in needs one gesture before sound can play.
  const gesture = () => {
    sound.unlock();
    if (sound.isReady()) {
      document.removeEventListener('pointerdown', gesture, true);
      document.removeEventListener('keydown', gesture, true);
    }
  };
  document.addEventListener('pointerdown', gesture, true);
  document.addEventListener('keydown', gesture, true);
  sound.onSoundChange(renderSound);
  renderSound();
  document.getElementById('mute-toggle').addEventListener('click', () => sound.setMuted(!sound.isMuted()));
  document.getElementById('logout-button').addEventListener('click', logout);
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  live.addEventListener('alert', onLiveAlert);
  live.addEventListener('reset', renderCounts);
  live.addEventListener('connection', (e) => renderConnection(e.detail.state));
  live.addEventListener('camera', renderCameraBanner);
  live.addEventListener('reset', renderCameraBanner);
  document.getElementById('connection-retry').addEventListener('click', () => live.retryNow());
  renderConnection(live.connection);
  boot();
}

init();
