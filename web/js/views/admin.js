// System: retention and recording status for everyone; for admins the users,
// the API tokens (the secret is shown once) and the audit log.

import { get, post, enc } from '../api.js';
import { can, session } from '../session.js';
import { el, clear, formatLocalFull, ROLES, SEVERITIES, MIN_PASSWORD, toast, errorText } from '../util.js';

const AUDIT_PAGE = 50;

function field(id, label, input) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}

function roleSelect(id, value, label) {
  return el(
    'select',
    { id, 'aria-label': label },
    ROLES.map((r) => el('option', { value: r, selected: r === value }, r)),
  );
}

function unavailable(box, e, what) {
  clear(box).append(
    el(
      'p',
      { class: e.status === 404 ? 'notice' : 'error' },
      e.status === 404 ? `${what} is not available from this server.` : errorText(e, `Loading ${what.toLowerCase()}`),
    ),
  );
}

function systemSection() {
  const box = el('div', { id: 'system-info' }, el('p', { class: 'load-status' }, 'Loading…'));
  get('/api/system')
    .then((s) => {
      const r = s.retention || {};
      const days = r.days || {};
      const rec = s.recording || {};
      clear(box).append(
        el(
          'div',
          { class: 'cards' },
          el(
            'section',
            { class: 'card', 'aria-labelledby': 'retention-title' },
            el('h3', { id: 'retention-title' }, 'Retention'),
            Object.keys(days).length === 0
              ? el('p', { id: 'retention-none' }, 'No retention configured: everything is kept.')
              : null,
            el(
              'table',
              { id: 'retention-table', class: 'data-table compact', hidden: Object.keys(days).length === 0 },
              el(
                'thead',
                {},
                el('tr', {}, el('th', { scope: 'col' }, 'Severity'), el('th', { scope: 'col' }, 'Kept for')),
              ),
              el(
                'tbody',
                {},
                SEVERITIES.slice()
                  .reverse()
                  .filter((sv) => sv in days)
                  .map((sv) =>
                    el(
                      'tr',
                      {},
                      el('td', {}, el('span', { class: `badge sev sev-${sv}` }, sv)),
                      el('td', { class: 'num' }, `${days[sv]} days`),
                    ),
                  ),
              ),
            ),
            el(
              'dl',
              { class: 'info-list' },
              el(
                'div',
                {},
                el('dt', {}, 'Last run'),
                el('dd', { id: 'retention-last-run' }, r.last_run ? formatLocalFull(r.last_run) : 'not yet'),
              ),
              el('div', {}, el('dt', {}, 'Next run'), el('dd', {}, r.next_run ? formatLocalFull(r.next_run) : '—')),
              el('div', {}, el('dt', {}, 'Events deleted'), el('dd', {}, String(r.events_deleted ?? 0))),
              el('div', {}, el('dt', {}, 'Alerts deleted'), el('dd', {}, String(r.alerts_deleted ?? 0))),
              el('div', {}, el('dt', {}, 'Files deleted'), el('dd', {}, String(r.files_deleted ?? 0))),
            ),
          ),
          el(
            'section',
            { class: 'card', 'aria-labelledby': 'recording-title' },
            el('h3', { id: 'recording-title' }, 'Recording'),
            el(
              'p',
              { id: 'recording-state' },
              !rec.enabled
                ? 'Evidence recording is off.'
                : rec.paused_low_disk
                  ? 'Paused: the disk is almost full.'
                  : 'Recording evidence.',
            ),
          ),
        ),
      );
    })
    .catch((e) => {
      if (e.status !== 401) unavailable(box, e, 'System information');
    });
  return el('section', { 'aria-labelledby': 'system-title' }, el('h2', { id: 'system-title' }, 'System'), box);
}

function usersSection() {
  const box = el('div', { id: 'users-box' });
  const msg = el('p', { class: 'form-message', role: 'status', id: 'user-form-message' });
  const name = el('input', {
    id: 'new-user-name',
    required: true,
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = el('input', {
    id: 'new-user-password',
    type: 'password',
    required: true,
    autocomplete: 'new-password',
    minlength: MIN_PASSWORD,
  });
  const role = roleSelect('new-user-role', 'viewer', null);
  const form = el(
    'form',
    { id: 'user-form', class: 'filter-form' },
    field('new-user-name', 'User name', name),
    field('new-user-password', 'Password', password),
    field('new-user-role', 'Role', role),
    el('div', { class: 'field field-submit' }, el('button', { type: 'submit', class: 'btn btn-primary' }, 'Add user')),
  );

  async function change(user, body, what) {
    try {
      await post(`/api/users/${enc(user)}`, body);
      toast(`${user}: ${what}.`);
    } catch (e) {
      if (e.status !== 401) toast(errorText(e, `Changing ${user}`), 'error');
    }
    load();
  }

  function row(u) {
    const sel = roleSelect(`role-${u.name}`, u.role, `Role of ${u.name}`);
    sel.addEventListener('change', () => change(u.name, { role: sel.value }, `role set to ${sel.value}`));
    const pw = el('input', {
      type: 'password',
      id: `pw-${u.name}`,
      autocomplete: 'new-password',
      minlength: MIN_PASSWORD,
      'aria-label': `New password for ${u.name}`,
    });
    const pwForm = el(
      'form',
      { class: 'inline-form' },
      pw,
      el('button', { type: 'submit', class: 'btn btn-small' }, 'Set password'),
    );
    pwForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (pw.value) change(u.name, { password: pw.value }, 'password changed');
    });
    const self = session.user === u.name;
    return el(
      'tr',
      { dataset: { user: u.name, disabled: u.disabled ? '1' : '0' } },
      el('th', { scope: 'row' }, u.name, self ? el('span', { class: 'hint' }, ' (you)') : null),
      el('td', {}, sel),
      el('td', {}, u.disabled ? el('span', { class: 'badge state-resolved' }, 'disabled') : 'active'),
      el('td', {}, formatLocalFull(u.created_at)),
      el(
        'td',
        { class: 'row-actions' },
        el(
          'button',
          {
            type: 'button',
            class: 'btn btn-small',
            dataset: { action: u.disabled ? 'enable-user' : 'disable-user' },
            disabled: self && !u.disabled,
            onclick: () => change(u.name, { disabled: !u.disabled }, u.disabled ? 'enabled' : 'disabled'),
          },
          u.disabled ? 'Enable' : 'Disable',
        ),
        pwForm,
      ),
    );
  }

  function load() {
    get('/api/users')
      .then((r) => {
        const users = r.users || [];
        clear(box).append(
          el(
            'div',
            { class: 'table-wrap' },
            el(
              'table',
              { id: 'users-table', class: 'data-table' },
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  ['User', 'Role', 'State', 'Created', 'Actions'].map((h) => el('th', { scope: 'col' }, h)),
                ),
              ),
              el('tbody', {}, users.map(row)),
            ),
          ),
        );
      })
      .catch((e) => {
        if (e.status !== 401) unavailable(box, e, 'User management');
      });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.dataset.kind = 'error';
    if (!name.value.trim() || !password.value) {
      msg.textContent = 'A user needs a name and a password.';
      return;
    }
    try {
      await post('/api/users', { name: name.value.trim(), password: password.value, role: role.value });
      msg.dataset.kind = 'info';
      msg.textContent = `User ${name.value.trim()} added as ${role.value}.`;
      form.reset();
      load();
    } catch (err) {
      if (err.status !== 401) msg.textContent = errorText(err, 'Adding the user');
    }
  });
  load();
  return el(
    'section',
    { 'aria-labelledby': 'users-title' },
    el('h2', { id: 'users-title' }, 'Users'),
    box,
    el('h3', {}, 'Add a user'),
    form,
    msg,
  );
}

function tokensSection() {
  const box = el('div', { id: 'tokens-box' });
  const name = el('input', { id: 'new-token-name', required: true, autocomplete: 'off' });
  const role = roleSelect('new-token-role', 'viewer', null);
  const secretBox = el('div', {
    id: 'token-secret-box',
    class: 'secret-box',
    hidden: true,
    role: 'region',
    'aria-label': 'New token',
  });
  const msg = el('p', { class: 'form-message', role: 'status' });
  const form = el(
    'form',
    { id: 'token-form', class: 'filter-form' },
    field('new-token-name', 'Name (what uses it)', name),
    field('new-token-role', 'Role', role),
    el(
      'div',
      { class: 'field field-submit' },
      el('button', { type: 'submit', class: 'btn btn-primary' }, 'Create token'),
    ),
  );

  function load() {
    get('/api/tokens')
      .then((r) => {
        const tokens = r.tokens || [];
        clear(box).append(
          tokens.length
            ? el(
                'div',
                { class: 'table-wrap' },
                el(
                  'table',
                  { id: 'tokens-table', class: 'data-table' },
                  el(
                    'thead',
                    {},
                    el(
                      'tr',
                      {},
                      ['Id', 'Name', 'Role', 'Created by', 'Created', 'State', 'Action'].map((h) =>
                        el('th', { scope: 'col' }, h),
                      ),
                    ),
                  ),
                  el(
                    'tbody',
                    {},
                    tokens.map((t) =>
                      el(
                        'tr',
                        { dataset: { tokenId: t.id, revoked: t.revoked ? '1' : '0' } },
                        el('td', {}, String(t.id)),
                        el('th', { scope: 'row' }, t.name),
                        el('td', {}, t.role),
                        el('td', {}, t.created_by || '—'),
                        el('td', {}, formatLocalFull(t.created_at)),
                        el('td', {}, t.revoked ? el('span', { class: 'badge state-resolved' }, 'revoked') : 'active'),
                        el(
                          'td',
                          {},
                          t.revoked
                            ? null
                            : el(
                                'button',
                                {
                                  type: 'button',
                                  class: 'btn btn-small btn-danger',
                                  dataset: { action: 'revoke-token' },
                                  'aria-label': `Revoke token ${t.name}`,
                                  onclick: async () => {
                                    if (
                                      !window.confirm(`Revoke the token "${t.name}"? Whatever uses it stops working.`)
                                    )
                                      return;
                                    try {
                                      await post(`/api/tokens/${enc(t.id)}/revoke`, {});
                                      toast(`Token ${t.name} revoked.`);
                                    } catch (e) {
                                      if (e.status !== 401) toast(errorText(e, 'Revoking the token'), 'error');
                                    }
                                    load();
                                  },
                                },
                                'Revoke',
                              ),
                        ),
                      ),
                    ),
                  ),
                ),
              )
            : el('p', { class: 'empty' }, 'No API tokens.'),
        );
      })
      .catch((e) => {
        if (e.status !== 401) unavailable(box, e, 'Token management');
      });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    if (!name.value.trim()) {
      msg.dataset.kind = 'error';
      msg.textContent = 'A token needs a name.';
      return;
    }
    try {
      const r = await post('/api/tokens', { name: name.value.trim(), role: role.value });
      const secret = el('code', { id: 'token-secret' }, r.token);
      const copy = el('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(r.token);
          toast('Token copied.');
        } catch {
          window.getSelection().selectAllChildren(secret);
          toast('Select and copy the token by hand.');
        }
      });
      clear(secretBox).append(
        el(
          'p',
          {},
          el('strong', {}, `Token ${name.value.trim()} (${role.value}) created. `),
          'Copy it now: it is not shown again.',
        ),
        el('p', { class: 'secret-line' }, secret, ' ', copy),
        el(
          'button',
          {
            type: 'button',
            class: 'btn btn-small',
            onclick: () => {
              clear(secretBox);
              secretBox.hidden = true;
            },
          },
          'Done, hide it',
        ),
      );
      secretBox.hidden = false;
      secret.tabIndex = -1;
      secret.focus();
      form.reset();
      load();
    } catch (err) {
      msg.dataset.kind = 'error';
      if (err.status !== 401) msg.textContent = errorText(err, 'Creating the token');
    }
  });
  load();
  return el(
    'section',
    { 'aria-labelledby': 'tokens-title' },
    el('h2', { id: 'tokens-title' }, 'API tokens'),
    el('p', { class: 'hint' }, 'For machines (scripts, video walls): send it as “Authorization: Bearer <token>”.'),
    box,
    el('h3', {}, 'Create a token'),
    form,
    msg,
    secretBox,
  );
}

function auditSection() {
  const tbody = el('tbody', {});
  const status = el('p', { class: 'load-status', role: 'status', id: 'audit-status' });
  const older = el('button', { type: 'button', class: 'btn', id: 'audit-older', hidden: true }, 'Older entries');
  const table = el(
    'table',
    { id: 'audit-table', class: 'data-table', hidden: true },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['#', 'When', 'Who', 'What', 'From'].map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    tbody,
  );
  let before = null;
  async function load(append) {
    older.disabled = true;
    try {
      const r = await get('/api/audit', { before: append ? before : null, limit: AUDIT_PAGE });
      if (!append) clear(tbody);
      for (const a of r.entries || []) {
        tbody.append(
          el(
            'tr',
            { dataset: { seq: a.seq } },
            el('td', { class: 'num' }, String(a.seq)),
            el('td', {}, formatLocalFull(a.when)),
            el('td', {}, a.who || '—'),
            el('td', { class: 'details' }, a.what),
            el('td', {}, a.from || '—'),
          ),
        );
      }
      before = r.next_before ?? null;
      older.hidden = !before;
      table.hidden = tbody.children.length === 0;
      status.textContent = tbody.children.length ? '' : 'The audit log is empty.';
    } catch (e) {
      if (e.status !== 401)
        status.textContent =
          e.status === 404 ? 'The audit log is not available from this server.' : errorText(e, 'Loading the audit log');
    } finally {
      older.disabled = false;
    }
  }
  older.addEventListener('click', () => load(true));
  load(false);
  return el(
    'section',
    { 'aria-labelledby': 'audit-title' },
    el('h2', { id: 'audit-title' }, 'Audit log'),
    status,
    el('div', { class: 'table-wrap' }, table),
    older,
  );
}

export function mount(main) {
  const parts = [el('h1', {}, 'System'), systemSection()];
  if (can('admin')) {
    parts.push(usersSection(), tokensSection(), auditSection());
  } else {
    parts.push(el('p', { class: 'hint' }, 'Users, API tokens and the audit log are for administrators.'));
  }
  clear(main).append(el('div', { class: 'page page-admin' }, parts));
  return () => {};
}
