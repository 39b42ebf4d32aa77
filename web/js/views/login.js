// The login form: POST /api/login; 401 shows the server's message, 429 the
// wait before the next attempt. The submit is also the user gesture that lets
// the critical-alert beep play.

import { post } from '../api.js';
import * as sound from '../sound.js';
import { el, clear, MIN_PASSWORD } from '../util.js';

export function mount(main, { message = '', onLoggedIn }) {
  let timer = null;
  const msg = el('p', { id: 'login-message', class: 'form-message', role: 'alert' }, message);
  const user = el('input', {
    id: 'login-user',
    name: 'user',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
  });
  const password = el('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = el('button', { id: 'login-submit', class: 'btn btn-primary', type: 'submit' }, 'Log in');
  const form = el(
    'form',
    { id: 'login-form', class: 'card login-card', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Argus control room'),
    el('div', { class: 'field' }, el('label', { for: 'login-user' }, 'User name'), user),
    el('div', { class: 'field' }, el('label', { for: 'login-password' }, 'Password'), password),
    msg,
    submit,
  );
  if (message) msg.dataset.kind = 'info';

  function lockFor(seconds) {
    let left = seconds;
    submit.disabled = true;
    const tick = () => {
      if (left <= 0) {
        clearInterval(timer);
        timer = null;
        submit.disabled = false;
        msg.textContent = 'You can try again now.';
        return;
      }
      msg.textContent = `Too many failed attempts. Try again in ${left} s.`;
      left -= 1;
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    sound.unlock(); // the click (or Enter) is a user gesture
    if (!user.value.trim() || !password.value) {
      msg.dataset.kind = 'error';
      msg.textContent = 'Enter your user name and password.';
      (user.value.trim() ? password : user).focus();
      return;
    }
    submit.disabled = true;
    msg.dataset.kind = 'info';
    msg.textContent = 'Logging in…';
    try {
      const me = await post('/api/login', { user: user.value.trim(), password: password.value }, { expect401: true });
      password.value = '';
      onLoggedIn(me);
    } catch (err) {
      msg.dataset.kind = 'error';
      password.value = '';
      if (err.status === 429) {
        lockFor(err.retryAfter ?? 30);
        return;
      }
      msg.textContent =
        err.status === 401 ? err.message || 'Wrong user name or password.' : `Login failed: ${err.message}`;
      submit.disabled = false;
      password.focus();
    }
  });

  clear(main).append(el('section', { class: 'login-screen' }, form));
  user.focus();
  return () => clearInterval(timer);
}

// The first admin's one-time password: a new one before anything else. The
// change ends the session (as every password change does), so the user logs in
// again with the new password.
export function mountChangePassword(main, { user, onChanged }) {
  const msg = el(
    'p',
    { id: 'change-message', class: 'form-message', role: 'alert', dataset: { kind: 'info' } },
    'You logged in with a one-time password. Choose your own password to continue.',
  );
  const attrs = (id) => ({
    id,
    type: 'password',
    autocomplete: 'new-password',
    minlength: MIN_PASSWORD,
    required: true,
  });
  const first = el('input', attrs('new-password'));
  const again = el('input', attrs('new-password-again'));
  const submit = el('button', { id: 'change-submit', class: 'btn btn-primary', type: 'submit' }, 'Set password');
  const form = el(
    'form',
    // novalidate: our messages (length, the two differ) rather than the browser's bubbles.
    { id: 'change-password-form', class: 'card login-card', 'aria-labelledby': 'change-title', novalidate: true },
    el('h1', { id: 'change-title' }, `New password for ${user}`),
    el('div', { class: 'field' }, el('label', { for: 'new-password' }, `New password (at least ${MIN_PASSWORD} characters)`), first),
    el('div', { class: 'field' }, el('label', { for: 'new-password-again' }, 'Again'), again),
    msg,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.dataset.kind = 'error';
    if (first.value.length < MIN_PASSWORD) {
      msg.textContent = `The password needs at least ${MIN_PASSWORD} characters.`;
      return;
    }
    if (first.value !== again.value) {
      msg.textContent = 'The two passwords differ.';
      return;
    }
    submit.disabled = true;
    try {
      await post(`/api/users/${encodeURIComponent(user)}`, { password: first.value }, { expect401: true });
      onChanged();
    } catch (err) {
      msg.textContent = `The password was not changed: ${err.message}`;
      submit.disabled = false;
    }
  });
  clear(main).append(el('section', { class: 'login-screen' }, form));
  first.focus();
  return () => {};
}
