// A map drawn as SVG in Web Mercator: points, numbered labels and a scale bar, with no tiles
// needed (works offline). When the server is configured with a tile URL template
// (--map-tile-url, `{z}/{x}/{y}`), raster tiles are drawn underneath.

import { el, formatMetres } from './dom.js';

const W = 640;
const H = 400;
const PAD = 48;
const EARTH_CIRCUMFERENCE_M = 40075016.686;
const MIN_SPAN_M = 60; // a single place still shows its surroundings
const MAX_ZOOM = 21;
const TILE_MAX_ZOOM = 19;
const MAX_TILES = 64;

/** Longitude/latitude → Web Mercator pixels at zoom 0 (a 256-pixel world). */
function project(lat, lon) {
  const phi = (Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI) / 180;
  const s = Math.sin(phi);
  return {
    x: ((lon + 180) / 360) * 256,
    y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256,
  };
}

function unprojectLat(y) {
  const n = Math.PI - (2 * Math.PI * y) / 256;
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
}

/** The largest 1, 2 or 5 × 10^k not above `max`. */
function niceLength(max) {
  const base = 10 ** Math.floor(Math.log10(max));
  for (const f of [5, 2, 1]) if (f * base <= max) return f * base;
  return base;
}

function tileImages(view, template) {
  const zt = Math.max(0, Math.min(TILE_MAX_ZOOM, Math.round(Math.log2(view.s))));
  const n = 2 ** zt;
  const worldTile = 256 / n; // a tile's size in zoom-0 pixels
  const x0 = view.cx - W / 2 / view.s;
  const x1 = view.cx + W / 2 / view.s;
  const y0 = view.cy - H / 2 / view.s;
  const y1 = view.cy + H / 2 / view.s;
  const images = [];
  const ix0 = Math.floor(x0 / worldTile);
  const ix1 = Math.floor(x1 / worldTile);
  const iy0 = Math.max(0, Math.floor(y0 / worldTile));
  const iy1 = Math.min(n - 1, Math.floor(y1 / worldTile));
  if ((ix1 - ix0 + 1) * (iy1 - iy0 + 1) > MAX_TILES) return images;
  for (let ix = ix0; ix <= ix1; ix++) {
    for (let iy = iy0; iy <= iy1; iy++) {
      const wrapped = ((ix % n) + n) % n;
      const href = template.replaceAll('{z}', zt).replaceAll('{x}', wrapped).replaceAll('{y}', iy);
      const size = worldTile * view.s;
      images.push(el('svg:image', {
        class: 'tile', href, x: (W / 2 + (ix * worldTile - view.cx) * view.s).toFixed(2),
        y: (H / 2 + (iy * worldTile - view.cy) * view.s).toFixed(2),
        width: (size + 0.5).toFixed(2), height: (size + 0.5).toFixed(2),
        preserveAspectRatio: 'none',
      }));
    }
  }
  return images;
}

/**
 * Draws `points` ({lat, lon, label, title}) into `figure`, replacing what was there.
 * `options.tileUrl` adds raster tiles; `options.description` is read out by screen readers.
 */
export function drawMap(figure, points, options = {}) {
  const caption = el('figcaption', {});
  if (!points.length) {
    figure.replaceChildren(el('p', { class: 'empty' }, options.empty || 'Nothing to show on the map.'));
    figure.dataset.points = '0';
    return;
  }
  const projected = points.map((p) => ({ ...p, ...project(p.lat, p.lon) }));
  const xs = projected.map((p) => p.x);
  const ys = projected.map((p) => p.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const centreLat = unprojectLat(cy);
  const metresPerWorldPx = (EARTH_CIRCUMFERENCE_M * Math.cos((centreLat * Math.PI) / 180)) / 256;
  const minSpan = MIN_SPAN_M / metresPerWorldPx;
  const dx = Math.max(Math.max(...xs) - Math.min(...xs), minSpan);
  const dy = Math.max(Math.max(...ys) - Math.min(...ys), minSpan);
  const s = Math.min((W - 2 * PAD) / dx, (H - 2 * PAD) / dy, 2 ** MAX_ZOOM);
  const view = { cx, cy, s };
  const toScreen = (p) => ({ X: W / 2 + (p.x - cx) * s, Y: H / 2 + (p.y - cy) * s });

  const title = el('svg:title', { id: `${figure.id}-title` }, options.title || 'Map');
  const desc = el('svg:desc', { id: `${figure.id}-desc` },
    options.description || `${points.length} places`);
  const svg = el('svg:svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'map-svg', role: 'img',
    'aria-labelledby': `${figure.id}-title ${figure.id}-desc`,
    'data-points': points.length,
  }, title, desc, el('svg:rect', { class: 'map-bg', x: 0, y: 0, width: W, height: H }));

  const template = options.tileUrl;
  if (template) svg.append(el('svg:g', { class: 'tiles' }, tileImages(view, template)));

  // Faint grid every 64 units, so a map without tiles still reads as a map.
  const grid = el('svg:g', { class: 'map-grid', 'aria-hidden': 'true' });
  for (let x = 64; x < W; x += 64) grid.append(el('svg:line', { x1: x, y1: 0, x2: x, y2: H }));
  for (let y = 64; y < H; y += 64) grid.append(el('svg:line', { x1: 0, y1: y, x2: W, y2: y }));
  if (!template) svg.append(grid);

  // One circle per point; labels merged where points overlap.
  const labels = new Map();
  const marks = el('svg:g', { class: 'points' });
  for (const p of projected) {
    const { X, Y } = toScreen(p);
    marks.append(el('svg:circle', { class: 'point', cx: X.toFixed(2), cy: Y.toFixed(2), r: 7 },
      el('svg:title', {}, p.title || p.label || '')));
    const key = `${Math.round(X / 10)},${Math.round(Y / 10)}`;
    const at = labels.get(key) || { X, Y, text: [] };
    if (p.label) at.text.push(p.label);
    labels.set(key, at);
  }
  for (const { X, Y, text } of labels.values()) {
    if (!text.length) continue;
    const short = text.length > 4 ? `${text.slice(0, 4).join(', ')}…` : text.join(', ');
    marks.append(el('svg:text', { class: 'point-label', x: (X + 11).toFixed(2), y: (Y + 5).toFixed(2) }, short));
  }
  svg.append(marks);

  // Scale bar at the map's centre latitude.
  const metresPerUnit = metresPerWorldPx / s;
  const metres = niceLength(150 * metresPerUnit);
  const len = metres / metresPerUnit;
  const x0 = 16;
  const y0 = H - 20;
  const scaleText = formatMetres(metres);
  svg.append(el('svg:g', { class: 'scale-bar', 'data-metres': metres },
    el('svg:rect', { class: 'scale-bg', x: x0 - 8, y: y0 - 26, width: len + 16 + 40, height: 36, rx: 4 }),
    el('svg:path', { class: 'scale-line', d: `M${x0} ${y0 - 6}V${y0}H${(x0 + len).toFixed(2)}V${y0 - 6}` }),
    el('svg:text', { class: 'scale-text', x: x0, y: y0 - 10 }, scaleText)));
  if (template) {
    let host = '';
    try { host = new URL(template.replaceAll(/[{}]/g, '')).host; } catch { /* shown without */ }
    svg.append(el('svg:text', { class: 'attribution', x: W - 8, y: H - 8, 'text-anchor': 'end' },
      `Tiles: ${host}`));
  }
  caption.append(`Scale bar: ${scaleText} (at ${centreLat.toFixed(3)}° latitude). `,
    template ? 'Background tiles from the configured tile server.' : 'Drawn without map tiles.');
  figure.replaceChildren(svg, caption);
  figure.dataset.points = String(points.length);
}

/** The configured tile URL template, if any (rendered by the server into the page). */
export function tileUrl() {
  return document.body.dataset.mapTileUrl || '';
}
