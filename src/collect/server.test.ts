// The collector over real HTTP on loopback, with the real ingest pipeline and a real DuckDB file.
// The client connects from 127.0.0.77 (localAddress) so the test can prove that address never
// reaches the logs or the store. Hostile input (issue 9 §1): each bad request gets a 4xx or a
// reported rejection with a reason, the server keeps serving, and the store holds exactly the
// good rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DuckDBInstance } from '@duckdb/node-api';
import { createServer } from './server.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { envelope, T0, HOSTILE } from '../store/shared-suite.js';
import { ooniTime } from '../model/time.js';
import { measurementUid } from '../model/uid.js';

const CLIENT = '127.0.0.77';
const dir = mkdtempSync(join(tmpdir(), 'vigil-collect-'));
const dbPath = join(dir, 'c.duckdb');
const logs: string[] = [];
const seenAddresses = new Set<string>();
let store: Store;
let app: FastifyInstance;
let port = 0;
const good = new Set<string>(); // uids the store must hold at the end, and nothing else

function meas(i: number, over: Record<string, unknown> = {}) {
  return { ...envelope({ report_id: `report-${i}`, input: `https://twitter.com/${i}`, measurement_start_time: ooniTime((T0 + i * 60) * 1000), probe_ip: CLIENT }), ...over };
}
const uidOf = (m: Record<string, unknown>) => measurementUid(m as Parameters<typeof measurementUid>[0]);

interface Res { status: number; headers: Record<string, unknown>; text: string; json: any }
function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...headers };
    if (body !== undefined) {
      if (!('content-type' in h)) h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(body);
    }
    const req = request({ host: '127.0.0.1', port, method, path, headers: h, localAddress: CLIENT }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const post = (body: unknown) => call('POST', '/api/v1/measurements', typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));

/** A 4xx with {error, reason}: the reason is one line a person can act on. */
function isClientError(r: Res, status?: number, label = ''): void {
  if (status !== undefined) assert.equal(r.status, status, `${label} ${r.text}`);
  assert.ok(r.status >= 400 && r.status < 500, `expected 4xx, got ${r.status}: ${r.text}`);
  assert.equal(typeof r.json?.error, 'string', r.text);
  assert.equal(typeof r.json?.reason, 'string', r.text);
  assert.ok(r.json.reason.length > 0 && !r.json.reason.includes('\n'));
  assert.ok(!/at .*\.(ts|js):\d+/.test(r.text), 'no stack trace to clients');
}

before(async () => {
  store = await openDuckDbStore(dbPath);
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
  app = await createServer({
    store,
    bodyLimit: 256 * 1024,
    logger: { stream },
  });
  // the test's own witness that the client really came from CLIENT (so the greps below mean something)
  app.server.on('connection', (sock) => { seenAddresses.add(sock.remoteAddress ?? ''); });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});

after(async () => {
  await app?.close();
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('POST one, a batch, and duplicates within and across requests', async () => {
  const m0 = meas(0);
  let r = await post(m0);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { accepted: 1, duplicates: 0, rejected: [] });
  good.add(uidOf(m0));
  r = await post(m0);
  assert.deepEqual(r.json, { accepted: 0, duplicates: 1, rejected: [] });
  const m1 = meas(1);
  const m2 = meas(2);
  r = await post({ measurements: [m1, m2, m1, m0] });
  assert.deepEqual(r.json, { accepted: 2, duplicates: 2, rejected: [] });
  good.add(uidOf(m1)).add(uidOf(m2));
  r = await post({ measurements: [] });
  assert.deepEqual(r.json, { accepted: 0, duplicates: 0, rejected: [] });
  // a real OONI sample lands too
  const sample = JSON.parse(readFileSync(new URL('../../../shared/data/ooni-samples/synthetic_wc05__success-https__successWithHTTPS.measurement.json', import.meta.url), 'utf8'));
  sample.measurement_start_time = ooniTime(T0 * 1000);
  r = await post(sample);
  assert.equal(r.json.accepted, 1, r.text);
  good.add(uidOf(sample));
  // concurrent posts: every one lands exactly once
  const many = Array.from({ length: 40 }, (_, i) => meas(100 + i));
  const answers = await Promise.all([0, 1, 2, 3].map((k) => post({ measurements: many.slice(k * 5, k * 5 + 20) })));
  assert.equal(answers.reduce((a, x) => a + x.json.accepted, 0), 35);
  assert.equal(answers.reduce((a, x) => a + x.json.duplicates, 0), 45);
  for (const m of many.slice(0, 35)) good.add(uidOf(m));
  assert.equal(await store.countMeasurements(), good.size);
});

test('a batch keeps its good items and reports each bad one by index with a reason', async () => {
  const ok1 = meas(10);
  const ok2 = meas(11);
  const items: unknown[] = [
    ok1,
    [meas(12)],                                                  // 1: an array where an object belongs
    { ...meas(13), probe_cc: 5 },                                // 2: wrong type
    (({ report_id: _r, ...rest }) => rest)(meas(14)),            // 3: missing field
    JSON.parse(`{"__proto__": {"admin": true}, "x": 1}`),         // 4: prototype key
    { ...meas(15), test_keys: JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}') }, // 5
    meas(16, { measurement_start_time: '9999-99-99 99:99:99' }), // 6: not a date
    meas(17, { measurement_start_time: '1969-12-31 23:59:59' }), // 7: out of range
    meas(18, { measurement_start_time: '2999-01-01 00:00:00' }), // 8: the future
    meas(19, { probe_asn: 'AS-5' }),                             // 9: negative
    meas(20, { probe_asn: 'AS9999999999' }),                     // 10: beyond 32 bits
    meas(21, { test_runtime: -1 }),                              // 11: negative runtime
    null, 42, 'a string',                                        // 12-14
    ok2,                                                         // 15
    { ...meas(22), probe_cc: `'; DROP TABLE measurements; --` }, // 16
  ];
  const r = await post({ measurements: items });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, 2);
  assert.deepEqual(r.json.rejected.map((x: { index: number }) => x.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]);
  for (const x of r.json.rejected) assert.ok(typeof x.error === 'string' && x.error.length > 3, JSON.stringify(x));
  assert.match(r.json.rejected[1].error, /probe_cc/);
  assert.match(r.json.rejected[2].error, /report_id/);
  assert.match(r.json.rejected[3].error, /__proto__/);
  assert.match(r.json.rejected[4].error, /constructor/);
  assert.match(r.json.rejected[7].error, /future/);
  good.add(uidOf(ok1)).add(uidOf(ok2));
  assert.equal(({} as Record<string, unknown>).admin, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // one bad measurement alone: 400, same answer shape plus the reason
  const one = await post({ ...meas(30), probe_cc: 'not a cc' });
  isClientError(one, 400);
  assert.equal(one.json.accepted, 0);
  assert.match(one.json.rejected[0].error, /probe_cc/);
});

test('malformed requests get a 4xx with a reason and change nothing', async () => {
  const before = await store.countMeasurements();
  isClientError(await post('{"measurement_start_time": '), 400);                        // truncated JSON
  isClientError(await post('{"a": 1} trailing'), 400);
  isClientError(await post(''), 400);                                                    // empty
  isClientError(await post('null'), 400);
  isClientError(await post('[1, 2]'), 400);                                              // array at the top
  isClientError(await post('"just a string"'), 400);
  isClientError(await post({ measurements: { not: 'an array' } }), 400);
  isClientError(await post('['.repeat(100_000) + ']'.repeat(100_000)), 400);            // deep nesting
  const deep = await post(`{"measurements": [${'{"a":'.repeat(70)}1${'}'.repeat(70)}]}`);
  isClientError(deep, 400);
  assert.match(deep.json.reason, /nested/);
  isClientError(await post(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400); // invalid UTF-8
  isClientError(await post(JSON.stringify({ measurements: [meas(40)] }).replace('}', ', "pad": "' + 'x'.repeat(300 * 1024) + '"}')), 413);
  isClientError(await call('POST', '/api/v1/measurements', JSON.stringify(meas(41)), { 'content-type': 'text/plain' }), 415);
  isClientError(await call('POST', '/api/v1/measurements', JSON.stringify(meas(42)), { 'content-type': 'application/x-www-form-urlencoded' }), 415);
  isClientError(await call('POST', '/api/v1/measurements', '<m/>', { 'content-type': 'application/xml' }), 415);
  const withCharset = await call('POST', '/api/v1/measurements', JSON.stringify(meas(43)), { 'content-type': 'application/json; charset=utf-8' });
  assert.equal(withCharset.json?.accepted, 1, withCharset.text);
  good.add(uidOf(meas(43)));
  isClientError(await call('PUT', '/api/v1/measurements', '{}'), 404);
  isClientError(await call('GET', '/api/v1/nothing-here'), 404);
  isClientError(await call('GET', '/api/v1/measurements/%E0%A4%A'), 400);                // bad percent-encoding
  assert.equal(await store.countMeasurements(), before + 1);
});

test('query parameters are validated; SQL-looking strings are refused or harmless', async () => {
  const nasty = [...HOSTILE, `1 OR 1=1`, `VE' --`, '%27', '../../etc/passwd', '-1', '99999999999999999999', '1e309', 'NaN'];
  const endpoints: Array<[string, string[]]> = [
    ['/api/v1/measurements', ['cc', 'asn', 'test_name', 'target', 'since', 'until', 'limit', 'offset', 'order']],
    ['/api/v1/aggregation', ['cc', 'asn', 'target', 'test_name', 'since', 'until', 'grain', 'by']],
    ['/api/v1/incidents', ['cc', 'asn', 'status', 'kind', 'since', 'until', 'limit']],
  ];
  let tried = 0;
  for (const [path, params] of endpoints) {
    for (const p of params) {
      for (const v of nasty) {
        const r = await call('GET', `${path}?${p}=${encodeURIComponent(v)}`);
        tried++;
        // a few of these are well-formed names ("NaN", "1e309" as a target, digits as a test_name):
        // valid, and found nowhere
        if ((p === 'target' && /^[A-Za-z0-9]+$/.test(v)) || (p === 'test_name' && /^[a-z0-9_]+$/.test(v))) {
          assert.equal(r.status, 200, r.text);
          continue;
        }
        isClientError(r, 400, `${path}?${p}=${v}`);
        assert.match(r.json.reason, new RegExp(`^${p}|unknown|give it once`), `${path}?${p}=${v}: ${r.json.reason}`);
      }
    }
  }
  assert.ok(tried > 300);
  // every hostile value above is refused by the patterns (none is a valid cc, asn, time, …)
  for (const v of HOSTILE) isClientError(await call('GET', `/api/v1/measurements?cc=${encodeURIComponent(v)}`), 400);
  for (const q of ['limit=0', 'limit=10001', 'limit=-1', 'offset=-5', 'since=2100-01-02', 'since=1e10', 'until=99999999999999',
    'since=2024-01-02&until=2024-01-01', 'asn=AS99999999999', 'cc=VE&cc=BR', 'bogus=1', 'order=sideways', 'since=2024-13-45']) {
    isClientError(await call('GET', `/api/v1/measurements?${q}`), 400);
  }
  for (const q of ['grain=7m', 'grain=0', 'grain=59', 'grain=-300', `by=${encodeURIComponent('cc;DROP TABLE observations')}`, 'by=probe_ip']) {
    isClientError(await call('GET', `/api/v1/aggregation?${q}`), 400);
  }
  for (const q of ['status=maybe', 'kind=everything']) isClientError(await call('GET', `/api/v1/incidents?${q}`), 400);
  // path ids reach the store as bound parameters: a miss is a 404, not an error
  const r = await call('GET', `/api/v1/measurements/${encodeURIComponent(`'; DROP TABLE measurements; --`)}`);
  isClientError(r, 404);
  isClientError(await call('GET', `/api/v1/incidents/${encodeURIComponent(`x' OR '1'='1`)}`), 404);
  assert.equal(await store.countMeasurements(), good.size);
});

test('GET measurements, one measurement, aggregation, incidents', async () => {
  const list = await call('GET', '/api/v1/measurements?limit=5&order=asc');
  assert.equal(list.status, 200);
  assert.equal(list.json.total, good.size);
  assert.equal(list.json.measurements.length, 5);
  assert.ok(list.json.measurements[0].t <= list.json.measurements[4].t);
  const page2 = await call('GET', '/api/v1/measurements?limit=5&offset=5&order=asc');
  assert.notEqual(page2.json.measurements[0].uid, list.json.measurements[4].uid);
  const since = await call('GET', `/api/v1/measurements?since=${T0 + 100 * 60}&until=${encodeURIComponent(ooniTime((T0 + 110 * 60) * 1000))}&cc=ve&asn=AS8048`);
  assert.equal(since.json.total, 10, since.text);
  const m = meas(1);
  const one = await call('GET', `/api/v1/measurements/${uidOf(m)}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.report_id, 'report-1');
  assert.equal(one.json.probe_ip, '127.0.0.1');
  const obs = await call('GET', `/api/v1/measurements/${uidOf(m)}/observations`);
  assert.equal(obs.status, 200);
  assert.ok(Array.isArray(obs.json.observations));
  isClientError(await call('GET', '/api/v1/measurements/no-such-uid'), 404);

  const agg = await call('GET', `/api/v1/aggregation?cc=VE&grain=1d&since=2024-01-01&until=2024-01-02`);
  assert.equal(agg.status, 200, agg.text);
  assert.equal(agg.json.grain, 86400);
  const expectObs = (await store.aggregate({ grain: '1d', cc: 'VE', since: T0, until: T0 + 86400 }))[0];
  assert.ok(expectObs && expectObs.total > 0);
  assert.deepEqual(agg.json.rows.map((r: any) => [r.t, r.time, r.total, r.probes]), [[T0, '2024-01-01T00:00:00Z', expectObs.total, expectObs.probes]]);
  const byAsn = await call('GET', `/api/v1/aggregation?grain=1h&by=asn,target`);
  assert.equal(byAsn.status, 200);
  assert.ok(byAsn.json.rows.every((r: any) => typeof r.asn === 'number' && typeof r.target === 'string'));

  await store.upsertIncidents([{
    id: 'inc-1', kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'],
    start: '2024-01-01T00:00:00Z', end: null, start_uncertainty_s: 300, end_uncertainty_s: null, layers: ['tls'],
    confidence: 0.9, status: 'ongoing', evidence: { measurements: 3, anomalies: 3, probes: 2, sample_uids: [] }, summary: 'Twitter restricted',
  }]);
  const incs = await call('GET', '/api/v1/incidents?cc=VE&status=ongoing&asn=8048&since=2024-01-01');
  assert.deepEqual(incs.json.incidents.map((i: any) => i.id), ['inc-1']);
  assert.deepEqual((await call('GET', '/api/v1/incidents?cc=BR')).json.incidents, []);
  assert.equal((await call('GET', '/api/v1/incidents/inc-1')).json.summary, 'Twitter restricted');
  isClientError(await call('GET', '/api/v1/incidents/inc-2'), 404);
});

test('healthz and Prometheus metrics', async () => {
  const h = await call('GET', '/api/v1/healthz');
  assert.deepEqual(h.json, { status: 'ok', engine: 'duckdb' });
  const m = await call('GET', '/metrics');
  assert.equal(m.status, 200);
  assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(m.text, new RegExp(`^vigil_store_rows\\{table="measurements"\\} ${good.size}$`, 'm'));
  const ingested = Number(/^vigil_measurements_ingested_total (\d+)$/m.exec(m.text)?.[1]);
  assert.equal(ingested, good.size);
  assert.match(m.text, /^vigil_measurements_duplicate_total [1-9]\d*$/m);
  assert.match(m.text, /^vigil_measurements_rejected_total [1-9]\d*$/m);
  assert.match(m.text, /^vigil_http_requests_total\{method="POST",route="\/api\/v1\/measurements",status="200"\} \d+$/m);
  assert.match(m.text, /^vigil_http_requests_total\{method="POST",route="\/api\/v1\/measurements",status="415"\} 3$/m);
  assert.match(m.text, /^process_resident_memory_bytes \d+$/m);
  assert.doesNotMatch(m.text, /DROP TABLE|etc\/passwd/); // hostile paths never become labels
});

test('the store holds exactly the good rows; the client address is in neither the logs nor the file', async () => {
  assert.ok(seenAddresses.has(CLIENT), `the server saw the client as ${[...seenAddresses].join(', ')}`);
  const got = (await store.measurements({ limit: 10_000 })).map((x) => x.uid).sort();
  assert.deepEqual(got, [...good].sort());
  await app.close();
  await store.close();
  const logText = logs.join('');
  assert.ok(logText.includes('"url":"/api/v1/measurements"'), 'requests were logged');
  assert.ok(!logText.includes(CLIENT), 'client address in the logs');
  assert.ok(!logText.includes('remoteAddress'));
  // the file, byte for byte (positive control: stored text is plainly visible in it, so a grep
  // for the address means something), and every text column through SQL
  assert.ok(readFileSync(dbPath).includes('report-1') || readFileSync(`${dbPath}.wal`).includes('report-1'));
  for (const f of [dbPath, `${dbPath}.wal`]) {
    if (existsSync(f)) assert.ok(!readFileSync(f).includes(CLIENT), `${f} contains the client address`);
  }
  if (process.env.VIGIL_KEEP_DB) (await import('node:fs')).copyFileSync(dbPath, process.env.VIGIL_KEEP_DB);
  const inst = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT
      (SELECT count(*) FROM measurements WHERE raw LIKE '%' || ? || '%' OR network LIKE '%' || ? || '%') AS m,
      (SELECT count(*) FROM measurements WHERE raw LIKE '%"probe_ip":"127.0.0.1"%') AS scrubbed,
      (SELECT count(*) FROM measurements) AS total`, [CLIENT, CLIENT]);
  const row = r.getRowObjectsJS()[0];
  assert.equal(Number(row.m), 0);
  assert.equal(Number(row.scrubbed), Number(row.total));
  c.closeSync();
  inst.closeSync();
});
