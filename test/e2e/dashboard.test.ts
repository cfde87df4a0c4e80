// End-to-end: the dashboard in Debian's chromium (playwright-core, never a downloaded browser)
// against a real collector (createServer + DuckDB in a temp dir + feed, report and dashboard
// routes) filled through the real pipeline: the detection engineer's scenario generator →
// OONI envelopes → ingest → runDetection. Screenshots go to artifacts/screenshots/.
// Without chromium the test is skipped, except under CI where that is a failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoPath } from '../../src/model/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { Incident } from '../../src/model/incident.js';
import { createServer } from '../../src/collect/server.js';
import { feedRoute } from '../../src/collect/routes/feed.js';
import { reportRoutes } from '../../src/collect/routes/reports.js';
import { dashboardRoutes } from '../../src/collect/routes/dashboard-api.js';
import { dashboardRoute } from '../../src/collect/static.js';
import { ingest } from '../../src/ingest/pipeline.js';
import { runDetection } from '../../src/detect/run.js';
import { generateScenario, scenarioMeasurements } from '../../src/detect/scenario/generate.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing (CI installs Debian's chromium package)`);
const skip = haveBrowser ? false : `${CHROMIUM} not installed`;

const SHOTS = repoPath('artifacts', 'screenshots');
const START = Date.UTC(2020, 0, 5) / 1000;
const BLOCK = { start: START + 11 * 3600, end: START + 13.5 * 3600 };

let dir = '';
let store: Store | null = null;
let app: FastifyInstance | null = null;
let ctx: BrowserContext | null = null;
let page: Page;
let base = '';
let block: Incident;
const consoleErrors: string[] = [];

/** Newest modification time under a directory: the build is redone when web/ changed since. */
function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((n) => newestMtime(join(p, n))));
}

before(async () => {
  if (skip) return;
  const web = repoPath('dist', 'web');
  if (!existsSync(join(web, 'index.html')) || newestMtime(repoPath('web')) > statSync(join(web, 'index.html')).mtimeMs) {
    const r = spawnSync(process.execPath, ['scripts/build-web.mjs'], { cwd: repoPath(), stdio: 'inherit' });
    assert.equal(r.status, 0, 'building the dashboard failed');
  }
  dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  mkdirSync(SHOTS, { recursive: true });

  // A Venezuelan day: three networks, a TLS block of Instagram, Twitter and YouTube on CANTV.
  const sc = generateScenario({
    seed: 7, start: START, days: 0.75, intervalSeconds: 600, liar: false,
    networks: [{ asn: 8048, name: 'CANTV', probes: 4 }, { asn: 6306, name: 'Movistar', probes: 3 }, { asn: 264731, name: 'Digitel', probes: 3 }],
    events: [{ technique: 'tls', asns: [8048], targets: ['instagram', 'twitter', 'youtube'], ...BLOCK }],
  });
  store = await openStore(join(dir, 'vigil.duckdb'));
  const items = [...scenarioMeasurements(sc)];
  for (let i = 0; i < items.length; i += 2500) {
    const r = await ingest(store, items.slice(i, i + 2500));
    assert.equal(r.rejected.length, 0, JSON.stringify(r.rejected.slice(0, 2)));
  }
  const det = await runDetection(store, { now: sc.end + 600 });
  const found = det.incidents.find((i) => i.kind === 'platform_block' && i.asns.includes(8048) && i.targets.includes('twitter'));
  assert.ok(found, `detection found the block: ${det.incidents.map((i) => i.summary).join('; ')}`);
  block = found;
  // BGP visibility of CANTV over the day (5-minute bins), down from ~300 to 20 /24s during the
  // block, inserted after detection so the incidents above are the probes' alone.
  const bgp = [];
  for (let t = START; t < START + 18 * 3600; t += 300) {
    bgp.push({ t, asn: 8048, cc: 'VE', slash24: t >= BLOCK.start && t < BLOCK.end ? 20 : 300 + ((t / 300) % 5), peers: 12 });
  }
  assert.equal(await store.insertBgpVisibility(bgp), bgp.length);

  app = await createServer({ store, routes: [feedRoute(store), reportRoutes(store), dashboardRoutes(store), dashboardRoute(web)] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} @ ${m.location().url}`); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
});

after(async () => {
  await ctx?.close().catch(() => {});
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A line's path visibly drops: its y values (SVG y grows downwards) span most of the plot. */
function assertDrop(d: string): void {
  const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(ys.length > 10, `a line of many points: ${d.slice(0, 80)}`);
  assert.ok(Math.max(...ys) - Math.min(...ys) > 50, 'the BGP line drops during the block');
}

/** The app with a 1-second refresh, at a hash route. */
const open = (hash: string) => page.goto(`${base}/?poll=1000#${hash}`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

test('overview lists the incident with its headline, on a shaded map', { skip }, async () => {
  await open('/?range=all');
  const item = page.locator('li.incident', { hasText: block.summary });
  await item.first().waitFor();
  assert.equal(await page.locator('a.headline', { hasText: block.summary }).first().getAttribute('href'), `#/incident/${encodeURIComponent(block.id)}`);
  // Venezuela is a link on the map, shaded as a country with an incident in the period
  await page.locator('a.map-country[href="#/country/VE"]').waitFor();
  assert.match((await page.locator('a.map-country[href="#/country/VE"]').getAttribute('class')) ?? '', /recent|ongoing/);
  assert.ok((await page.locator('.map svg path').count()) > 150, 'the world map draws its countries');
  await shot('overview');
});

test('country page draws the status grid, per-network timelines and volume', { skip }, async () => {
  await open('/country/VE?range=all');
  await page.locator('.lanes svg path.lane-ok').first().waitFor();
  assert.equal(await page.locator('.lanes').count(), 3, 'one timeline per network');
  const d = await page.locator('.lanes svg path.lane-bad').first().getAttribute('d');
  assert.ok(d && d.length > 10, 'failing shares are drawn');
  assert.ok((await page.locator('.lanes rect.incident-box').count()) >= 1, 'the incident is outlined');
  const vol = await page.locator('.chart:not(.lanes):not(.bgp) path.series').count();
  assert.equal(vol, 3, 'a volume line per network');
  assert.ok((await page.locator('table.grid-table td.cell.ok').count()) > 0, 'the grid shows reachable targets');
  // BGP visibility: a chart under CANTV's timeline only (the other networks have no rows)
  const bgpLine = page.locator('.network', { hasText: 'CANTV' }).locator('figure.bgp svg[aria-label^="BGP visibility"] path.bgp-line');
  await bgpLine.waitFor();
  assert.equal(await page.locator('figure.bgp').count(), 1, 'no BGP chart for networks without rows');
  assertDrop((await bgpLine.getAttribute('d'))!);
  await shot('country');
  // the grid at a time inside the block: CANTV's Twitter is blocked
  const mid = Math.floor((BLOCK.start + BLOCK.end) / 2);
  await open(`/country/VE?range=all&at=${mid}`);
  const cell = page.locator('table.grid-table tr', { hasText: 'CANTV' }).locator('td.cell.blocked');
  await cell.first().waitFor();
  assert.ok((await cell.count()) >= 3, 'Instagram, Twitter and YouTube blocked on CANTV at that time');
  await shot('country-during-block');
});

test('incident page shows the headline, facts, charts and evidence', { skip }, async () => {
  await open(`/incident/${encodeURIComponent(block.id)}`);
  await page.locator('h1.headline-h', { hasText: block.summary }).waitFor();
  await page.locator('table.evidence tbody tr').first().waitFor();
  assert.ok((await page.locator('table.evidence tbody tr').count()) >= Math.min(5, block.evidence.sample_uids.length));
  await page.locator('.chart path.series').first().waitFor();
  assert.ok((await page.locator('.chart path.series').count()) >= 3, 'reachability lines drawn');
  for (const h of [`/api/v1/incidents/${encodeURIComponent(block.id)}`, `/api/v1/incidents/${encodeURIComponent(block.id)}/report.md`, `/api/v1/incidents/${encodeURIComponent(block.id)}/report.html`, '/feed.atom']) {
    assert.equal(await page.locator(`ul.links a[href="${h}"]`).count(), 1, `link to ${h}`);
  }
  // the links answer
  const feed = await page.request.get(`${base}/feed.atom`);
  assert.equal(feed.status(), 200);
  assert.match(await feed.text(), new RegExp(block.id));
  assert.match((await page.locator('dl.facts').textContent()) ?? '', /Confidence/);
  // BGP visibility of CANTV around the incident, the incident shaded
  const bgp = page.locator('section[aria-labelledby="bgp-h"] figure.bgp');
  await bgp.locator('path.bgp-line').waitFor();
  assert.match((await bgp.locator('svg').getAttribute('aria-label')) ?? '', /^BGP visibility .*CANTV \(AS8048\)/);
  assert.equal(await bgp.locator('rect.shade').count(), 1, 'the incident is shaded');
  assertDrop((await bgp.locator('path.bgp-line').getAttribute('d'))!);
  await shot('incident');
});

test('a measurement page opens from the evidence, with the verdict in words', { skip }, async () => {
  await open(`/incident/${encodeURIComponent(block.id)}`);
  const link = page.locator('table.evidence tr.anomaly a.uid').first();
  await link.waitFor();
  const uid = (await link.textContent())!;
  await link.focus();
  await page.keyboard.press('Enter'); // keyboard navigation
  await page.waitForURL(new RegExp(`#/measurement/${encodeURIComponent(uid).replace(/\./g, '\\.')}`));
  await page.locator('pre.raw', { hasText: uid }).waitFor();
  const verdict = page.locator('.verdict.anomaly').first();
  await verdict.waitFor();
  assert.match(await verdict.locator('p.explain').innerText(), /Step \d, (DNS|TCP|TLS|HTTP)/);
  await shot('measurement');
});

test('search returns rows and downloads them as CSV', { skip }, async () => {
  await open('/search?cc=VE&asn=8048&target=twitter');
  await page.locator('table.results tbody tr').first().waitFor();
  assert.ok((await page.locator('table.results tbody tr').count()) > 10);
  assert.match(await page.locator('#res-h').innerText(), /^\d[\d,]* measurements$/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download CSV/ }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'uid,time_utc,cc,asn,network,test_name,input,probe_id');
  assert.ok(csv.length > 10);
  assert.ok(csv.slice(1).every((l) => l.includes(',VE,8048,CANTV,')));
  await shot('search');
});

test('a new incident appears on the open overview without a reload; phone width fits', { skip }, async () => {
  await open('/?range=all');
  await page.locator('li.incident').first().waitFor();
  const marker = await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 42));
  const t = new Date((START + 16 * 3600) * 1000).toISOString().slice(0, 19) + 'Z';
  const fresh: Incident = {
    ...block, id: 'inc_e2e_live', kind: 'network_outage', targets: [], layers: ['dns'], start: t, end: null, status: 'ongoing',
    summary: 'Network outage on CANTV (AS8048), Venezuela, since 16:00 UTC (live test)',
  };
  await store!.upsertIncidents([fresh]);
  await page.locator('li.incident.ongoing', { hasText: 'live test' }).waitFor();
  assert.equal(await page.evaluate(() => (window as unknown as { __mark: number }).__mark), marker, 'same page, no reload');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('a.map-country.ongoing[href="#/country/VE"]').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow}px)`);
  await shot('overview-phone');
  await page.reload();
  await page.locator('li.incident').first().waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip', 'Tab reaches the skip link first');
  await store!.deleteIncidents(['inc_e2e_live']);
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the browser console has no errors', { skip }, () => {
  assert.deepEqual(consoleErrors, []);
});
