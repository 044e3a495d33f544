// Small DOM and formatting helpers. Text always goes in as text (never innerHTML), so data
// from the API cannot inject markup.

/** Creates an element: el('a', {href: '/x', class: 'y'}, 'text', child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function fullName(p) {
  return [p.first_name, p.last_name].filter(Boolean).join(' ') || `Person ${p.id}`;
}

/** 2020-08-15T10:37:06Z → "15 Aug 2020, 10:37:06" (UTC). */
export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return d.toLocaleString('en-GB', {
    timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

export function timeElement(iso) {
  return el('time', { datetime: iso }, formatTime(iso));
}

export function formatMetres(m) {
  if (m < 1) return `${m.toFixed(2)} m`;
  if (m < 1000) return `${m.toFixed(m < 10 ? 1 : 0)} m`;
  return `${(m / 1000).toFixed(m < 10000 ? 1 : 0)} km`;
}

export function formatDuration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h < 48) return `${h} h${m ? ` ${m} min` : ''}`;
  return `${Math.round(h / 24)} days`;
}

export function formatPlace(lat, lon) {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}

/** Shows a message in a status element; `kind` is '', 'error' or 'ok'. */
export function setStatus(node, text, kind = '') {
  node.textContent = text;
  node.dataset.kind = kind;
}
