// Audible cue for critical alerts: an oscillator beep made with the Web Audio
// API (no sound files). Browsers start an AudioContext only after a user gesture:
// unlock() is called from the login click and from the first click or key press
// of a session that was already logged in.

const MUTE_KEY = 'argus.muted';
const BEEP_HZ = [880, 660, 880];
const BEEP_S = 0.18;
const GAP_S = 0.08;
const VOLUME = 0.25;

let ctx = null;
let muted = localStorage.getItem(MUTE_KEY) === '1';
const listeners = new Set();

function notify() {
  for (const fn of listeners) fn();
}

export function onSoundChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function unlock() {
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (!AudioCtx) return;
  if (!ctx) ctx = new AudioCtx();
  if (ctx.state === 'suspended') ctx.resume().then(notify, () => {});
  notify();
}

// Sound is possible once a gesture unlocked the context.
export function isReady() {
  return !!ctx && ctx.state === 'running';
}

export function isMuted() {
  return muted;
}

export function setMuted(m) {
  muted = m;
  localStorage.setItem(MUTE_KEY, m ? '1' : '0');
  notify();
}

// Three short tones; false when muted or not unlocked yet.
export function beep() {
  if (muted || !isReady()) return false;
  let t = ctx.currentTime + 0.01;
  for (const hz of BEEP_HZ) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(VOLUME, t + 0.01);
    gain.gain.setValueAtTime(VOLUME, t + BEEP_S - 0.03);
    gain.gain.linearRampToValueAtTime(0, t + BEEP_S);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + BEEP_S);
    t += BEEP_S + GAP_S;
  }
  return true;
}
