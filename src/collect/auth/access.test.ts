// Access control over real HTTP(S) on loopback, with the real pipeline and a real DuckDB file
// (issue 9 §4): tokens, admin endpoints, rate limits per address and per probe, source groups,
// TLS. Clients bind distinct 127/8 source addresses (localAddress) so per-address behaviour is real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../server.js';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import type { Store } from '../../store/store.js';
import { envelope, T0 } from '../../store/shared-suite.js';
import { ooniTime } from '../../model/time.js';
import { makePki } from '../../netx/testing/pki.js';
import { TokenBuckets, addressKey } from './rate-limit.js';
import { SourceGroups } from './source-groups.js';
import { bearer, sameSecret } from './tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
const ADMIN = 'admin-secret-0123456789abcdef';
let store: Store;
let app: FastifyInstance;
let port = 0;
let detectRuns = 0;

interface Res { status: number; headers: Record<string, string | string[] | undefined>; json: any; text: string }
function call(method: string, path: string, o: { body?: unknown; headers?: Record<string, string>; from?: string; tls?: { ca: string; port: number } } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const opts = { host: '127.0.0.1', port: o.tls?.port ?? port, method, path, headers, localAddress: o.from ?? '127.0.0.1' };
    const done = (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => {
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
    };
    const req = o.tls ? httpsRequest({ ...opts, ca: o.tls.ca, servername: 'collector.test' }, done) : httpRequest(opts, done);
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const meas = (i: number, over: Record<string, unknown> = {}) => envelope({ report_id: `auth-${i}`, input: `https://twitter.com/${i}`, measurement_start_time: ooniTime((T0 + i * 60) * 1000), ...over });

before(async () => {
  store = await openDuckDbStore(join(dir, 'a.duckdb'));
  app = await createServer({
    store,
    access: {
      mode: 'tokens', adminToken: ADMIN,
      perAddress: { ratePerSec: 5, burst: 40 },
      perProbe: { ratePerSec: 1, burst: 6 },
      register: { ratePerSec: 0.01, burst: 4 },
      detect: async () => { detectRuns++; return { opened: 0 }; },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
after(async () => {
  await app?.close();
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('token buckets: burst, refill, Retry-After, bounded keys; IPv6 keyed by /64', () => {
  let now = 0;
  const b = new TokenBuckets({ ratePerSec: 2, burst: 3, maxKeys: 2, now: () => now });
  assert.ok(b.take('a').ok && b.take('a').ok && b.take('a').ok);
  const no = b.take('a');
  assert.deepEqual(no, { ok: false, retryAfterS: 1 });
  now += 500;
  assert.ok(b.take('a').ok);
  assert.equal(b.take('a', 3).ok, false);
  b.take('b');
  b.take('c');
  assert.equal(b.size, 2);
  // a batch bigger than the bucket passes when it is full, then the bucket is in debt
  const big = new TokenBuckets({ ratePerSec: 1, burst: 5, now: () => now });
  assert.ok(big.take('x', 50).ok);
  const r = big.take('x', 1);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.retryAfterS >= 45);
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), addressKey('2001:db8:1:2:ffff::1'));
  assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
  assert.equal(addressKey('::ffff:127.0.0.5'), addressKey('127.0.0.5'));
  assert.notEqual(addressKey('127.0.0.5'), addressKey('127.0.0.6'));
});

test('source groups: one pseudonym per /24 (or /48), salted, never the address', () => {
  const g = new SourceGroups({ salt: Buffer.alloc(32, 1) });
  assert.equal(g.of('192.0.2.1'), g.of('192.0.2.200'));
  assert.notEqual(g.of('192.0.2.1'), g.of('192.0.3.1'));
  assert.equal(g.of('2001:db8:1:ffff::1'), g.of('2001:db8:1:1::2'));
  assert.notEqual(g.of('2001:db8:2::1'), g.of('2001:db8:1::1'));
  assert.match(g.of('192.0.2.1'), /^sg_[0-9a-f]{16}$/);
  assert.notEqual(new SourceGroups({ salt: Buffer.alloc(32, 2) }).of('192.0.2.1'), g.of('192.0.2.1'));
  assert.equal(new SourceGroups({ v4Prefix: 32 }).of('192.0.2.1') === new SourceGroups({ v4Prefix: 32 }).of('192.0.2.2'), false);
});

test('bearer parsing and constant-time secret comparison', () => {
  assert.equal(bearer('Bearer abc'), 'abc');
  assert.equal(bearer('bearer  abc '), 'abc');
  for (const h of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearer \u0000x', ['Bearer a']]) assert.equal(bearer(h as never), null, String(h));
  assert.ok(sameSecret('x'.repeat(20), 'x'.repeat(20)));
  assert.ok(!sameSecret('x'.repeat(19), 'x'.repeat(20)));
  assert.ok(!sameSecret('', ''));
});

test('tokens mode: no token or a bad one is 401; a registered token uploads as its own probe id', async () => {
  const from = '127.0.0.21';
  const none = await call('POST', '/api/v1/measurements', { body: meas(1), from });
  assert.equal(none.status, 401, none.text);
  assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  assert.match(none.json.reason, /Authorization: Bearer/);
  for (const h of ['Bearer vgt_' + 'A'.repeat(43), 'Bearer nonsense', 'Basic dXNlcjpwYXNz']) {
    const r = await call('POST', '/api/v1/measurements', { body: meas(1), from, headers: { authorization: h } });
    assert.equal(r.status, 401, `${h}: ${r.text}`);
  }
  const reg = await call('POST', '/api/v1/probes/register', { from });
  assert.equal(reg.status, 201, reg.text);
  assert.match(reg.json.token, /^vgt_[A-Za-z0-9_-]{43}$/);
  assert.match(reg.json.probe_id, /^vp_[0-9a-f]{20}$/);
  assert.equal(reg.headers['cache-control'], 'no-store');
  const auth = { authorization: `Bearer ${reg.json.token}` };
  // the probe claims another id; the token's id wins; the source group is the collector's
  const up = await call('POST', '/api/v1/measurements', { body: meas(2, { annotations: { probe_id: 'someone-else', vigil_source_group: 'sg_0000000000000000' } }), from, headers: auth });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.accepted, 1);
  const [row] = await store.measurements({ limit: 1 });
  assert.equal(row.probe_id, reg.json.probe_id);
  const raw = (await store.measurement(row.uid))!;
  assert.match(String(raw.annotations?.vigil_source_group), /^sg_[0-9a-f]{16}$/);
  assert.notEqual(raw.annotations?.vigil_source_group, 'sg_0000000000000000');
  const obs = await store.observationsOf(row.uid);
  assert.ok(obs.length > 0 && obs.every((o) => o.probe_id === raw.annotations?.vigil_source_group));
  // only the hash is stored: the token is nowhere in the state table
  const hashKey = await store.getState(`auth.probe.${reg.json.probe_id}`);
  assert.match(String(hashKey), /^[0-9a-f]{64}$/);
  assert.notEqual(hashKey, reg.json.token);
  assert.ok(!(await store.getState(`auth.token.${hashKey}`))!.includes(reg.json.token));
});

test('admin endpoints: 401 without, 403 with the wrong token; revocation, incident deletion, detection', async () => {
  const from = '127.0.0.22';
  const reg = await call('POST', '/api/v1/probes/register', { from });
  const pid = reg.json.probe_id as string;
  const wrong = { authorization: 'Bearer not-the-admin-token-at-all' };
  const right = { authorization: `Bearer ${ADMIN}` };
  assert.equal((await call('DELETE', `/api/v1/probes/${pid}/token`, { from })).status, 401);
  assert.equal((await call('DELETE', `/api/v1/probes/${pid}/token`, { from, headers: wrong })).status, 403);
  assert.equal((await call('DELETE', `/api/v1/probes/${pid}/token`, { from, headers: { authorization: `Bearer ${reg.json.token}` } })).status, 403, 'a probe token is no admin token');
  assert.equal((await call('POST', '/api/v1/admin/detect', { from, headers: wrong })).status, 403);
  assert.equal((await call('DELETE', '/api/v1/incidents/x', { from })).status, 401);
  assert.equal(detectRuns, 0);

  const ok = await call('POST', '/api/v1/measurements', { body: meas(3), from, headers: { authorization: `Bearer ${reg.json.token}` } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await call('DELETE', `/api/v1/probes/${pid}/token`, { from, headers: right })).status, 204);
  assert.equal((await call('DELETE', `/api/v1/probes/${pid}/token`, { from, headers: right })).status, 404, 'already revoked');
  assert.equal((await call('DELETE', `/api/v1/probes/${encodeURIComponent("x'; DROP TABLE state; --")}/token`, { from, headers: right })).status, 400);
  const after = await call('POST', '/api/v1/measurements', { body: meas(4), from, headers: { authorization: `Bearer ${reg.json.token}` } });
  assert.equal(after.status, 401, 'a revoked token uploads nothing');

  await store.upsertIncidents([{
    id: 'inc-del', kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'], start: '2024-01-01T00:00:00Z', end: null,
    start_uncertainty_s: 300, end_uncertainty_s: null, layers: ['tls'], confidence: 0.9, status: 'ongoing', evidence: { measurements: 1, anomalies: 1, probes: 1, sample_uids: [] }, summary: 's',
  }]);
  assert.equal((await call('DELETE', '/api/v1/incidents/inc-del', { from, headers: wrong })).status, 403);
  assert.ok(await store.incident('inc-del'));
  assert.equal((await call('DELETE', '/api/v1/incidents/inc-del', { from, headers: right })).status, 204);
  assert.equal(await store.incident('inc-del'), null);
  assert.equal((await call('DELETE', '/api/v1/incidents/inc-del', { from, headers: right })).status, 404);
  const d = await call('POST', '/api/v1/admin/detect', { from, headers: right });
  assert.equal(d.status, 200, d.text);
  assert.equal(detectRuns, 1);
});

test('rate limits: per address (429 + Retry-After, other addresses unaffected), per probe, per registration', async () => {
  const hot = '127.0.0.23';
  const statuses: number[] = [];
  let retry: unknown;
  for (let i = 0; i < 60; i++) {
    const r = await call('GET', '/api/v1/incidents', { from: hot });
    statuses.push(r.status);
    if (r.status === 429) retry = r.headers['retry-after'];
  }
  assert.ok(statuses.includes(429), 'the 41st request in a burst of 60 is refused');
  assert.ok(statuses.slice(0, 40).every((s) => s === 200));
  assert.match(String(retry), /^[1-9]\d*$/);
  assert.equal((await call('GET', '/api/v1/incidents', { from: '127.0.0.24' })).status, 200, 'another address is not slowed');
  assert.equal((await call('GET', '/api/v1/healthz', { from: hot })).status, 200, 'health checks are never limited');

  // per probe: 6 measurements of burst, then 429 for this token only
  const from = '127.0.0.25';
  const reg = await call('POST', '/api/v1/probes/register', { from });
  const auth = { authorization: `Bearer ${reg.json.token}` };
  const first = await call('POST', '/api/v1/measurements', { body: { measurements: [meas(10), meas(11), meas(12), meas(13), meas(14)] }, from, headers: auth });
  assert.equal(first.status, 200, first.text);
  const second = await call('POST', '/api/v1/measurements', { body: { measurements: [meas(15), meas(16), meas(17)] }, from, headers: auth });
  assert.equal(second.status, 429, second.text);
  assert.match(String(second.headers['retry-after']), /^[1-9]\d*$/);
  assert.equal(await store.measurement('nothing'), null);
  assert.equal(await store.countMeasurements({ since: T0 + 15 * 60, until: T0 + 18 * 60 }), 0, 'a refused batch stores nothing');

  // registrations: burst 4 per address
  const regFrom = '127.0.0.26';
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await call('POST', '/api/v1/probes/register', { from: regFrom })).status);
  assert.deepEqual(codes, [201, 201, 201, 201, 429, 429]);
  assert.equal((await call('POST', '/api/v1/probes/register', { from: regFrom, body: '[1]' })).status, 429);
  assert.equal((await call('POST', '/api/v1/probes/register', { from: '127.0.0.27', body: '[1]' })).status, 400);
});

test('TLS: the collector serves HTTPS from a certificate and key, and plain HTTP is not answered on it', async () => {
  const pki = makePki(['collector.test']);
  const s2 = await openDuckDbStore(join(dir, 'tls.duckdb'));
  const tlsApp = await createServer({ store: s2, https: { cert: pki.certPem, key: pki.keyPem }, access: { mode: 'open' } });
  try {
    await tlsApp.listen({ host: '127.0.0.1', port: 0 });
    const p = (tlsApp.server.address() as AddressInfo).port;
    const r = await call('POST', '/api/v1/measurements', { body: meas(30), tls: { ca: pki.caPem, port: p } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepted, 1);
    const h = await call('GET', '/api/v1/healthz', { tls: { ca: pki.caPem, port: p } });
    assert.equal(h.json.status, 'ok');
    // an untrusted client refuses it; plain HTTP gets no HTTP answer
    await assert.rejects(call('GET', '/api/v1/healthz', { tls: { ca: pki.rogueCertPem, port: p } }));
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: p, path: '/api/v1/healthz' }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      req.end();
    });
    assert.doesNotMatch(plain, /status 200/);
  } finally {
    await tlsApp.close();
    await s2.close();
  }
  for (const f of [join(dir, 'tls.duckdb')]) if (existsSync(f)) assert.ok(!readFileSync(f).includes(pki.keyPem.slice(40, 80)));
});

test('the caller address is redacted from every string of an upload, as a whole token only', async () => {
  const { redactAddress } = await import('./access.js');
  const it: Record<string, unknown> = { resolver_ip: '127.0.0.99', test_keys: { q: ['dns 127.0.0.99:53', '127.0.0.990', '1127.0.0.99', '127.0.0.99.1'] } };
  redactAddress(it, '127.0.0.99');
  assert.deepEqual(it, { resolver_ip: '127.0.0.1', test_keys: { q: ['dns 127.0.0.1:53', '127.0.0.990', '1127.0.0.99', '127.0.0.99.1'] } });
  const v6: Record<string, unknown> = { a: '2001:db8::1', b: '2001:db8::12' };
  redactAddress(v6, '2001:db8::1');
  assert.deepEqual(v6, { a: '127.0.0.1', b: '2001:db8::12' });
});
