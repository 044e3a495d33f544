// Live feed: contact episodes (GET /api/v2/contacts/stream) and recorded fixes
// (GET /api/v2/locations/stream) over Server-Sent Events. The browser reconnects by itself
// after a dropped connection and sends Last-Event-ID, so the server resumes right after the
// last event shown; when the server refuses the feed (401, 503, ...) it is checked, the user
// signs in if needed, and the feed is reopened with backoff. Event ids seen are skipped, so
// a replayed event is never shown twice.

import { checkFeed, getJSON, sseUrl } from './api.js';
import { $, el, formatMetres, formatPlace, fullName, setStatus, timeElement } from './dom.js';

const MAX_ITEMS = 100;
const names = new Map();
const state = { contacts: 'connecting', locations: 'connecting' };

function renderStatus() {
  const s = Object.values(state);
  let text;
  let kind = '';
  if (s.every((v) => v === 'live')) { text = 'Live: new events appear as they happen.'; kind = 'ok'; } else if (s.includes('signin')) text = 'Sign in to see the live feed.';
  else if (s.includes('retrying')) { text = 'Connection lost; reconnecting…'; kind = 'error'; } else text = 'Connecting…';
  setStatus($('#live-status'), text, kind);
}

function prepend(list, empty, item) {
  list.prepend(item);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
  $(empty).hidden = true;
}

function personName(p) {
  return fullName(p.first_name || p.last_name ? p : names.get(p.id) || p);
}

function contactItem(e) {
  const [a, b] = e.persons;
  const started = e.kind === 'started';
  return el('li', { class: `event contact ${e.kind}`, 'data-episode-id': e.episode_id, 'data-kind': e.kind },
    el('span', { class: 'tag' }, started ? 'Met' : 'Parted'),
    el('span', { class: 'what' },
      el('a', { href: `/people/${a.id}` }, personName(a)), started ? ' met ' : ' and ',
      el('a', { href: `/people/${b.id}` }, personName(b)), started ? '' : ' parted'),
    el('span', { class: 'meta' }, `${formatMetres(e.closest_m)} apart at ${formatPlace(e.place.latitude, e.place.longitude)}, `,
      `${e.meetings} meeting${e.meetings === 1 ? '' : 's'}, since `, timeElement(e.first_seen)));
}

function locationItem(l) {
  const who = names.get(l.person_id);
  return el('li', { class: 'event location', 'data-location-id': l.id, 'data-person-id': l.person_id },
    el('span', { class: 'tag' }, 'Fix'),
    el('span', { class: 'what' }, el('a', { href: `/people/${l.person_id}` },
      who ? fullName(who) : `Person ${l.person_id}`), ` at ${formatPlace(l.latitude, l.longitude)}`),
    el('span', { class: 'meta' }, timeElement(l.creation_time), ` · fix ${l.id}`));
}

/** Opens an SSE feed and keeps it open. */
function follow(key, path, eventName, onEvent) {
  const seen = new Set();
  let retryMs = 1000;
  let source = null;
  const open = () => {
    source = new EventSource(sseUrl(path));
    source.addEventListener('open', () => {
      retryMs = 1000;
      state[key] = 'live';
      renderStatus();
    });
    source.addEventListener(eventName, (e) => {
      if (e.lastEventId && seen.has(e.lastEventId)) return;
      if (e.lastEventId) seen.add(e.lastEventId);
      try {
        onEvent(JSON.parse(e.data));
      } catch (err) {
        console.warn('unreadable event', err);
      }
    });
    source.addEventListener('error', async () => {
      if (source.readyState === EventSource.CONNECTING) {
        // The browser retries by itself, with Last-Event-ID.
        state[key] = 'retrying';
        renderStatus();
        return;
      }
      source.close();
      state[key] = 'retrying';
      renderStatus();
      let code = 0;
      try {
        code = await checkFeed(path);
      } catch {
        state[key] = 'signin';
        renderStatus();
        return;
      }
      setTimeout(open, code === 401 || code === 200 ? 0 : retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    });
  };
  open();
  addEventListener('pagehide', () => source && source.close());
}

async function loadNames() {
  try {
    for (const p of await getJSON('/api/persons')) names.set(p.id, p);
  } catch { /* the feeds show ids instead */ }
}

// `/live?person_id=N`: only the events involving that person (the feeds' own filter).
const only = new URLSearchParams(location.search).get('person_id');
const filter = only && /^[1-9][0-9]*$/.test(only) ? `?person_id=${only}` : '';

loadNames().finally(() => {
  if (filter) {
    const who = names.get(Number(only));
    $('#live-filter').replaceChildren(`Only events involving ${who ? fullName(who) : `person ${only}`}. `,
      el('a', { href: '/live' }, 'Show everyone'));
    $('#live-filter').hidden = false;
  }
  follow('contacts', `/api/v2/contacts/stream${filter}`, 'contact',
    (e) => prepend($('#contact-feed'), '#contact-feed-empty', contactItem(e)));
  follow('locations', `/api/v2/locations/stream${filter}`, 'location',
    (l) => prepend($('#location-feed'), '#location-feed-empty', locationItem(l)));
});
