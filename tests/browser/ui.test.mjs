// End-to-end tests of the web UI in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against a real `udaconnect serve` with the demo data. Every assertion
// compares what the page shows with what the REST API answers for the same question.
//
//   UDACONNECT_BIN=/path/to/udaconnect node --test --test-concurrency=1 ui.test.mjs
//
// Screenshots of every view go to $SCREENSHOT_DIR (default: docs/screenshots/).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = resolve(process.env.SCREENSHOT_DIR || join(HERE, '../../docs/screenshots'));
const BIN = process.env.UDACONNECT_BIN;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server;
/** The admin's session (login answer), for the API helper and the pages. */
let adminSession;
let browser;
let api;

/** Every problem the page reports: console errors (CSP violations included), uncaught exceptions. */
function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** Signs in as a fresh server's first admin (password from its banner) over the real API. */
async function signIn(srv) {
  assert.ok(srv.adminPassword, 'the banner showed no first admin password');
  const login = await fetch(`${srv.base}/api/v2/auth/login`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`admin:${srv.adminPassword}`).toString('base64')}` },
  });
  assert.equal(login.status, 200, await login.clone().text());
  return login.json();
}

/** A page signed in (the session the UI keeps in sessionStorage): as the main server's admin,
 * or `session`, unless `anonymous`. */
async function newPage({ anonymous = false, session = null, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', ...options });
  if (!anonymous) {
    const s = session || adminSession;
    const value = JSON.stringify({ access_token: s.access_token, refresh_token: s.refresh_token, username: s.username, role: s.role });
    await context.addInitScript(([k, v]) => sessionStorage.setItem(k, v), ['udaconnect.session', value]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, problems: watch(page) };
}

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

/** All pages of a contact query, as the API answers it. */
async function allContacts(personId, params) {
  const contacts = [];
  let cursor = null;
  for (let pages = 0; pages < 100; pages++) {
    const q = new URLSearchParams(params);
    if (cursor) q.set('cursor', cursor);
    const page = await api(`/api/v2/persons/${personId}/contacts?${q}`);
    contacts.push(...page.contacts);
    cursor = page.next_cursor;
    if (!cursor) return contacts;
  }
  throw new Error('more than 100 pages');
}

const fullName = (p) => `${p.first_name} ${p.last_name}`;

before(async () => {
  assert.ok(BIN, 'set UDACONNECT_BIN to the built udaconnect binary');
  assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM} (apt-get install chromium chromium-driver)`);
  server = await startServer(BIN);
  adminSession = await signIn(server);
  api = async (path, init = {}) => {
    const headers = { ...(init.headers || {}), authorization: `Bearer ${adminSession.access_token}` };
    const res = await fetch(`${server.base}${path}`, { ...init, headers });
    assert.ok(res.ok, `${path}: HTTP ${res.status} ${await res.clone().text()}`);
    return res.status === 204 ? null : res.json();
  };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  if (server) {
    const { code, signal } = await server.stop();
    assert.equal(code, 0, `server exit: ${code} ${signal}\n${server.logs()}`);
  }
});

describe('web UI against a real server with the demo data', () => {
  test('the people list shows exactly the persons of GET /api/persons, and search filters it', async () => {
    const persons = await api('/api/persons');
    assert.ok(persons.length >= 5, 'demo data loaded');
    const { context, page, problems } = await newPage();
    await page.goto(`${server.base}/`);
    await page.locator('#people-list a').first().waitFor();
    const shown = await page.$$eval('#people-list a', (as) => as.map((a) => ({
      id: Number(a.dataset.personId), name: a.querySelector('.name').textContent,
      company: a.querySelector('.company').textContent, href: a.getAttribute('href'),
    })));
    assert.deepEqual(shown, persons.map((p) => ({
      id: p.id, name: fullName(p), company: p.company_name, href: `/people/${p.id}`,
    })));
    assert.equal(await page.textContent('#people-count'), `${persons.length} people`);
    await shot(page, 'people.png');

    const someone = persons[1];
    await page.fill('#q', someone.last_name.toUpperCase());
    const want = persons.filter((p) => `${p.first_name} ${p.last_name} ${p.company_name}`
      .toLowerCase().includes(someone.last_name.toLowerCase())).map((p) => p.id);
    await page.waitForFunction((n) => document.querySelectorAll('#people-list a').length === n, want.length);
    assert.deepEqual(await page.$$eval('#people-list a', (as) => as.map((a) => Number(a.dataset.personId))), want);
    assert.match(page.url(), /\?q=/);
    await page.fill('#q', 'no such person anywhere');
    await page.waitForFunction(() => document.querySelectorAll('#people-list a').length === 0);
    assert.match(await page.textContent('#people-count'), /^0 of \d+ people match/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the keyboard alone reaches a person and opens them', async () => {
    const persons = await api('/api/persons');
    const { context, page, problems } = await newPage();
    await page.goto(`${server.base}/`);
    await page.locator('#people-list a').first().waitFor();
    // Tab from the top of the page: skip link, navigation, search box, then the first person.
    const visited = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => {
        const a = document.activeElement;
        return { id: a.id, person: a.dataset?.personId || null, text: a.textContent.trim().slice(0, 30) };
      });
      visited.push(at.id || at.text);
      if (at.person) break;
    }
    const focused = await page.evaluate(() => document.activeElement.dataset.personId);
    assert.equal(Number(focused), persons[0].id, `tab order: ${visited.join(' → ')}`);
    assert.ok(visited.includes('q'), `the search box is in the tab order: ${visited.join(' → ')}`);
    // The focus is visible: a real outline on the focused link.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    // Arrow keys move within the list; Enter opens the person.
    await page.keyboard.press('ArrowDown');
    assert.equal(Number(await page.evaluate(() => document.activeElement.dataset.personId)), persons[1].id);
    await Promise.all([page.waitForURL(`**/people/${persons[1].id}`), page.keyboard.press('Enter')]);
    await page.waitForFunction((name) => document.querySelector('#person-name').textContent === name, fullName(persons[1]));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a person shows exactly the contacts of the v2 API, page by page, with a timeline and a map without tiles', async () => {
    const persons = await api('/api/persons');
    // The person with the most contacts under the UI's default query.
    const defaults = { distance_m: '5', window_s: '300' };
    let best = null;
    for (const p of persons) {
      const contacts = await allContacts(p.id, { ...defaults, limit: '1000' });
      if (!best || contacts.length > best.contacts.length) best = { person: p, contacts };
    }
    assert.ok(best.contacts.length >= 2, 'the demo data has a person with several contacts');
    const { person } = best;

    // Clicking through from the list, then paging with the API's cursor (1 per page).
    const { context, page, problems } = await newPage();
    await page.goto(`${server.base}/`);
    await page.click(`#people-list a[data-person-id="${person.id}"]`);
    await page.waitForURL(`**/people/${person.id}`);
    await page.waitForFunction(() => document.querySelector('#contacts-status').dataset.kind === 'ok'); // loaded, not 'Loading contacts…'
    const firstPage = await allContacts(person.id, { ...defaults, limit: '20' });
    const ids = () => page.$$eval('#contact-list > li', (lis) => lis.map((li) => Number(li.dataset.personId)));
    assert.deepEqual(await ids(), firstPage.map((c) => c.person.id));

    await page.goto(`${server.base}/people/${person.id}?limit=1`);
    await page.locator('#contact-list > li').first().waitFor();
    const expected = await allContacts(person.id, { ...defaults, limit: '1' });
    for (let n = 1; n < expected.length; n++) {
      assert.equal(await page.isVisible('#more-contacts'), true, `a next page after ${n}`);
      await page.click('#more-contacts');
      await page.waitForFunction((k) => document.querySelectorAll('#contact-list > li').length === k, n + 1);
    }
    await page.waitForFunction(() => document.querySelector('#more-contacts').hidden);
    assert.deepEqual(await ids(), expected.map((c) => c.person.id));
    const shown = await page.$$eval('#contact-list > li', (lis) => lis.map((li) => ({
      name: li.querySelector('h3').textContent,
      times: [...li.querySelectorAll('time')].map((t) => t.getAttribute('datetime')),
    })));
    assert.deepEqual(shown.map((s) => s.name), expected.map((c) => fullName(c.person)));
    for (const [i, c] of expected.entries()) {
      assert.ok(shown[i].times.includes(c.first_met), `first meeting of ${c.person.id}`);
      assert.ok(shown[i].times.includes(c.closest_at), `closest time of ${c.person.id}`);
    }

    // The timeline has one entry per contact, in time order.
    const timeline = await page.$$eval('#timeline > li', (lis) => lis.map((li) => ({
      id: Number(li.dataset.personId), at: li.querySelector('time').getAttribute('datetime'),
    })));
    const byTime = [...expected].sort((a, b) => Date.parse(a.first_met) - Date.parse(b.first_met));
    assert.deepEqual(timeline, byTime.map((c) => ({ id: c.person.id, at: c.first_met })));

    // The map: one point per contact, a scale bar with a length, no tiles (none configured).
    const map = await page.evaluate(() => {
      const svg = document.querySelector('#contact-map svg');
      return {
        points: svg.querySelectorAll('circle.point').length,
        scale: svg.querySelector('.scale-bar .scale-text').textContent,
        metres: Number(svg.querySelector('.scale-bar').dataset.metres),
        barLength: svg.querySelector('.scale-bar .scale-line').getBBox().width,
        tiles: svg.querySelectorAll('image').length,
        inside: [...svg.querySelectorAll('circle.point')].every((c) => {
          const x = Number(c.getAttribute('cx'));
          const y = Number(c.getAttribute('cy'));
          return x > 0 && x < 640 && y > 0 && y < 400;
        }),
      };
    });
    assert.equal(map.points, expected.length);
    assert.match(map.scale, /^\d+(\.\d+)? (m|km)$/);
    assert.ok(map.metres > 0 && map.barLength > 20, JSON.stringify(map));
    assert.equal(map.tiles, 0);
    assert.ok(map.inside, 'every point is inside the map');
    await shot(page, 'person.png');

    // Changing the distance and window through the form: the same query as the API's.
    await page.fill('#distance_m', '1000');
    await page.fill('#window_s', '86400');
    await Promise.all([page.waitForURL(/distance_m=1000/), page.click('#contact-form button[type=submit]')]);
    await page.waitForFunction(() => document.querySelector('#contacts-status').dataset.kind === 'ok'); // loaded, not 'Loading contacts…'
    const wide = await allContacts(person.id, { distance_m: '1000', window_s: '86400', limit: '1' });
    while (await page.isVisible('#more-contacts')) {
      const before = (await ids()).length;
      await page.click('#more-contacts');
      await page.waitForFunction((k) => document.querySelectorAll('#contact-list > li').length > k, before);
    }
    assert.deepEqual(await ids(), wide.map((c) => c.person.id));
    assert.equal(await page.inputValue('#distance_m'), '1000');

    // A period with nobody in it: the API's empty answer, said in words.
    await page.goto(`${server.base}/people/${person.id}?from=2030-01-01T00:00&to=2030-01-02T00:00`);
    await page.waitForFunction(() => /No contacts/.test(document.querySelector('#contacts-status').textContent));
    assert.equal((await allContacts(person.id, { from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z' })).length, 0);
    assert.equal(await page.locator('#contact-list > li').count(), 0);
    // A bad query: the API's error, naming the field, marked on the field.
    await page.goto(`${server.base}/people/${person.id}?from=2030-01-02T00:00&to=2030-01-01T00:00`);
    await page.waitForFunction(() => /Could not load contacts/.test(document.querySelector('#contacts-status').textContent));
    assert.match(await page.textContent('#contacts-status'), /to must not be before from/);
    assert.equal(await page.getAttribute('#to', 'aria-invalid'), 'true');
    assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
    await context.close();

    // On a phone: readable, nothing wider than the screen.
    const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.page.goto(`${server.base}/people/${person.id}`);
    await phone.page.locator('#contact-map svg').waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone`);
    await shot(phone.page, 'person-phone.png');
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });

  test('the organiser view shows the numbers of GET /api/v2/activity', async () => {
    const { context, page, problems } = await newPage();
    const before = await api('/api/v2/activity?window_s=86400');
    await page.goto(`${server.base}/organiser?window_s=86400`);
    await page.waitForFunction(() => document.querySelector('#stat-present').textContent !== '–');
    const after = await api('/api/v2/activity?window_s=86400');
    assert.deepEqual(after, before, 'activity is stable while the page loads');
    assert.equal(await page.textContent('#stat-present'), String(after.persons_present));
    assert.equal(await page.textContent('#stat-fixes'), String(after.fixes));
    assert.equal(Number(await page.getAttribute('#stat-rate', 'data-value')), after.fixes_per_s);
    assert.equal(await page.getAttribute('#stat-at time', 'datetime'), after.at);
    const rows = await page.$$eval('#hotspots tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.ok(after.hotspots.length > 0, 'the demo data has a busy place');
    assert.deepEqual(rows.map((r) => [Number(r[0]), Number(r[2]), Number(r[3])]),
      after.hotspots.map((h, i) => [i + 1, h.persons, h.fixes]));
    assert.equal(await page.locator('#hotspot-map circle.point').count(), after.hotspots.length);
    await shot(page, 'organiser.png');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a meeting posted through the API appears in the live feed', async () => {
    const persons = await api('/api/persons');
    const [a, b] = [persons[0], persons[2]];
    const { context, page, problems } = await newPage();
    await page.goto(`${server.base}/live`);
    await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status').textContent));

    // Two people at the same spot a few seconds apart: the detector emits a contact.
    const now = Date.now();
    const fix = (person, t, lon) => ({
      person_id: person.id, latitude: '37.5534', longitude: lon,
      creation_time: new Date(t).toISOString().slice(0, 19),
    });
    const posted = [];
    for (const body of [fix(a, now - 5000, '-122.29052'), fix(b, now - 2000, '-122.290521')]) {
      posted.push(await api('/api/locations', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      }));
    }
    for (const l of posted) {
      await page.locator(`#location-feed li[data-location-id="${l.id}"]`).waitFor({ timeout: 20_000 });
    }
    const started = page.locator('#contact-feed li[data-kind="started"]');
    await started.first().waitFor({ timeout: 20_000 });
    const text = await started.first().textContent();
    assert.ok(text.includes(fullName(a)) && text.includes(fullName(b)), text);
    const episode = await started.first().getAttribute('data-episode-id');
    assert.ok(episode.startsWith(`${Math.min(a.id, b.id)}-${Math.max(a.id, b.id)}-`), episode);
    assert.equal(await page.getAttribute('#contact-feed', 'aria-live'), 'polite');
    assert.equal(await page.locator('#location-feed li').count(), 2);
    await shot(page, 'live.png');
    assert.deepEqual(problems, []);

    // Following one person (the link on their page): only their events.
    const other = persons[3];
    await page.goto(`${server.base}/people/${a.id}`);
    await Promise.all([page.waitForURL(`**/live?person_id=${a.id}`), page.click(`a[href="/live?person_id=${a.id}"]`)]);
    await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status').textContent));
    assert.match(await page.textContent('#live-filter'), new RegExp(`Only events involving ${fullName(a)}`));
    const otherFix = await api('/api/locations', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fix(other, Date.now() - 1000, '-122.2905')),
    });
    const ownFix = await api('/api/locations', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fix(a, Date.now(), '-122.2905')),
    });
    await page.locator(`#location-feed li[data-location-id="${ownFix.id}"]`).waitFor();
    assert.equal(await page.locator(`#location-feed li[data-location-id="${otherFix.id}"]`).count(), 0, 'another person\'s fix is not shown');
    assert.deepEqual(await page.$$eval('#location-feed li', (lis) => lis.map((li) => Number(li.dataset.personId))), [a.id]);
    await context.close();
  });

  test('every view passes the axe-core WCAG 2.1 A/AA audit, on a desktop and on a phone', async () => {
    const persons = await api('/api/persons');
    const views = [
      ['/', '#people-list a'],
      [`/people/${persons[0].id}`, '#contact-map svg'],
      ['/live', '#live-status[data-kind="ok"]'],
      ['/organiser', '#hotspots tbody tr'],
    ];
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      // axe is injected as a script: the page's own policy would (rightly) refuse it.
      const { context, page } = await newPage({ viewport, bypassCSP: true });
      for (const [path, ready] of views) {
        await page.goto(`${server.base}${path}`);
        await page.locator(ready).first().waitFor();
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
          return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        });
        assert.deepEqual(violations, [], `${path} at ${viewport.width}px`);
      }
      // The sign-in dialog too.
      await page.goto(`${server.base}/`);
      await page.evaluate(() => document.querySelector('#signin').showModal());
      await page.addScriptTag({ path: AXE });
      const dialog = await page.evaluate(async () => (await window.axe.run('#signin')).violations.map((v) => v.id));
      assert.deepEqual(dialog, []);
      await context.close();
    }
  });

  test('on a 401 the sign-in form posts Basic credentials to /api/v2/auth/login, then retries with the bearer token', async () => {
    // An anonymous page against the real server: its API answers 401 until the user signs in
    // as the first admin (password from the banner) through the form.
    const { context, page } = await newPage({ anonymous: true });
    const sent = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/persons') sent.push(r.headers().authorization || '');
      if (url.pathname === '/api/v2/auth/login') sent.push(`login ${r.method()} ${(r.headers().authorization || '').split(' ')[0]}`);
    });
    await page.goto(`${server.base}/`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-username');
    assert.equal(sent[0], '', 'the first call went without a token');
    await page.fill('#signin-username', 'admin');
    await page.fill('#signin-password', 'not the password');
    await page.click('#signin button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent !== '');
    assert.equal(await page.textContent('#signin-error'), 'Invalid username or password.');
    await page.fill('#signin-password', server.adminPassword);
    await shot(page, 'sign-in.png');
    await page.click('#signin button[type=submit]');
    await page.locator('#people-list a').first().waitFor();
    const persons = await api('/api/persons');
    assert.equal(await page.locator('#people-list a').count(), persons.length);
    assert.ok(sent.includes('login POST Basic'), JSON.stringify(sent));
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('udaconnect.session')).access_token);
    assert.ok(token && token.split('.').length === 3, 'a JWT is kept for the session');
    assert.equal(sent.at(-1), `Bearer ${token}`);
    assert.match(await page.textContent('#session'), /Signed in as admin/);
    // The SSE feeds carry the token in the query string.
    const feeds = [];
    page.on('request', (r) => { if (r.url().includes('/stream')) feeds.push(new URL(r.url()).searchParams.get('access_token')); });
    await page.goto(`${server.base}/live`);
    await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status').textContent));
    assert.ok(feeds.length >= 2 && feeds.every((t) => t === token), JSON.stringify(feeds));
    await context.close();
  });
});

describe('web UI with raster tiles configured (--map-tile-url)', () => {
  let tiled;
  let tiledSession;
  let tiles;
  const requested = [];
  // A 1×1 PNG, served for every tile by a local tile server.
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

  before(async () => {
    tiles = createServer((req, res) => {
      requested.push(req.url);
      const ok = /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(req.url);
      res.writeHead(ok ? 200 : 404, { 'content-type': ok ? 'image/png' : 'text/plain' });
      res.end(ok ? PNG : 'no such tile');
    });
    await new Promise((r) => tiles.listen(0, '127.0.0.1', r));
    const template = `http://127.0.0.1:${tiles.address().port}/tiles/{z}/{x}/{y}.png`;
    tiled = await startServer(BIN, { args: ['--map-tile-url', template] });
    tiledSession = await signIn(tiled);
  });

  after(async () => {
    if (tiled) {
      const { code } = await tiled.stop();
      assert.equal(code, 0, tiled.logs());
    }
    tiles?.close();
  });

  test('the map draws the tiles under the points, allowed by the page\'s policy', async () => {
    const { context, page, problems } = await newPage({ session: tiledSession });
    await page.goto(`${tiled.base}/people/1`);
    await page.locator('#contact-map svg circle.point').first().waitFor();
    const map = await page.evaluate(() => {
      const svg = document.querySelector('#contact-map svg');
      return {
        tiles: [...svg.querySelectorAll('image.tile')].map((i) => i.getAttribute('href')),
        scale: svg.querySelector('.scale-bar .scale-text').textContent,
        attribution: svg.querySelector('.attribution')?.textContent,
      };
    });
    assert.ok(map.tiles.length > 0 && map.tiles.length <= 64, JSON.stringify(map));
    assert.ok(map.tiles.every((t) => /\/tiles\/\d+\/\d+\/\d+\.png$/.test(t)), JSON.stringify(map.tiles));
    assert.match(map.scale, /^\d+(\.\d+)? (m|km)$/);
    assert.match(map.attribution, /^Tiles: 127\.0\.0\.1:\d+$/);
    for (let i = 0; i < 50 && !requested.length; i++) await new Promise((r) => setTimeout(r, 100));
    const loaded = new Set(requested);
    assert.ok(map.tiles.some((t) => loaded.has(new URL(t).pathname)), 'the browser fetched the tiles');
    assert.deepEqual(problems, [], 'no CSP violation or error');
    await context.close();
  });
});

describe('live feed across a server restart', () => {
  let first;
  let second;
  after(async () => {
    await second?.stop();
    if (first && !second) await first.stop();
  });

  test('the feed reconnects by itself and resumes with Last-Event-ID: fixes posted while it was away appear once', async () => {
    first = await startServer(BIN);
    const session = await signIn(first);
    const post = async (base, person, lon) => {
      const res = await fetch(`${base}/api/locations`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.access_token}` },
        body: JSON.stringify({ person_id: person, latitude: '35.0585', longitude: lon, creation_time: new Date().toISOString().slice(0, 19) }),
      });
      const body = await res.text();
      assert.equal(res.status, 202, body);
      return JSON.parse(body).id;
    };
    const { context, page, problems } = await newPage({ session });
    const reconnects = [];
    page.on('request', async (r) => {
      if (r.url().includes('/api/v2/locations/stream')) reconnects.push((await r.allHeaders())['last-event-id'] || null);
    });
    await page.goto(`${first.base}/live`);
    await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status').textContent));
    const before = await post(first.base, 5, '-106.571');
    await page.locator(`#location-feed li[data-location-id="${before}"]`).waitFor();

    // The server goes away; the page says so and keeps trying.
    await first.stop({ keep: true });
    await page.waitForFunction(() => /reconnecting/.test(document.querySelector('#live-status').textContent));
    // Hold the browser off while the server comes back and fixes arrive that it has not seen.
    await page.route('**/api/v2/*/stream*', (route) => route.abort('connectionrefused'));
    second = await startServer(BIN, { dir: first.dir, httpAddr: new URL(first.base).host });
    const missed = [await post(second.base, 8, '-106.572'), await post(second.base, 9, '-106.573')];
    for (const id of missed) {
      for (let i = 0; i < 100; i++) {
        if ((await fetch(`${second.base}/api/locations/${id}`)).ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await page.unroute('**/api/v2/*/stream*');
    for (const id of missed) {
      await page.locator(`#location-feed li[data-location-id="${id}"]`).waitFor({ timeout: 30_000 });
    }
    await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status').textContent));
    assert.equal(await page.locator(`#location-feed li[data-location-id="${before}"]`).count(), 1, 'no duplicate');
    assert.equal(await page.locator('#location-feed li').count(), 3);
    assert.ok(reconnects.slice(1).some((id) => id), `a reconnect sent Last-Event-ID: ${JSON.stringify(reconnects)}`);
    assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED|ERR_FAILED|EventSource/.test(p)), []);
    await context.close();
  });
});
