// Property-based tests over the ingest schema and the OONI importer (issue 9 §1), with
// fast-check on a real DuckDB file:
//   - any valid measurement is accepted, and reads back equal (round trip); sending it again is a
//     duplicate and changes nothing;
//   - any mutation of a valid measurement (a field removed, retyped, oversized, a prototype key,
//     a date or number out of range, deep nesting) is either accepted or rejected with a
//     one-line reason — never a throw — and the store holds exactly the accepted rows, with no
//     observation whose measurement is missing;
//   - the importer, fed any mix of good lines, garbage bytes and broken JSON, reports every
//     line (imported + duplicates + rejected = lines with content) and never throws.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { ingest } from './pipeline.js';
import { importOoni } from './ooni/importer.js';
import { ooniTime } from '../model/time.js';
import { measurementUid } from '../model/uid.js';
import { PLATFORMS } from '../model/platforms.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
const dbPath = join(dir, 'f.duckdb');
let store: Store;
const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 20240101);
const RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 100);
let inputs = 0;

before(async () => { store = await openDuckDbStore(dbPath); });
after(async () => {
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  console.log(`ingest/importer properties: ${inputs} generated inputs, seed ${SEED}`);
});

const T_MIN = Date.UTC(2012, 0, 1);
const T_MAX = Date.now() - 60_000;
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
const anyText = fc.string({ maxLength: 40, unit: 'grapheme' });

/** A measurement the strict schema accepts (web_connectivity with Vigil's minimal test_keys, or
 *  an IM test), with free text wherever the schema allows it. */
const validMeasurement = fc.record({
  t: fc.integer({ min: T_MIN, max: T_MAX }).map((ms) => Math.floor(ms / 1000) * 1000),
  cc: fc.constantFrom('VE', 'BR', 'IR', 'RU', 'MM', 'ZZ'),
  asn: fc.integer({ min: 0, max: 4294967295 }),
  network: anyText,
  report: fc.string({ minLength: 1, maxLength: 60 }),
  host: fc.oneof(fc.constantFrom('twitter.com', 'www.youtube.com', 'x.com'), word.map((w) => `${w}.example`)),
  path: word,
  runtime: fc.double({ min: 0, max: 86400, noNaN: true }),
  accessible: fc.boolean(),
  annotations: fc.dictionary(word.filter((k) => !['probe_id', 'vigil_source_group'].includes(k)), anyText, { maxKeys: 4 }),
}).map((r) => ({
  annotations: { platform: 'linux', ...r.annotations },
  data_format_version: '0.2.0',
  input: `https://${r.host}/${r.path}`,
  measurement_start_time: ooniTime(r.t),
  probe_asn: `AS${r.asn}`,
  probe_cc: r.cc,
  probe_ip: '127.0.0.1',
  probe_network_name: r.network,
  report_id: r.report,
  resolver_asn: 'AS0',
  resolver_ip: '127.0.0.1',
  software_name: 'vigil-probe',
  software_version: '0.1.0',
  test_name: 'web_connectivity',
  test_version: '0.4.3',
  test_runtime: r.runtime,
  test_start_time: ooniTime(r.t),
  test_keys: { accessible: r.accessible, blocking: r.accessible ? false : 'dns', queries: [], requests: [] },
}) as Record<string, unknown>);

/** Values a hostile client might put anywhere. */
const hostileValue = fc.oneof(
  fc.constantFrom(null, true, -1, -1e308, 1e308, 0, '', [], {}, '1999-12-31 23:59:59', '2999-01-01 00:00:00', '2024-02-30 12:00:00',
    'AS4294967296', 'AS-1', `'; DROP TABLE measurements; --`, '../../etc/passwd', '\u0000', 'x'.repeat(10_000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 70, max: 300 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
);

const ENVELOPE_KEYS = ['annotations', 'data_format_version', 'input', 'measurement_start_time', 'probe_asn', 'probe_cc', 'probe_ip', 'probe_network_name',
  'report_id', 'resolver_asn', 'resolver_ip', 'software_name', 'software_version', 'test_name', 'test_version', 'test_runtime', 'test_start_time', 'test_keys'];

/** A mutation as data, so a counterexample prints what was done. */
type Mutation = { op: 'delete'; k: string } | { op: 'set'; k: string; v: unknown } | { op: 'test_keys'; k: string; v: unknown } | { op: 'proto' } | { op: 'ctor' } | { op: 'test_name'; v: string };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...ENVELOPE_KEYS).map((k): Mutation => ({ op: 'delete', k })),
  fc.tuple(fc.constantFrom(...ENVELOPE_KEYS), hostileValue).map(([k, v]): Mutation => ({ op: 'set', k, v })),
  fc.tuple(fc.constantFrom('queries', 'requests', 'accessible', 'blocking', 'tcp_connect', 'control'), hostileValue).map(([k, v]): Mutation => ({ op: 'test_keys', k, v })),
  fc.constant<Mutation>({ op: 'proto' }),
  fc.constant<Mutation>({ op: 'ctor' }),
  fc.constantFrom(...PLATFORMS, 'telegram', 'signal', 'whatsapp', 'dash', '').map((v): Mutation => ({ op: 'test_name', v })),
);

function mutate(m: Record<string, unknown>, muts: Mutation[]): Record<string, unknown> {
  const b = structuredClone(m);
  for (const x of muts) {
    if (x.op === 'delete') delete b[x.k];
    else if (x.op === 'set') b[x.k] = structuredClone(x.v);
    else if (x.op === 'test_keys') {
      if (b.test_keys && typeof b.test_keys === 'object') (b.test_keys as Record<string, unknown>)[x.k] = structuredClone(x.v);
    } else if (x.op === 'proto') Object.defineProperty(b, '__proto__', { value: { polluted: true }, enumerable: true, configurable: true, writable: true });
    else if (x.op === 'ctor') b.test_keys = JSON.parse('{"constructor": {"prototype": {"polluted": true}}}');
    else b.test_name = x.v;
  }
  return b;
}

test('valid measurements are always accepted and read back equal; a second send is a duplicate', async () => {
  await fc.assert(fc.asyncProperty(fc.array(validMeasurement, { minLength: 1, maxLength: 5 }), async (ms) => {
    inputs += ms.length;
    const fresh = new Map(ms.map((m) => [measurementUid(m as Parameters<typeof measurementUid>[0]), m]));
    const stored = new Set<string>();
    for (const uid of fresh.keys()) if (await store.measurement(uid)) stored.add(uid);
    const r = await ingest(store, ms);
    assert.deepEqual(r.rejected, [], JSON.stringify(r.rejected));
    assert.equal(r.accepted, fresh.size - stored.size);
    assert.equal(r.accepted + r.duplicates, ms.length);
    for (const [uid, m] of fresh) {
      if (stored.has(uid)) continue;
      assert.deepEqual(await store.measurement(uid), m);
    }
    const again = await ingest(store, ms);
    assert.equal(again.accepted, 0);
    assert.equal(again.duplicates, ms.length);
  }), { numRuns: RUNS, seed: SEED });
});

test('mutated measurements: accepted or rejected with a reason, never a throw, never a stray row', async () => {
  await fc.assert(fc.asyncProperty(validMeasurement, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (m, muts) => {
    inputs++;
    const bad = mutate(m, muts);
    const before = await store.stats();
    const r = await ingest(store, [bad]);
    assert.equal(r.accepted + r.duplicates + r.rejected.length, 1);
    for (const x of r.rejected) {
      assert.equal(typeof x.error, 'string');
      assert.ok(x.error.length > 0 && x.error.length < 2000 && !x.error.includes('\n'), x.error);
    }
    const after = await store.stats();
    if (r.accepted === 0) assert.equal(after.measurements, before.measurements, 'a rejected item left a row');
    else assert.equal(after.measurements, before.measurements + 1);
    if (r.accepted === 0 && r.duplicates === 0) assert.equal(after.observations, before.observations, 'a rejected item left observations');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }), { numRuns: RUNS * 2, seed: SEED + 1 });
});

test('the OONI importer: any mix of lines is reported line by line, never thrown', async () => {
  const line = fc.oneof(
    validMeasurement.map((m) => JSON.stringify({ ...m, software_name: 'ooniprobe', test_keys: { queries: [], requests: [], control_failure: null } })),
    fc.tuple(validMeasurement, fc.array(mutation, { minLength: 1, maxLength: 2 })).map(([m, muts]) => JSON.stringify(mutate(m, muts))),
    fc.string({ maxLength: 80 }).filter((s) => !s.includes('\n') && !s.includes('\r')),
    fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1').replace(/[\r\n]/g, ' ')),
    fc.constantFrom('{', '[1,2]', 'null', '"x"', '{"measurement_start_time": 1}', '{"__proto__": {"a": 1}}', '['.repeat(5000)),
  );
  let n = 0;
  await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), async (lines) => {
    inputs += lines.length;
    const f = join(dir, `in-${n++}.jsonl`);
    writeFileSync(f, lines.join('\n') + '\n', 'latin1');
    const before = await store.stats();
    const s = await importOoni(store, [f], { keepRejections: 1000 });
    assert.deepEqual(s.errors, []);
    const utf8 = (l: string) => { try { new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(l, 'latin1')); return true; } catch { return false; } };
    const content = lines.filter((l) => l.trim() !== '');
    const firstDecodable = lines.find((l) => utf8(l) && l.trim() !== '');
    const badBefore = firstDecodable === undefined ? content.length : content.indexOf(firstDecodable);
    // a first line of just "{" or "[" starts one pretty-printed JSON document (the importer's
    // documented fallback): the whole file is then one record
    const expected = firstDecodable !== undefined && /^\s*(\{|\[|\[\s*\{)\s*$/.test(firstDecodable) ? badBefore + 1 : content.length;
    assert.ok(s.imported + s.duplicates + s.rejected >= expected, JSON.stringify(s));
    for (const r of s.rejections) assert.ok(!r.error.includes('\n') && r.error.length > 0, r.error);
    const after = await store.stats();
    assert.equal(after.measurements, before.measurements + s.imported);
  }), { numRuns: Math.ceil(RUNS / 2), seed: SEED + 2 });
});

test('no observation without its measurement after all of the above', async () => {
  await store.close();
  const inst = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  const r = await c.runAndReadAll('SELECT count(*) AS n FROM observations o WHERE NOT EXISTS (SELECT 1 FROM measurements m WHERE m.uid = o.uid)');
  assert.equal(Number(r.getRowObjectsJS()[0].n), 0);
  c.closeSync();
  inst.closeSync();
  store = await openDuckDbStore(dbPath);
});
