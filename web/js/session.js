// Who is logged in (from GET /api/me or POST /api/login).

import { roleAtLeast } from './util.js';

export const session = {
  user: null,
  role: null,
  expiresAt: null,
};

export function setSession({ user, role, expires_at: expiresAt }) {
  session.user = user ?? null;
  session.role = role ?? null;
  session.expiresAt = expiresAt ?? null;
}

export function clearSession() {
  setSession({});
}

export function can(role) {
  return roleAtLeast(session.role, role);
}

// Body of acknowledge/resolve: the server takes the user from the session.
export function actionBody(note) {
  return note ? { note } : {};
}
