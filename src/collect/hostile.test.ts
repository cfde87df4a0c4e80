// The hostile-input battery over every HTTP endpoint `vigil serve` registers (issue 9 §1), on a
// real socket with the real pipeline and DuckDB: every parameter (query and path) of every GET
// route gets SQL-looking, path-looking, out-of-range, oversized and malformed values; the POST
// routes get broken bodies of every kind. Each answer is a 2xx (harmless) or a 4xx with a
// one-line reason, never a 5xx or a stack trace; the server keeps answering; and the store
// afterwards holds exactly what it held before plus the good rows sent on purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer } from './server.js';
import { feedRoute } from './routes/feed.js';
import { reportRoutes } from './routes/reports.js';
import { geolookupRoute } from './routes/geolookup.js';
import { dashboardRoutes } from './routes/dashboard-api.js';
import { openGeo } from '../geo/lookup.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { envelope, T0, HOSTILE } from '../store/shared-suite.js';
import { ooniTime } from '../model/time.js';
import { measurementUid } from '../model/uid.js';

const ADMIN = 'hostile-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
let store: Store;
let app: FastifyInstance;
let port = 0;
let tried = 0;
const good = new Set<string>();

const meas = (i: number, over: Record<string, unknown> = {}) =>
  ({ ...envelope({ report_id: `hostile-${i}`, input: `https://twitter.com/${i}`, measurement_start_time: ooniTime((T0 + i * 60) * 1000) }), ...over }) as Record<string, unknown>;
const uidOf = (m: Record<string, unknown>) => measurementUid(m as Parameters<typeof measurementUid>[0]);

interface Res { status: number; headers: Record<string, unknown>; text: string; json: any }
function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Res> {
  tried++;
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...headers };
    if (body !== undefined) {
      if (!('content-type' in h)) h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(body);
    }
    const req = request({ host: '127.0.0.1', port, method, path, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** 2xx, or a 4xx with {error, reason} on one line; never 5xx, never a stack trace. */
function sane(r: Res, label: string): void {
  assert.ok(r.status >= 200 && r.status < 500, `${label}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  assert.ok(!/at .*\.(ts|js):\d+|node:internal/.test(r.text), `${label}: stack trace in ${r.text.slice(0, 300)}`);
  if (r.status >= 400) {
    assert.equal(typeof r.json?.error, 'string', `${label}: ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.json?.reason, 'string', `${label}: ${r.text.slice(0, 300)}`);
    assert.ok(r.json.reason.length > 0 && !r.json.reason.includes('\n'), label);
  }
}

async function snapshot() {
  const s = await store.stats();
  const uids = (await store.measurements({ limit: 10_000 })).map((m) => m.uid).sort();
  const incidents = JSON.stringify(await store.incidents({ limit: 1000 }));
  return { s, uids, incidents };
}

/** Values for every parameter: injection, traversal, ranges, sizes, encodings, prototype names. */
const NASTY = [
  ...HOSTILE, `1 OR 1=1`, `VE' --`, `'; ATTACH '/tmp/x.db' AS x; --`, `COPY measurements TO '/tmp/x'`, '%27', '..', '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd', '/etc/passwd', 'C:\\Windows\\win.ini', 'file:///etc/passwd', '-1', '-9999999999', '0', '99999999999999999999', '1e309', 'NaN',
  'Infinity', '0x10', '1969-12-31', '2100-01-02', '9999-12-31T23:59:59Z', '2024-02-30', '2024-13-01', '0000-00-00', '1700000000000', 'x'.repeat(5000),
  '__proto__', 'constructor', 'prototype', 'toString', '{"$gt":""}', '<script>alert(1)</script>', '${7*7}', '\u0000', '\uFFFF', '\u202E',
];
/** Raw (already-encoded) path and query pieces, including invalid UTF-8 and bad escapes. */
const RAW = ['%FF%FE', '%C0%AF', '%E0%A4%A', '%', '%00', '%2e%2e%2f', '..%5c..%5c', '%F0%9F%92%A5', '%ED%A0%80'];

before(async () => {
  store = await openDuckDbStore(join(dir, 'h.duckdb'));
  const geo = await openGeo({});
  app = await createServer({
    store, bodyLimit: 512 * 1024, maxBatch: 1000,
    access: { mode: 'open', adminToken: ADMIN, perAddress: false, register: false },
    routes: [feedRoute(store), reportRoutes(store), geolookupRoute(geo), dashboardRoutes(store)],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  const seed = Array.from({ length: 20 }, (_, i) => meas(i));
  const r = await call('POST', '/api/v1/measurements', JSON.stringify({ measurements: seed }));
  assert.equal(r.json.accepted, 20, r.text);
  for (const m of seed) good.add(uidOf(m));
  await store.upsertIncidents([{
    id: 'inc-1', kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'], start: '2024-01-01T00:00:00Z', end: '2024-01-01T01:00:00Z',
    start_uncertainty_s: 300, end_uncertainty_s: 300, layers: ['tls'], confidence: 0.9, status: 'resolved',
    evidence: { measurements: 20, anomalies: 20, probes: 2, sample_uids: [...good].slice(0, 3) }, summary: 'Twitter restricted on CANTV (AS8048), Venezuela',
  }]);
});

after(async () => {
  agent.destroy();
  await app?.close();
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('every query parameter of every GET route, and unknown or prototype-named ones: 2xx or 4xx with a reason', async () => {
  const before = await snapshot();
  const routes: Array<[string, string[]]> = [
    ['/api/v1/measurements', ['cc', 'asn', 'test_name', 'target', 'since', 'until', 'limit', 'offset', 'order']],
    ['/api/v1/aggregation', ['cc', 'asn', 'target', 'test_name', 'since', 'until', 'grain', 'by']],
    ['/api/v1/incidents', ['cc', 'asn', 'status', 'kind', 'since', 'until', 'limit']],
    ['/api/v1/geolookup', ['resolver_ip']],
    ['/api/v1/dashboard/overview', ['range', 'since', 'until']],
    ['/api/v1/dashboard/country/VE', ['range', 'since', 'until']],
    ['/feed.atom', ['since']],
    ['/api/v1/healthz', ['x']],
    ['/metrics', ['x']],
  ];
  for (const [path, params] of routes) {
    const all = (p: string, vals: string[]) => Promise.all(vals.map(async (v) => sane(await call('GET', `${path}?${p}=${v}`), `${path}?${p}=${v.slice(0, 30)}`)));
    for (const p of params) {
      await all(encodeURIComponent(p), [...NASTY.map(encodeURIComponent), ...RAW, `1&${p}=2`]);
    }
    // parameters that are not the route's, with prototype names among them
    for (const p of ['__proto__', 'constructor', '__proto__[polluted]', 'toString', 'a'.repeat(400), ...RAW]) await all(p, ['1', 'x', RAW[0]]);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  assert.deepEqual(await snapshot(), before, 'GET requests changed the store');
});

test('every path parameter: 4xx (or 2xx for a real id) with a reason, nothing changed', async () => {
  const before = await snapshot();
  const values = [...NASTY.map(encodeURIComponent), ...RAW];
  const templates = [
    'GET /api/v1/measurements/{}', 'GET /api/v1/measurements/{}/observations', 'GET /api/v1/incidents/{}',
    'GET /api/v1/incidents/{}/report.md', 'GET /api/v1/incidents/{}/report.html', 'GET /api/v1/incidents/{}/report.json', 'GET /api/v1/incidents/{}/report.txt',
    'GET /api/v1/incidents/inc-1/report.{}', 'GET /api/v1/dashboard/country/{}', 'GET /api/v1/dashboard/incidents/{}/evidence',
    'DELETE /api/v1/incidents/{}', 'DELETE /api/v1/probes/{}/token', 'GET /{}', 'GET /api/v1/{}',
  ];
  for (const t of templates) {
    const [method, path] = t.split(' ');
    await Promise.all(values.map(async (v) => {
      const r = await call(method, path.replace('{}', v));
      sane(r, `${t} ${v.slice(0, 30)}`);
      if (method === 'DELETE') assert.ok(r.status === 401 || r.status === 414 || r.status === 400, `${t}: admin only, got ${r.status}`);
    }));
  }
  // with the admin token: bad ids are 400/404, never a deletion of something else
  for (const v of values) {
    const r = await call('DELETE', `/api/v1/incidents/${v}`, undefined, { authorization: `Bearer ${ADMIN}` });
    sane(r, `admin DELETE ${v}`);
    assert.ok(r.status === 400 || r.status === 404 || r.status === 414, `${v}: ${r.status}`);
  }
  // the real incident's reports render
  for (const ext of ['md', 'html', 'json', 'txt']) assert.equal((await call('GET', `/api/v1/incidents/inc-1/report.${ext}`)).status, 200, ext);
  assert.deepEqual(await snapshot(), before);
});

test('POST bodies: broken JSON, nesting, sizes, types, encodings, prototype keys, bad dates and numbers', async () => {
  const before = await snapshot();
  const post = (path: string, body: string | Buffer, ct = 'application/json') => call('POST', path, body, { 'content-type': ct });
  const now = Date.now();
  const bad: Array<[string, string | Buffer]> = [
    ['truncated', '{"measurements": [{"a": '], ['trailing', '{} x'], ['empty', ''], ['spaces', '   '], ['null', 'null'], ['number', '42'], ['string', '"x"'],
    ['top array', '[{"a":1}]'], ['nested 100k', '['.repeat(100_000) + ']'.repeat(100_000)], ['nested 65 objects', '{"a":'.repeat(65) + '1' + '}'.repeat(65)],
    ['unterminated string', '{"a":"' + 'x'.repeat(1000)], ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
    ['UTF-16', Buffer.from('{"a":1}', 'utf16le')], ['lone surrogate escape', '{"measurements":[{"report_id":"\\ud800"}]}'], ['NUL byte', '{"a":"\u0000"}'],
    ['BOM', '\ufeff{"a":1}'], ['huge number', '{"measurements":[{"test_runtime":1e400}]}'], ['measurements not array', '{"measurements":"all"}'],
    ['measurements null', '{"measurements":null}'], ['many empty items', JSON.stringify({ measurements: Array(900).fill({}) })],
    ['array of numbers', JSON.stringify({ measurements: Array.from({ length: 900 }, (_, i) => i) })],
    ['huge string field', JSON.stringify(meas(900, { report_id: 'x'.repeat(400_000) }))],
  ];
  for (const path of ['/api/v1/measurements', '/api/v1/probes/register', '/api/v1/admin/detect']) {
    for (const [label, body] of bad) {
      const r = await post(path, body);
      sane(r, `${path} ${label}`);
      // registration reads no field of its body: any well-formed JSON object is fine there
      let isObject = false;
      try { const v = JSON.parse(String(body).replace(/^\ufeff/, '')); isObject = v !== null && typeof v === 'object' && !Array.isArray(v); } catch { /* not JSON */ }
      if (path === '/api/v1/probes/register' && isObject && !label.startsWith('nested')) continue;
      assert.ok(r.status >= 400, `${path} ${label}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch+json', 'image/png', '', 'application/json; charset=latin1; x=' + 'y'.repeat(2000)]) {
    const r = await post('/api/v1/measurements', JSON.stringify(meas(901)), ct);
    sane(r, `content-type ${ct.slice(0, 40)}`);
    // JSON has no charset parameter (RFC 8259 §11): it is ignored, the bytes must be UTF-8 anyway
    if (ct.startsWith('application/json;')) assert.equal(r.status, 200, r.text);
    else assert.equal(r.status, 415, `${ct.slice(0, 40)}: ${r.text}`);
  }
  good.add(uidOf(meas(901)));
  sane(await post('/api/v1/measurements', 'x'.repeat(600 * 1024)), 'over the body limit');
  assert.equal((await post('/api/v1/measurements', 'x'.repeat(600 * 1024))).status, 413);
  assert.equal((await post('/api/v1/measurements', JSON.stringify({ measurements: Array(1001).fill(1) }))).status, 413, 'batch over maxBatch');

  // one measurement each, wrong in one way: a 400 naming the field
  const mutants: Array<[string, Record<string, unknown>, RegExp]> = [
    ['__proto__ key', JSON.parse(`{"__proto__": {"polluted": 1}, ${JSON.stringify(meas(902)).slice(1)}`), /__proto__/],
    ['constructor.prototype', meas(903, { test_keys: JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}') }), /constructor/],
    ['before 2000', meas(904, { measurement_start_time: '1999-12-31 23:59:59' }), /before 2000/],
    ['epoch', meas(905, { measurement_start_time: '1970-01-01 00:00:00' }), /before 2000/],
    ['future', meas(906, { measurement_start_time: ooniTime(now + 3 * 86_400_000) }), /future/],
    ['far future', meas(907, { measurement_start_time: '9999-12-31 23:59:59' }), /future/],
    ['not a date', meas(908, { measurement_start_time: '2024-02-30 00:00:00' }), /not a valid date/],
    ['start time garbage', meas(909, { test_start_time: 'yesterday' }), /test_start_time/],
    ['negative runtime', meas(910, { test_runtime: -1 }), /test_runtime/],
    ['absurd runtime', meas(911, { test_runtime: 1e12 }), /test_runtime/],
    ['ASN over 32 bits', meas(912, { probe_asn: 'AS4294967296' }), /probe_asn/],
    ['negative ASN', meas(913, { probe_asn: 'AS-1' }), /probe_asn/],
    ['numeric ASN', meas(914, { probe_asn: 8048 }), /probe_asn/],
    ['cc injection', meas(915, { probe_cc: `V'; DROP TABLE measurements; --` }), /probe_cc/],
    ['path in test_name', meas(916, { test_name: '../../etc/passwd' }), /test_name/],
    ['array as item', [] as unknown as Record<string, unknown>, /object/],
  ];
  for (const [label, m, why] of mutants) {
    const r = await post('/api/v1/measurements', JSON.stringify(m));
    sane(r, label);
    assert.equal(r.status, 400, `${label}: ${r.text.slice(0, 300)}`);
    assert.match(r.json.reason + JSON.stringify(r.json.rejected ?? []), why, label);
  }
  // a batch of all of them plus two good ones: the good ones stored, each bad one named by index
  const mixed = [meas(950), ...mutants.map(([, m]) => m), meas(951)];
  const r = await post('/api/v1/measurements', JSON.stringify({ measurements: mixed }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, 2);
  assert.deepEqual(r.json.rejected.map((x: { index: number }) => x.index), mutants.map((_, i) => i + 1));
  good.add(uidOf(meas(950)));
  good.add(uidOf(meas(951)));
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');

  const afterSnap = await snapshot();
  assert.deepEqual(afterSnap.uids, [...good].sort(), 'exactly the good rows');
  assert.equal(afterSnap.s.measurements, before.s.measurements + 3);
  assert.ok(afterSnap.s.observations >= before.s.observations + 3);
  assert.equal(afterSnap.incidents, before.incidents);
});

test('the server still answers after all of it', async () => {
  const h = await call('GET', '/api/v1/healthz');
  assert.equal(h.status, 200);
  const m = await call('GET', '/metrics');
  assert.match(m.text, /^vigil_store_up 1$/m);
  assert.doesNotMatch(m.text, /etc\/passwd|DROP TABLE|script/);
  console.log(`hostile HTTP battery: ${tried} requests, 0 server errors, ${good.size} good rows stored, nothing else`);
});
