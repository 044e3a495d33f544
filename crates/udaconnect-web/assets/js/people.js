// People: the list from GET /api/persons, filtered in the browser as the user types.

import { getJSON } from './api.js';
import { $, el, fullName, setStatus } from './dom.js';

const list = $('#people-list');
const count = $('#people-count');
const search = $('#q');
let people = [];

function matches(person, words) {
  const text = `${person.first_name} ${person.last_name} ${person.company_name}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

function render() {
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = people.filter((p) => matches(p, words));
  list.replaceChildren(...shown.map((p) => el('li', {},
    el('a', { href: `/people/${p.id}`, 'data-person-id': p.id },
      el('span', { class: 'name' }, fullName(p)),
      el('span', { class: 'company' }, p.company_name)))));
  const total = people.length;
  setStatus(count, words.length
    ? `${shown.length} of ${total} ${total === 1 ? 'person' : 'people'} match “${search.value.trim()}”`
    : `${total} ${total === 1 ? 'person' : 'people'}`);
  const url = new URL(location.href);
  if (words.length) url.searchParams.set('q', search.value); else url.searchParams.delete('q');
  history.replaceState(null, '', url);
}

// Keyboard: ↓ from the search box into the list, ↑/↓ within it, Home/End, ↑ back to search.
function onKey(e) {
  const links = [...list.querySelectorAll('a')];
  const at = links.indexOf(document.activeElement);
  let next = null;
  if (e.target === search && e.key === 'ArrowDown') next = links[0];
  else if (at >= 0 && e.key === 'ArrowDown') next = links[Math.min(at + 1, links.length - 1)];
  else if (at >= 0 && e.key === 'ArrowUp') next = at === 0 ? search : links[at - 1];
  else if (at >= 0 && e.key === 'Home') next = links[0];
  else if (at >= 0 && e.key === 'End') next = links[links.length - 1];
  if (next) {
    e.preventDefault();
    next.focus();
  }
}

async function load() {
  try {
    people = await getJSON('/api/persons');
    render();
  } catch (e) {
    setStatus(count, `Could not load people: ${e.message}`, 'error');
  }
}

search.addEventListener('input', render);
$('#people-search').addEventListener('submit', (e) => e.preventDefault());
search.addEventListener('keydown', onKey);
list.addEventListener('keydown', onKey);
load();
