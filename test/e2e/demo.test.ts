// End-to-end: `vigil demo` (issue 5 "Done when"): the seed scenario on the loopback lab finds
// exactly the four platforms on CANTV only, within 10 minutes of the scenario's start and end;
// report.html opens in a real browser with its charts; the collector it leaves running serves
// the incident to the dashboard, the API and the Atom feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runDemo, type DemoResult } from '../../src/demo/run-demo.js';
import { dashboardRoute } from '../../src/collect/static.js';
import { repoPath } from '../../src/model/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing (CI installs Debian's chromium package)`);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir = '';
let demo: DemoResult;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-demo-test-'));
  const web = repoPath('dist', 'web');
  if (!existsSync(join(web, 'index.html'))) spawnSync(process.execPath, [repoPath('scripts', 'build-web.mjs')], { cwd: repoPath(), stdio: 'inherit' });
  demo = await runDemo({ out: join(dir, 'out'), serve: { host: '127.0.0.1', port: 0, routes: [dashboardRoute(web)] } });
});

after(async () => {
  await demo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sec = (iso: string) => Date.parse(iso) / 1000;

test('the headline names exactly the four platforms on CANTV (AS8048) only, at the right times', () => {
  assert.equal(demo.truth.events.length, 1);
  const truth = demo.truth.events[0];
  const blocks = demo.incidents.filter((i) => i.kind === 'platform_block');
  assert.equal(blocks.length, 1, demo.incidents.map((i) => i.summary).join('\n'));
  const inc = blocks[0];
  assert.deepEqual([...inc.targets].sort(), ['facebook_messenger', 'instagram', 'twitter', 'youtube']);
  assert.deepEqual(inc.asns, [8048]);
  assert.deepEqual(inc.networks, ['CANTV']);
  assert.ok(Math.abs(sec(inc.start) - sec(truth.start)) <= 600, `start ${inc.start} vs ${truth.start}`);
  assert.ok(inc.end && Math.abs(sec(inc.end) - sec(truth.end)) <= 600, `end ${inc.end} vs ${truth.end}`);
  assert.equal(demo.headline, inc.summary);
  assert.match(demo.headline!, /^Twitter, Instagram, YouTube and Messenger restricted on CANTV \(AS8048\), Venezuela, 15:\d\d–17:\d\d UTC/);
  assert.ok(inc.evidence.probes >= 2 && inc.evidence.sample_uids.length > 0);
  // nothing else happened that day: no incident on Movistar or Digitel, no false outage
  assert.equal(demo.incidents.length, 1, demo.incidents.map((i) => i.summary).join('\n'));
});

test('the output directory holds the store, incidents, ground truth and both reports', () => {
  for (const f of ['vigil.duckdb', 'incidents.json', 'scenario.json', 'report.md', 'report.html']) assert.ok(existsSync(join(dir, 'out', f)), f);
  const scenario = JSON.parse(readFileSync(join(dir, 'out', 'scenario.json'), 'utf8'));
  assert.deepEqual(Object.keys(scenario.events[0]).filter((k) => ['kind', 'cc', 'asns', 'targets', 'start', 'end'].includes(k)).sort(), ['asns', 'cc', 'end', 'kind', 'start', 'targets']);
  const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
  assert.match(md, /Movistar \(AS6306\): \d+ measurements of the same targets, 100% successful/);
  assert.match(md, /National Assembly votes/);
});

test('report.html opens in chromium with its charts; the dashboard and the feed show the incident', { skip: haveBrowser ? false : `${CHROMIUM} not installed` }, async () => {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-demo-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  const errors: string[] = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'out', 'report.html')).href);
    assert.equal(await page.locator('h1').textContent(), demo.headline);
    const charts = page.locator('svg');
    assert.ok((await charts.count()) >= 4, 'one chart per target');
    assert.ok((await page.locator('svg path.series').count()) >= 8, 'each chart draws the affected and unaffected networks');
    assert.ok((await page.locator('svg rect.incident').count()) >= 4, 'the incident is shaded');
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });

    // the collector the demo left running: dashboard overview and incident page
    const id = demo.incidents[0].id;
    await page.goto(`${demo.url}/#/`);
    await page.getByText(demo.headline!).first().waitFor({ timeout: 15_000 });
    await page.goto(`${demo.url}/#/incident/${encodeURIComponent(id)}`);
    await page.getByText(demo.headline!).first().waitFor({ timeout: 15_000 });
    const feed = await (await fetch(`${demo.url}/feed.atom`)).text();
    assert.ok(feed.includes(`urn:vigil:incident:${id}`));
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
