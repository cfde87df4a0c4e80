// ingest() against the real DuckDB store: idempotent on uid, bad items rejected with a reason while
// the good ones are stored, probe addresses scrubbed, observations written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { ingest, protoKeyPath } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function wcMeasurement(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data_format_version: '0.2.0',
    input: 'https://twitter.com/',
    measurement_start_time: `2024-01-01 00:${String(i % 60).padStart(2, '0')}:00`,
    probe_asn: 'AS8048', probe_cc: 'VE', probe_ip: '203.0.113.9', probe_network_name: 'CANTV',
    report_id: `report-${i}`, software_name: 'ooniprobe', software_version: '3.20.0',
    test_name: 'web_connectivity', test_version: '0.4.3',
    test_keys: {
      queries: [{ engine: 'system', failure: null, hostname: 'twitter.com', query_type: 'A', answers: [{ answer_type: 'A', ipv4: '104.244.42.1' }] }],
      tcp_connect: [{ ip: '104.244.42.1', port: 443, status: { success: false, failure: 'generic_timeout_error' } }],
      requests: [{ failure: 'generic_timeout_error', request: { method: 'GET', url: 'https://twitter.com/' }, response: null }],
      control_failure: null,
      control: { dns: { failure: null, addrs: ['104.244.42.1'] }, tcp_connect: { '104.244.42.1:443': { status: true, failure: null } }, http_request: { failure: null, status_code: 200, body_length: 1000, title: 'X', headers: {} } },
    },
    ...over,
  };
}

test('ingest stores measurements and observations, and a second run is a no-op', async () => {
  const store = await openDuckDbStore(join(dir, 'a.duckdb'));
  try {
    const items = [wcMeasurement(1), wcMeasurement(2), wcMeasurement(2)];
    const r1 = await ingest(store, items);
    assert.deepEqual(r1, { accepted: 2, duplicates: 1, rejected: [] });
    const r2 = await ingest(store, items);
    assert.deepEqual(r2, { accepted: 0, duplicates: 3, rejected: [] });
    const st = await store.stats();
    assert.equal(st.measurements, 2);
    assert.equal(st.observations, 2);
    const [s] = await store.measurements({ limit: 1, order: 'asc' });
    const obs = await store.observationsOf(s.uid);
    assert.equal(obs[0].target, 'twitter');
    assert.equal(obs[0].status, 'anomaly');
    assert.equal(obs[0].layer, 'tcp');
    const raw = await store.measurement(s.uid);
    assert.equal(raw?.probe_ip, '127.0.0.1', 'the probe address is never stored');
  } finally {
    await store.close();
  }
});

test('bad items are rejected one by one with a reason; the good ones are kept', async () => {
  const store = await openDuckDbStore(join(dir, 'b.duckdb'));
  try {
    const proto = JSON.parse('{"__proto__": {"polluted": true}}');
    const protoDeep = { ...wcMeasurement(20), test_keys: JSON.parse('{"queries": [], "x": {"__proto__": {"a": 1}}}') };
    const items: unknown[] = [
      wcMeasurement(10),
      [wcMeasurement(11)],                                           // an array where an object belongs
      { ...wcMeasurement(12), probe_cc: 5 },                         // wrong type
      (() => { const m = wcMeasurement(13); delete m.report_id; return m; })(), // missing field
      { ...wcMeasurement(14), test_keys: { queries: 'nope' } },      // wrong type inside test_keys
      proto,
      protoDeep,
      { ...wcMeasurement(15), measurement_start_time: '2024-13-45 99:99:99' },
      null,
      wcMeasurement(16),
    ];
    const r = await ingest(store, items);
    assert.equal(r.accepted, 2);
    assert.deepEqual(r.rejected.map((x) => x.index), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const x of r.rejected) assert.ok(x.error.length > 3 && !x.error.includes('\n'), x.error);
    assert.match(r.rejected[0].error, /array/);
    assert.match(r.rejected[1].error, /probe_cc/);
    assert.match(r.rejected[2].error, /report_id/);
    assert.match(r.rejected[3].error, /test_keys\/queries/);
    assert.match(r.rejected[4].error, /__proto__/);
    assert.match(r.rejected[5].error, /__proto__/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await store.stats()).measurements, 2);
  } finally {
    await store.close();
  }
});

test('lenient mode accepts legacy test_keys shapes the strict schema refuses', async () => {
  const store = await openDuckDbStore(join(dir, 'c.duckdb'));
  try {
    const legacy = wcMeasurement(30, { test_keys: { ...(wcMeasurement(30).test_keys as object), queries: [{ hostname: 'twitter.com', query_type: 'A', answers: [] }] } });
    assert.equal((await ingest(store, [legacy])).rejected.length, 1);
    assert.deepEqual(await ingest(store, [legacy], { testKeys: 'lenient' }), { accepted: 1, duplicates: 0, rejected: [] });
  } finally {
    await store.close();
  }
});

test('protoKeyPath finds nested keys and ignores values', () => {
  assert.equal(protoKeyPath(JSON.parse('{"a":[{"b":{"__proto__":1}}]}')), '/a/0/b/__proto__');
  assert.equal(protoKeyPath({ a: '__proto__' }), null);
});

test('a re-sent uid cannot bring observations of its own (only the stored measurement counts)', async () => {
  const store = await openDuckDbStore(join(dir, 'forge.duckdb'));
  try {
    const first = wcMeasurement(7, { measurement_uid: 'uid-forge-1' });
    assert.equal((await ingest(store, [first])).accepted, 1);
    const before = await store.observationsOf('uid-forge-1');
    assert.deepEqual(before.map((o) => o.target), ['twitter']);
    // the same uid, claiming another input, network and probe
    const forged = wcMeasurement(7, { measurement_uid: 'uid-forge-1', input: 'https://www.youtube.com/', probe_asn: 'AS6306', annotations: { probe_id: 'attacker' } });
    assert.deepEqual(await ingest(store, [forged]), { accepted: 0, duplicates: 1, rejected: [] });
    assert.deepEqual(await store.observationsOf('uid-forge-1'), before);
  } finally {
    await store.close();
  }
});
