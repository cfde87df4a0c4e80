import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { Incident } from '../../model/incident.js';
import { createServer } from '../server.js';
import { ingest } from '../../ingest/pipeline.js';
import { generateScenario, scenarioMeasurements } from '../../detect/scenario/generate.js';
import { dashboardRoutes, chooseBin } from './dashboard-api.js';

const START = Date.UTC(2020, 0, 5) / 1000;
let dir = '';
let store: Store;
let app: FastifyInstance;
let maxT = 0;

const inc = (over: Partial<Incident>): Incident => ({
  id: 'inc_a', kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'],
  start: '2020-01-05T02:00:00Z', end: '2020-01-05T03:00:00Z', start_uncertainty_s: 300, end_uncertainty_s: 300,
  layers: ['tls'], confidence: 0.9, status: 'resolved', evidence: { measurements: 1, anomalies: 1, probes: 1, sample_uids: [] },
  summary: 'Twitter restricted on CANTV (AS8048), Venezuela', ...over,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-dash-api-'));
  store = await openStore(join(dir, 'v.duckdb'));
  const sc = generateScenario({ seed: 3, start: START, days: 0.25, intervalSeconds: 900, liar: false, events: 'none', networks: [{ asn: 8048, name: 'CANTV', probes: 2 }, { asn: 6306, name: 'Movistar', probes: 2 }] });
  const r = await ingest(store, [...scenarioMeasurements(sc)]);
  assert.ok(r.accepted > 100);
  maxT = (await store.stats()).maxT!;
  const uid = sc.observations[0].uid;
  await store.upsertIncidents([
    inc({ evidence: { measurements: 1, anomalies: 1, probes: 1, sample_uids: [uid] } }),
    // ongoing, started long before the window: still listed
    inc({ id: 'inc_old', start: '2019-12-01T00:00:00Z', end: null, status: 'ongoing', kind: 'network_outage', targets: [], summary: 'old outage' }),
    // resolved and outside every window asked below: not listed
    inc({ id: 'inc_gone', start: '2019-11-01T00:00:00Z', end: '2019-11-01T01:00:00Z', summary: 'gone' }),
  ]);
  app = await createServer({ store, routes: [dashboardRoutes(store)] });
});

after(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('chooseBin keeps the country page at most 144 bins', () => {
  assert.equal(chooseBin(6 * 3600), 300);
  assert.equal(chooseBin(86400), 600);
  assert.equal(chooseBin(7 * 86400), 3 * 3600);
  assert.ok(365 * 86400 / chooseBin(365 * 86400) <= 144);
});

test('overview: window ends at the newest data; per-country counts equal the store aggregate', async () => {
  const res = await app.inject({ url: '/api/v1/dashboard/overview?range=6h' });
  assert.equal(res.statusCode, 200);
  const b = res.json();
  assert.ok(b.window.until > maxT && b.window.until - maxT <= 3600);
  assert.equal(b.window.until - b.window.since, 6 * 3600);
  const agg = await store.aggregate({ since: b.window.since, until: b.window.until, grain: 6 * 3600, by: ['cc'] });
  assert.equal(b.countries.length, 1);
  assert.equal(b.countries[0].cc, 'VE');
  assert.equal(b.countries[0].total, agg.reduce((s, r) => s + Number(r.total), 0));
  assert.deepEqual(b.incidents.map((i: Incident) => i.id), ['inc_a', 'inc_old'], 'newest start first, ongoing included, old resolved left out');
  assert.equal(b.stats.measurements, (await store.stats()).measurements);
});

test('overview: bad parameters answer 400 with a reason', async () => {
  for (const q of ['range=2h', 'since=2020-01-05&until=2020-01-04', 'foo=1']) {
    const res = await app.inject({ url: `/api/v1/dashboard/overview?${q}` });
    assert.equal(res.statusCode, 400, q);
    assert.ok(res.json().reason);
  }
});

test('country: series rows per network, target and bin, platforms first', async () => {
  const res = await app.inject({ url: '/api/v1/dashboard/country/ve?range=6h' });
  assert.equal(res.statusCode, 200);
  const b = res.json();
  assert.equal(b.cc, 'VE');
  assert.equal(b.window.bin, 300);
  assert.deepEqual(b.networks.map((n: { asn: number }) => n.asn).sort(), [6306, 8048]);
  assert.equal(b.networks.find((n: { asn: number }) => n.asn === 8048).network, 'CANTV');
  assert.equal(b.targets[0], 'twitter');
  assert.ok(b.targets.indexOf('youtube') < b.targets.indexOf('bbc.com'));
  const total = b.rows.reduce((s: number, r: number[]) => s + r[3] + r[4] + r[5] + r[6], 0);
  assert.equal(total, b.networks.reduce((s: number, n: { total: number }) => s + n.total, 0));
  assert.ok(b.rows.every((r: number[]) => r[0] % 300 === 0 && r[0] >= b.window.since && r[0] < b.window.until));
  assert.deepEqual(b.incidents.map((i: Incident) => i.id), ['inc_a', 'inc_old']);
  assert.equal((await app.inject({ url: '/api/v1/dashboard/country/VEN' })).statusCode, 400);
  const empty = (await app.inject({ url: '/api/v1/dashboard/country/FR?range=6h' })).json();
  assert.deepEqual([empty.rows, empty.networks], [[], []]);
});

test('evidence: the observations of the sample measurements; 404 for an unknown incident', async () => {
  const res = await app.inject({ url: '/api/v1/dashboard/incidents/inc_a/evidence' });
  assert.equal(res.statusCode, 200);
  const b = res.json();
  assert.ok(b.observations.length >= 1);
  assert.ok(b.observations.every((o: { uid: string }) => o.uid === b.observations[0].uid));
  assert.equal((await app.inject({ url: '/api/v1/dashboard/incidents/nope/evidence' })).statusCode, 404);
});
