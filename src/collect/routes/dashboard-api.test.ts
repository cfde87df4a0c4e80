import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { Incident } from '../../model/incident.js';
import { createServer } from '../server.js';
import { ingest } from '../../ingest/pipeline.js';
import { generateScenario, scenarioMeasurements } from '../../detect/scenario/generate.js';
import { dashboardRoutes, chooseBin, downsampleBgp, BGP_MAX_POINTS } from './dashboard-api.js';
import type { BgpVisibilityRow } from '../../store/store.js';

const START = Date.UTC(2020, 0, 5) / 1000;
const DROP = START + 12 * 3600 + 600; // not on a bucket boundary
let dir = '';
let store: Store;
let app: FastifyInstance;
let maxT = 0;
let base = '';

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
  // BGP visibility: two days of 5-minute bins for CANTV (a drop to 5 /24s for 30 min on day 2),
  // three bins for Movistar, nothing for Digitel.
  const bgp: BgpVisibilityRow[] = [];
  for (let t = START - 86400; t < START + 86400; t += 300) {
    bgp.push({ t, asn: 8048, cc: 'VE', slash24: t >= DROP && t < DROP + 1800 ? 5 : 120 + (t / 300) % 3, peers: 10 });
  }
  for (let k = 0; k < 3; k++) bgp.push({ t: START + k * 300, asn: 6306, cc: 'VE', slash24: 40, peers: 9 });
  assert.equal(await store.insertBgpVisibility(bgp), bgp.length);
  app = await createServer({ store, routes: [dashboardRoutes(store)] });
  // the BGP tests go over a real socket, so the query string is parsed as a browser sends it
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

/** GET over HTTP on loopback: status and parsed body. */
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
}

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

test('bgp: stored rows per ASN, as stored when few, only ASNs with rows', async () => {
  const since = START - 600;
  const until = START + 3600;
  const res = await get(`/api/v1/dashboard/bgp?asn=6306&asn=AS8048&asn=264731&since=${since}&until=${until}`);
  assert.equal(res.status, 200);
  const b = res.body;
  assert.deepEqual(b.window, { since, until, range: 'custom' });
  assert.deepEqual(b.asns.map((a: { asn: number }) => a.asn), [6306, 8048], 'in the order asked; Digitel has no rows and is left out');
  const mov = b.asns[0];
  assert.deepEqual([mov.cc, mov.rows, mov.step], ['VE', 3, 0]);
  assert.deepEqual(mov.points, [0, 1, 2].map((k) => [START + k * 300, 40, 9]));
  const cantv = b.asns[1];
  const stored = await store.bgpVisibility({ asn: 8048, since, until });
  assert.equal(cantv.rows, stored.length);
  assert.deepEqual(cantv.points, stored.map((r) => [Number(r.t), Number(r.slash24), Number(r.peers)]));
  // comma-separated works too, and a window without rows answers an empty list
  const none = (await get('/api/v1/dashboard/bgp?asn=8048,6306&since=2019-01-01&until=2019-01-02')).body;
  assert.deepEqual(none.asns, []);
});

test('bgp: a long window is downsampled to at most 300 points per ASN, keeping the drop', async () => {
  const since = START - 86400;
  const until = START + 86400;
  const b = (await get(`/api/v1/dashboard/bgp?asn=8048&since=${since}&until=${until}`)).body;
  const a = b.asns[0];
  assert.equal(a.rows, 576);
  assert.ok(a.points.length <= BGP_MAX_POINTS && a.points.length >= BGP_MAX_POINTS / 2, `${a.points.length} points`);
  assert.ok(a.step > 300 && a.step % 300 === 0);
  assert.ok(a.points.every((p: number[], i: number) => (p[0] - since) % a.step === 0 && (i === 0 || p[0] > a.points[i - 1][0])));
  const low = a.points.filter((p: number[]) => p[1] === 5);
  assert.ok(low.length >= 1, 'the 30-minute drop survives');
  assert.ok(low.every((p: number[]) => p[0] + a.step > DROP && p[0] < DROP + 1800), 'and stays where it was');
  assert.ok(a.points.filter((p: number[]) => p[1] !== 5).every((p: number[]) => p[1] >= 120));
  // the default window (24 h ending at the newest measurement) also answers
  const dflt = (await get('/api/v1/dashboard/bgp?asn=8048')).body;
  assert.equal(dflt.window.until - dflt.window.since, 86400);
  assert.ok(dflt.asns[0].points.length <= BGP_MAX_POINTS);
});

test('downsampleBgp: the minimum per bucket, buckets from since', () => {
  const rows = Array.from({ length: 10 }, (_, k) => ({ t: 1000 + k * 300, slash24: k === 7 ? 1 : 50 + k, peers: k }));
  assert.deepEqual(downsampleBgp(rows, 1000, 4000, 10).points.length, 10);
  const d = downsampleBgp(rows, 1000, 4000, 5);
  assert.equal(d.step, 600);
  assert.deepEqual(d.points, [[1000, 50, 0], [1600, 52, 2], [2200, 54, 4], [2800, 1, 7], [3400, 58, 8]]);
});

test('bgp: bad parameters answer 400 with a reason', async () => {
  const many = Array.from({ length: 21 }, (_, k) => `asn=${k + 1}`).join('&');
  const cases: Array<[string, RegExp]> = [
    ['', /asn/],
    ['asn=', /asn/],
    ['asn=-5', /asn/],
    ['asn=abc', /asn/],
    ['asn=4294967296', /asn/],
    ['asn=1.5', /asn/],
    [many, /at most 20/],
    [Array.from({ length: 21 }, (_, k) => k + 1).join(',').replace(/^/, 'asn='), /at most 20/],
    ['asn=8048&since=yesterday', /since/],
    ['asn=8048&until=2020-13-45', /until/],
    ['asn=8048&since=2020-01-05&until=2020-01-04', /after since/],
    ['asn=8048&since=2010-01-01&until=2020-01-01', /366 days/],
    ['asn=8048&range=2h', /range/],
    ['asn=8048&cc=VE', /unknown parameter/],
  ];
  for (const [q, re] of cases) {
    const res = await get(`/api/v1/dashboard/bgp?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(res.body.reason, re, q);
  }
});
