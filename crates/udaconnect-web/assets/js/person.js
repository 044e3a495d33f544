// A person's contacts (GET /api/v2/persons/{id}/contacts: grouped per other person, near in
// space and time), page by page with the API's cursor; their timeline and a map of where
// they met. The form is a plain GET form: the URL holds the query, the server renders it back.

import { ApiError, getJSON } from './api.js';
import { drawMap, tileUrl } from './map.js';
import {
  $, el, formatDuration, formatMetres, formatPlace, formatTime, fullName, setStatus, timeElement,
} from './dom.js';

const personId = $('#person').dataset.personId;
const form = $('#contact-form');
const status = $('#contacts-status');
const list = $('#contact-list');
const more = $('#more-contacts');
const contacts = [];
let nextCursor = null;

/** A datetime-local value (UTC by the label) as RFC 3339. */
function instant(value) {
  if (!value) return null;
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

function query(cursor) {
  const q = new URLSearchParams();
  const from = instant(form.elements.from.value);
  const to = instant(form.elements.to.value);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  q.set('distance_m', form.elements.distance_m.value || '5');
  q.set('window_s', form.elements.window_s.value || '300');
  q.set('limit', form.elements.limit.value || '20');
  if (cursor) q.set('cursor', cursor);
  return `/api/v2/persons/${personId}/contacts?${q}`;
}

function contactItem(c, n) {
  const name = fullName(c.person);
  const span = (Date.parse(c.last_met) - Date.parse(c.first_met)) / 1000;
  return el('li', { class: 'contact', 'data-person-id': c.person.id },
    el('span', { class: 'badge', 'aria-hidden': 'true' }, n),
    el('div', { class: 'contact-body' },
      el('h3', {}, el('a', { href: `/people/${c.person.id}` }, name)),
      el('p', { class: 'company' }, c.person.company_name),
      el('dl', { class: 'facts' },
        el('div', {}, el('dt', {}, 'Met'), el('dd', {}, timeElement(c.first_met),
          span > 0 ? [' – ', timeElement(c.last_met), ` (${formatDuration(span)})`] : [])),
        el('div', {}, el('dt', {}, 'Meetings'), el('dd', {},
          `${c.meetings} over ${c.own_fixes} own fix${c.own_fixes === 1 ? '' : 'es'}`)),
        el('div', {}, el('dt', {}, 'Closest'), el('dd', {},
          `${formatMetres(c.closest_m)} at `, timeElement(c.closest_at))),
        el('div', {}, el('dt', {}, 'Where'), el('dd', {},
          formatPlace(c.place.latitude, c.place.longitude))))));
}

function renderTimeline() {
  const ordered = contacts.map((c, i) => ({ c, n: i + 1 }))
    .sort((a, b) => Date.parse(a.c.first_met) - Date.parse(b.c.first_met));
  const timeline = $('#timeline');
  if (!ordered.length) {
    timeline.replaceChildren();
    return;
  }
  const start = Math.min(...ordered.map(({ c }) => Date.parse(c.first_met)));
  const end = Math.max(...ordered.map(({ c }) => Date.parse(c.last_met)));
  const total = Math.max(end - start, 1);
  timeline.replaceChildren(...ordered.map(({ c, n }) => {
    const bar = el('span', { class: 'bar', 'aria-hidden': 'true' });
    bar.style.left = `${((Date.parse(c.first_met) - start) / total) * 100}%`;
    bar.style.width = `max(0.5rem, ${((Date.parse(c.last_met) - Date.parse(c.first_met)) / total) * 100}%)`;
    return el('li', { 'data-person-id': c.person.id },
      el('span', { class: 'when' }, timeElement(c.first_met)),
      el('span', { class: 'who' }, `${n}. ${fullName(c.person)}`,
        el('span', { class: 'meta' }, ` · ${c.meetings} meeting${c.meetings === 1 ? '' : 's'}, closest ${formatMetres(c.closest_m)}`)),
      el('span', { class: 'track', 'aria-hidden': 'true' }, bar));
  }));
}

function renderMap() {
  drawMap($('#contact-map'), contacts.map((c, i) => ({
    lat: c.place.latitude,
    lon: c.place.longitude,
    label: String(i + 1),
    title: `${i + 1}. ${fullName(c.person)}: closest ${formatMetres(c.closest_m)} on ${formatTime(c.closest_at)}`,
  })), {
    tileUrl: tileUrl(),
    title: 'Where they met',
    description: `${contacts.length} contact places: the person's own position where each contact was closest.`,
    empty: 'No meeting places to show.',
  });
}

function describe() {
  const d = form.elements.distance_m.value || '5';
  const w = form.elements.window_s.value || '300';
  const n = contacts.length;
  const what = `within ${d} m and ${formatDuration(Number(w))}`;
  if (!n) return `No contacts ${what}. Try a larger distance, window or period.`;
  return `${n}${nextCursor ? '+' : ''} contact${n === 1 ? '' : 's'} ${what}${nextCursor ? '; more available' : ''}.`;
}

async function loadPage(cursor) {
  more.disabled = true;
  setStatus(status, 'Loading contacts…');
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  try {
    const page = await getJSON(query(cursor));
    const first = contacts.length;
    contacts.push(...page.contacts);
    list.append(...page.contacts.map((c, i) => contactItem(c, first + i + 1)));
    nextCursor = page.next_cursor;
    more.hidden = !nextCursor;
    setStatus(status, describe(), 'ok');
    renderTimeline();
    renderMap();
    if (cursor && page.contacts.length) list.children[first].querySelector('a').focus();
  } catch (e) {
    const field = e instanceof ApiError && e.field ? form.elements[e.field] : null;
    if (field) field.setAttribute('aria-invalid', 'true');
    setStatus(status, `Could not load contacts: ${e.field ? `${e.field} ` : ''}${e.message}`, 'error');
  } finally {
    more.disabled = false;
  }
}

async function loadPerson() {
  try {
    const p = await getJSON(`/api/persons/${personId}`);
    $('#person-name').textContent = fullName(p);
    $('#person-company').textContent = p.company_name;
    document.title = `${fullName(p)} · UdaConnect`;
  } catch (e) {
    $('#person-name').textContent = e.status === 404 ? `No person ${personId}` : `Person ${personId}`;
    if (e.status === 404) setStatus(status, `There is no person with id ${personId}.`, 'error');
    else setStatus(status, `Could not load the person: ${e.message}`, 'error');
    throw e;
  }
}

more.addEventListener('click', () => loadPage(nextCursor));
loadPerson().then(() => loadPage(null), () => {});
