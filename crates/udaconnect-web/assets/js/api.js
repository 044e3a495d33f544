// The REST API as the signed-in user (auth contract, issue #6): the access token lives in
// sessionStorage and goes on every call as `Authorization: Bearer`; a 401 first tries the
// refresh token, then shows the sign-in dialog (POST /api/v2/auth/login with Basic auth) and
// retries. Without authentication on the server no 401 ever comes and nothing is asked.
// SSE feeds cannot send headers: they get `?access_token=` (sseUrl).

import { $, el } from './dom.js';

const KEY = 'udaconnect.session';

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

function saveSession(body) {
  sessionStorage.setItem(KEY, JSON.stringify({
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    username: body.username,
    role: body.role,
  }));
  renderSession();
}

function clearSession() {
  sessionStorage.removeItem(KEY);
  renderSession();
}

function basic(username, password) {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

async function refresh(refreshToken) {
  try {
    const res = await fetch('/api/v2/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    if (!res.ok) return false;
    saveSession(await res.json());
    return true;
  } catch {
    return false;
  }
}

let pendingSignIn = null;

/** Shows the sign-in dialog; resolves once signed in, rejects when the user cancels. */
export function signIn() {
  if (pendingSignIn) return pendingSignIn;
  const dialog = $('#signin');
  const form = $('#signin-form');
  const error = $('#signin-error');
  const user = $('#signin-username');
  const pass = $('#signin-password');
  const opener = document.activeElement;
  pendingSignIn = new Promise((resolve, reject) => {
    const finish = (ok) => {
      form.removeEventListener('submit', onSubmit);
      $('#signin-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      pass.value = '';
      pendingSignIn = null;
      if (opener && opener.focus) opener.focus();
      if (ok) resolve(); else reject(new ApiError(401, 'sign-in cancelled'));
    };
    const onCancel = (e) => { e.preventDefault(); finish(false); };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (!user.value || !pass.value) {
        error.textContent = 'Enter your username and password.';
        (user.value ? pass : user).focus();
        return;
      }
      error.textContent = '';
      try {
        const res = await fetch('/api/v2/auth/login', {
          method: 'POST',
          headers: { Authorization: basic(user.value, pass.value), Accept: 'application/json' },
        });
        if (res.ok) {
          saveSession(await res.json());
          finish(true);
        } else if (res.status === 401) {
          error.textContent = 'Invalid username or password.';
          pass.select();
        } else {
          error.textContent = `Sign-in failed (HTTP ${res.status}).`;
        }
      } catch {
        error.textContent = 'The server cannot be reached.';
      }
    };
    form.addEventListener('submit', onSubmit);
    $('#signin-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    error.textContent = '';
    dialog.showModal();
    user.focus();
  });
  return pendingSignIn;
}

/** fetch() with the bearer token; on 401 refreshes or signs in, then retries. */
export async function apiFetch(path, init = {}) {
  for (let attempt = 0; ; attempt++) {
    const current = session();
    const headers = new Headers(init.headers || {});
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    if (current?.access_token) headers.set('Authorization', `Bearer ${current.access_token}`);
    const res = await fetch(path, { ...init, headers });
    if (res.status !== 401 || attempt >= 3) return res;
    if (current?.access_token) {
      if (current.refresh_token && (await refresh(current.refresh_token))) continue;
      clearSession();
    }
    await signIn();
  }
}

/** GET a JSON document; throws ApiError with the API's message on an error status. */
export async function getJSON(path) {
  const res = await apiFetch(path);
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    let field;
    try {
      const body = await res.json();
      message = body?.error?.message || body?.message || message;
      field = body?.error?.field;
    } catch { /* not JSON */ }
    throw new ApiError(res.status, message, field);
  }
  return res.json();
}

/** The URL of an SSE feed, with the access token when signed in. */
export function sseUrl(path) {
  const token = session()?.access_token;
  if (!token) return path;
  const url = new URL(path, location.origin);
  url.searchParams.set('access_token', token);
  return url.pathname + url.search;
}

/**
 * Why an EventSource gave up: fetches the feed's URL, reads the status and aborts. On a 401
 * the session is dropped and the sign-in dialog shown (resolves after signing in).
 */
export async function checkFeed(path) {
  const controller = new AbortController();
  try {
    const headers = { Accept: 'text/event-stream' };
    const res = await fetch(sseUrl(path), { headers, signal: controller.signal });
    controller.abort();
    if (res.status === 401) {
      const current = session();
      if (!(current?.refresh_token && (await refresh(current.refresh_token)))) {
        clearSession();
        await signIn();
      }
    }
    return res.status;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    return 0;
  }
}

function renderSession() {
  const box = $('#session');
  if (!box) return;
  const current = session();
  if (!current) {
    box.replaceChildren();
    return;
  }
  const button = el('button', { type: 'button', class: 'secondary' }, 'Sign out');
  button.addEventListener('click', async () => {
    const s = session();
    clearSession();
    if (s?.refresh_token) {
      try {
        await fetch('/api/v2/auth/logout', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: s.refresh_token }),
        });
      } catch { /* signed out locally either way */ }
    }
    location.reload();
  });
  box.replaceChildren(el('span', { class: 'who' }, `Signed in as ${current.username || 'you'}`), button);
}

renderSession();
