// Organiser: GET /api/v2/activity — ingest rate, people present and the busiest places in
// the chosen period of fix time — refreshed every 5 s (can be paused).

import { getJSON } from './api.js';
import { drawMap, tileUrl } from './map.js';
import { $, el, formatDuration, formatPlace, formatTime, setStatus } from './dom.js';

const REFRESH_MS = 5000;
const form = $('#activity-form');
const pause = $('#activity-pause');
let timer = null;
let paused = false;

/** Fixes per second in the unit that reads best: 12 fixes/s, 3.5 fixes/min, 2.0 fixes/day. */
function rate(perSecond) {
  if (perSecond === 0) return '0 fixes/s';
  for (const [seconds, unit] of [[1, 's'], [60, 'min'], [3600, 'h'], [86400, 'day']]) {
    const v = perSecond * seconds;
    if (v >= 1 || unit === 'day') return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} fixes/${unit}`;
  }
  return '';
}

function render(a) {
  $('#stat-rate').textContent = rate(a.fixes_per_s);
  $('#stat-rate').dataset.value = String(a.fixes_per_s);
  $('#stat-present').textContent = String(a.persons_present);
  $('#stat-fixes').textContent = String(a.fixes);
  $('#stat-at').replaceChildren(a.at ? el('time', { datetime: a.at }, formatTime(a.at)) : 'no fix yet');
  const rows = a.hotspots.map((h, i) => el('tr', {},
    el('td', {}, i + 1),
    el('td', {}, formatPlace(h.latitude, h.longitude)),
    el('td', {}, h.persons),
    el('td', {}, h.fixes)));
  const body = $('#hotspots tbody');
  body.replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'Nobody in this period.'))]));
  drawMap($('#hotspot-map'), a.hotspots.map((h, i) => ({
    lat: h.latitude,
    lon: h.longitude,
    label: String(i + 1),
    title: `${i + 1}. ${h.persons} people, ${h.fixes} fixes`,
  })), {
    tileUrl: tileUrl(),
    title: 'Busiest places',
    description: `${a.hotspots.length} busiest places, numbered by rank.`,
    empty: 'No place to show in this period.',
  });
}

async function refresh() {
  clearTimeout(timer);
  const w = form.elements.window_s.value;
  try {
    const a = await getJSON(`/api/v2/activity?window_s=${encodeURIComponent(w)}`);
    render(a);
    setStatus($('#activity-status'), `Activity in the ${formatDuration(a.window_s)} up to the newest fix${paused ? ' (auto-refresh paused)' : ', refreshed every 5 s'}.`, 'ok');
  } catch (e) {
    setStatus($('#activity-status'), `Could not load activity: ${e.message}`, 'error');
  }
  if (!paused) timer = setTimeout(refresh, REFRESH_MS);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set('window_s', form.elements.window_s.value);
  history.replaceState(null, '', url);
  refresh();
});
form.elements.window_s.addEventListener('change', () => form.requestSubmit());
pause.addEventListener('click', () => {
  paused = !paused;
  pause.setAttribute('aria-pressed', String(paused));
  pause.textContent = paused ? 'Resume auto-refresh' : 'Pause auto-refresh';
  refresh();
});
refresh();
