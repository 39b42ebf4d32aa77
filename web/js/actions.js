// Acknowledge / resolve: the controls (operator and admin only) and the call,
// shared by the alert queue and the alert detail screen.

import { post, get } from './api.js';
import { live } from './live.js';
import { can, actionBody } from './session.js';
import { el, toast } from './util.js';

// The server's limit (api::kMaxNoteLength), in UTF-8 bytes.
export const MAX_NOTE_BYTES = 4000;

function noteBytes(s) {
  return new TextEncoder().encode(s.trim()).length;
}

export const ACTIONS = {
  acknowledge: { state: 'open', label: 'Acknowledge', change: 'acknowledged', done: 'acknowledged' },
  resolve: { state: 'acknowledged', label: 'Resolve', change: 'resolved', done: 'resolved' },
};

// The action an alert in `state` offers, or null.
export function actionFor(state) {
  return Object.keys(ACTIONS).find((k) => ACTIONS[k].state === state) || null;
}

// A form with an optional note and the one button for the alert's state; null
// when the role may not act or nothing is left to do.
export function actionForm(alert, idPrefix = 'note') {
  const action = actionFor(alert.state);
  if (!action || !can('operator')) return null;
  const noteId = `${idPrefix}-${alert.id}`;
  const msg = el('p', { class: 'row-msg', role: 'status', dataset: { role: 'action-message' } });
  // No maxlength: a longer note is refused (400) with a message, never cut silently.
  const noteInput = el('input', {
    id: noteId,
    class: 'note-input',
    type: 'text',
    placeholder: `Note (optional, up to ${MAX_NOTE_BYTES} bytes)`,
    autocomplete: 'off',
    dataset: { field: 'note' },
  });
  const counter = el('span', { class: 'note-counter', 'aria-live': 'polite', dataset: { role: 'note-counter' } });
  noteInput.addEventListener('input', () => {
    const n = noteBytes(noteInput.value);
    // Shown from 80% of the limit on.
    counter.textContent = n > MAX_NOTE_BYTES * 0.8 ? `${n} / ${MAX_NOTE_BYTES}` : '';
    counter.classList.toggle('over', n > MAX_NOTE_BYTES);
  });
  const form = el(
    'form',
    // Not data-alert-id / data-action: those name the row and the button only.
    { class: 'alert-actions', dataset: { forAlert: alert.id, form: action } },
    el('label', { class: 'visually-hidden', for: noteId }, `Note for alert ${alert.id} (optional)`),
    noteInput,
    counter,
    el(
      'button',
      {
        type: 'submit',
        class: `btn btn-${action}`,
        dataset: { action },
        'aria-describedby': `alert-${alert.id}-title`,
      },
      ACTIONS[action].label,
    ),
    msg,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await submitAction(form);
  });
  return form;
}

// Runs the form's action; the answer (the updated alert) goes into the live
// store, which moves the alert between lists.
export async function submitAction(form) {
  const id = Number(form.dataset.forAlert);
  const action = form.dataset.form;
  const button = form.querySelector('[data-action]');
  const note = form.querySelector('[data-field="note"]')?.value.trim() || '';
  const msg = form.querySelector('[data-role="action-message"]');
  // Not button.disabled: that would take the keyboard focus away from the row.
  if (form.dataset.busy) return false;
  if (live.lostAt) {
    msg.dataset.kind = 'error';
    msg.textContent = 'Not connected to the server: try again when the connection is back.';
    return false;
  }
  form.dataset.busy = '1';
  button.setAttribute('aria-disabled', 'true');
  msg.textContent = '';
  msg.dataset.kind = '';
  try {
    const alert = await post(`/api/alerts/${id}/${action}`, actionBody(note));
    live.upsert(alert, ACTIONS[action].change);
    return true;
  } catch (e) {
    msg.dataset.kind = 'error';
    if (e.status === 409) {
      // Someone else was faster, or the alert changed state: show the current one.
      msg.textContent = `Not ${ACTIONS[action].done}: ${e.message.replace(/\.$/, '')}.`;
      try {
        const current = await get(`/api/alerts/${id}`);
        live.upsert(current, 'updated');
      } catch {
        // The message above is enough.
      }
    } else if (e.status === 403) {
      msg.textContent = `Your role may not ${action} alerts.`;
    } else if (e.status === 404) {
      msg.textContent = 'This alert no longer exists.';
    } else if (e.status !== 401) {
      msg.textContent = `${ACTIONS[action].label} failed: ${e.message}`;
    }
    // The row may move or be rebuilt by the refresh: say it where it stays.
    if (e.status !== 401) toast(`Alert ${id}: ${msg.textContent}`, 'error');
    return false;
  } finally {
    delete form.dataset.busy;
    button.removeAttribute('aria-disabled');
  }
}
