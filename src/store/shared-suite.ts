// The shared Store suite (DESIGN.md §5): every engine registers these node:test tests with
// `runStoreSuite(name, open, cleanup)`. `open()` must return a fresh, empty store each call; every
// test closes the store it opened. Expected numbers are worked out by hand in the comments, and no
// test relies on an order the Store interface does not promise (results are ordered by the
// documented keys or compared as sets).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, StoredMeasurement, AggregateRow, BgpVisibilityRow } from './store.js';
import type { Envelope } from '../model/measurement.js';
import type { Observation } from '../model/observation.js';
import type { Incident } from '../model/incident.js';
import { ooniTime, isoSeconds } from '../model/time.js';

/** 2024-01-01T00:00:00Z: a day boundary, so every grain's bins start at T0. */
export const T0 = 1704067200;

/** Strings an attacker would send: quotes, SQL, path tricks, unicode, NUL, control bytes. */
export const HOSTILE = [
  `'; DROP TABLE measurements; --`,
  `" OR 1=1 --`,
  `Robert'); DELETE FROM observations WHERE ('1'='1`,
  `\\'\\"\\\\ backslashes`,
  `../../etc/passwd`,
  `NUL\u0000inside`,
  `ünïcødé 💥 مرحبا 中文`,
  `\u202Eright-to-left\r\n\ttabs`,
  `$1 ? :name @p {0}`,
];

export function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    annotations: { platform: 'linux', engine_name: 'vigil' },
    data_format_version: '0.2.0',
    input: 'https://twitter.com/',
    measurement_start_time: ooniTime(T0 * 1000),
    probe_asn: 'AS8048',
    probe_cc: 'VE',
    probe_ip: '127.0.0.1',
    probe_network_name: 'CANTV',
    report_id: 'r1',
    resolver_asn: 'AS8048',
    resolver_ip: '127.0.0.1',
    software_name: 'vigil-probe',
    software_version: '0.1.0',
    test_name: 'web_connectivity',
    test_version: '0.4.3',
    test_runtime: 1.25,
    test_start_time: ooniTime(T0 * 1000),
    test_keys: { accessible: true, blocking: false, queries: [], requests: [] },
    ...over,
  };
}

export function stored(uid: string, t: number, over: Partial<StoredMeasurement> = {}): StoredMeasurement {
  const raw = envelope({ measurement_uid: uid, measurement_start_time: ooniTime(t * 1000) });
  return { uid, t, cc: 'VE', asn: 8048, network: 'CANTV', probe_id: 'p1', test_name: 'web_connectivity', input: 'https://twitter.com/', raw, ...over };
}

type O = [uid: string, dt: number, cc: string, asn: number, probe: string, target: string, test: string, status: Observation['status'], layer: Observation['layer'], failure: string | null, value?: number];
function obs(rows: O[]): Observation[] {
  return rows.map(([uid, dt, cc, asn, probe_id, target, test_name, status, layer, failure, value]) => ({
    uid, t: T0 + dt, cc, asn, network: cc === 'VE' ? (asn === 8048 ? 'CANTV' : 'Movilnet') : 'Claro', probe_id, test_name, target, status, layer, failure, value: value ?? null,
  }));
}

/**
 * The hand-worked dataset. Bins (seconds after T0) per grain:
 *   uA 0, uB 60, uC 120, uH 200 → 5m bin 0;  uD 310 → 5m bin 300;  uE 650 → 5m/10m bin 600, 1h bin 0;
 *   uF 3700 → 1h bin 3600;  uG 86430 → bin 86400 at every grain (BR).
 */
const DATA: O[] = [
  ['uA', 0, 'VE', 8048, 'p1', 'twitter', 'web_connectivity', 'ok', null, null],
  ['uB', 60, 'VE', 8048, 'p2', 'twitter', 'web_connectivity', 'anomaly', 'tls', 'connection_reset'],
  ['uC', 120, 'VE', 8048, 'p1', 'twitter', 'web_connectivity', 'anomaly', 'tls', 'connection_reset'],
  ['uH', 200, 'VE', 8048, 'p3', 'twitter', 'web_connectivity', 'anomaly', 'tcp', 'generic_timeout_error'],
  ['uD', 310, 'VE', 8048, 'p2', 'youtube', 'web_connectivity', 'confirmed', 'http', null],
  ['uE', 650, 'VE', 8048, 'p3', 'whatsapp', 'whatsapp', 'failure', null, null],
  ['uF', 3700, 'VE', 21826, 'p4', 'twitter', 'web_connectivity', 'anomaly', 'dns', 'dns_nxdomain_error'],
  ['uG', 86430, 'BR', 28573, 'p5', 'twitter', 'web_connectivity', 'ok', null, null],
];

/** Keeps the fields a test compares, numbers as numbers (engines may differ in extra keys). */
function norm(rows: AggregateRow[], by: string[] = []) {
  return rows.map((r) => {
    const o: Record<string, unknown> = { t: Number(r.t) - T0 };
    for (const b of by) o[b] = b === 'asn' ? Number((r as any)[b]) : (r as any)[b];
    for (const k of ['ok', 'anomaly', 'confirmed', 'failure', 'total', 'probes'] as const) o[k] = Number(r[k]);
    return o;
  });
}
const row = (t: number, ok: number, anomaly: number, confirmed: number, failure: number, total: number, probes: number, extra: Record<string, unknown> = {}) =>
  ({ t, ...extra, ok, anomaly, confirmed, failure, total, probes });

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id, kind: 'platform_block', cc: 'VE', asns: [8048], networks: ['CANTV'], targets: ['twitter'],
    start: isoSeconds(T0 * 1000), end: isoSeconds((T0 + 3600) * 1000), start_uncertainty_s: 300, end_uncertainty_s: 300,
    layers: ['tls'], confidence: 0.9, status: 'resolved',
    evidence: { measurements: 10, anomalies: 9, probes: 3, sample_uids: ['uB', 'uC'] },
    summary: 'Twitter restricted on CANTV (AS8048), Venezuela', ...over,
  };
}

export function runStoreSuite(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }

  describe(`Store suite: ${name}`, () => {
    if (cleanup) after(cleanup);

    test('an empty store has zero stats and answers empty', () => withStore(async (s) => {
      assert.deepEqual(await s.stats(), { measurements: 0, observations: 0, incidents: 0, minT: null, maxT: null });
      assert.equal(await s.measurement('nope'), null);
      assert.deepEqual(await s.measurements({}), []);
      assert.deepEqual(await s.aggregate({ grain: '1h' }), []);
      assert.deepEqual(await s.incidents(), []);
      assert.equal(await s.incident('nope'), null);
      assert.equal(await s.getState('nope'), null);
    }));

    test('inserts are idempotent; duplicates are counted within and across batches', () => withStore(async (s) => {
      assert.deepEqual(await s.insertMeasurements([]), { inserted: 0, duplicates: 0 });
      assert.deepEqual(await s.insertMeasurements([stored('a', T0), stored('b', T0 + 1), stored('c', T0 + 2)]), { inserted: 3, duplicates: 0 });
      assert.deepEqual(await s.insertMeasurements([stored('a', T0), stored('b', T0 + 1), stored('c', T0 + 2)]), { inserted: 0, duplicates: 3 });
      // within one batch: d twice (the first one is kept), plus a from before
      const d1 = stored('d', T0 + 3, { network: 'first' });
      const d2 = stored('d', T0 + 3, { network: 'second' });
      assert.deepEqual(await s.insertMeasurements([d1, d2, stored('a', T0), stored('e', T0 + 4)]), { inserted: 2, duplicates: 2 });
      assert.equal(await s.countMeasurements(), 5);
      const [d] = await s.measurements({ since: T0 + 3, until: T0 + 4 });
      assert.equal(d.network, 'first');
      const st = await s.stats();
      assert.equal(st.measurements, 5);
      assert.equal(st.minT, T0);
      assert.equal(st.maxT, T0 + 4);
    }));

    test('observations: (uid, target) pairs are unique; observationsOf round-trips', () => withStore(async (s) => {
      const rows = obs(DATA);
      assert.equal(await s.insertObservations(rows), 8);
      assert.equal(await s.insertObservations(rows), 0);
      // a new target of an existing uid is new; the same pair twice in one batch counts once
      const extra = obs([['uA', 0, 'VE', 8048, 'p1', 'instagram', 'web_connectivity', 'ok', null, null]]);
      assert.equal(await s.insertObservations([...extra, ...extra, rows[0]]), 1);
      assert.equal((await s.stats()).observations, 9);
      const got = await s.observationsOf('uA');
      assert.deepEqual(got.map((o) => o.target), ['instagram', 'twitter']);
      const tw = got[1];
      assert.deepEqual({ ...tw, t: Number(tw.t), asn: Number(tw.asn) }, rows[0]);
      const b = (await s.observationsOf('uB'))[0];
      assert.equal(b.layer, 'tls');
      assert.equal(b.failure, 'connection_reset');
      assert.equal(b.value, null);
    }));

    test('measurement() round-trips the raw JSON exactly', () => withStore(async (s) => {
      const weird = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "a": [1, 2.5, -0.125, 1e-7, null, true, false, "", {}], "big": 12345678901234}');
      const raw = envelope({
        measurement_uid: 'round',
        probe_network_name: HOSTILE.join(' | '),
        test_keys: { ...weird, body: 'x'.repeat(200_000), hostile: HOSTILE, nested: { deeper: { deepest: ['é', '\u0000', '\ud83d\udca5'] } } },
      });
      await s.insertMeasurements([{ ...stored('round', T0), raw }]);
      const back = await s.measurement('round');
      assert.deepEqual(back, raw);
      assert.equal(JSON.stringify(back), JSON.stringify(raw));
      assert.equal(({} as any).polluted, undefined);
    }));

    test('hostile strings are stored and returned verbatim, and are harmless as filters', () => withStore(async (s) => {
      const ms = HOSTILE.map((h, i) => stored(h, T0 + i, { cc: h, network: h, probe_id: h, test_name: h, input: h }));
      assert.deepEqual(await s.insertMeasurements(ms), { inserted: HOSTILE.length, duplicates: 0 });
      const os: Observation[] = HOSTILE.map((h, i) => ({ uid: h, t: T0 + i, cc: h, asn: 1, network: h, probe_id: h, test_name: h, target: h, status: 'anomaly', layer: null, failure: h, value: null }));
      assert.equal(await s.insertObservations(os), HOSTILE.length);
      for (const [i, h] of HOSTILE.entries()) {
        const [m] = await s.measurements({ cc: h });
        assert.ok(m, `measurement with cc ${JSON.stringify(h)}`);
        assert.deepEqual([m.uid, m.cc, m.network, m.probe_id, m.test_name, m.input, Number(m.t)], [h, h, h, h, h, h, T0 + i]);
        assert.equal(await s.countMeasurements({ test_name: h, target: h }), 1);
        assert.deepEqual((await s.measurement(h))?.measurement_uid, h);
        const [o] = await s.observationsOf(h);
        assert.deepEqual([o.target, o.failure, o.network], [h, h, h]);
        const agg = await s.aggregate({ grain: '1d', cc: h, target: h, test_name: h });
        assert.equal(Number(agg[0]?.total), 1);
        assert.deepEqual(await s.sampleUids({ cc: h, asns: [1], targets: [h], since: T0, until: T0 + 86400, limit: 5 }), [h]);
        await s.setState(h, h);
        assert.equal(await s.getState(h), h);
      }
      // the tables are all still there and hold exactly what went in
      const st = await s.stats();
      assert.equal(st.measurements, HOSTILE.length);
      assert.equal(st.observations, HOSTILE.length);
    }));

    test('measurements(): filters, order and paging', () => withStore(async (s) => {
      const ms = [
        stored('m1', T0, { cc: 'VE', asn: 8048, test_name: 'web_connectivity' }),
        stored('m2', T0 + 60, { cc: 'VE', asn: 8048, test_name: 'whatsapp', input: null }),
        stored('m3', T0 + 120, { cc: 'VE', asn: 21826, test_name: 'web_connectivity' }),
        stored('m4', T0 + 180, { cc: 'BR', asn: 28573, test_name: 'web_connectivity' }),
        stored('m5', T0 + 240, { cc: 'VE', asn: 8048, test_name: 'web_connectivity' }),
      ];
      await s.insertMeasurements(ms);
      await s.insertObservations(obs([
        ['m1', 0, 'VE', 8048, 'p1', 'twitter', 'web_connectivity', 'ok', null, null],
        ['m1', 0, 'VE', 8048, 'p1', 'youtube', 'web_connectivity', 'ok', null, null],
        ['m2', 60, 'VE', 8048, 'p1', 'whatsapp', 'whatsapp', 'ok', null, null],
        ['m5', 240, 'VE', 8048, 'p1', 'twitter', 'web_connectivity', 'anomaly', 'tls', 'connection_reset'],
      ]));
      const uids = async (q: Parameters<Store['measurements']>[0]) => (await s.measurements(q)).map((m) => m.uid);
      assert.deepEqual(await uids({}), ['m5', 'm4', 'm3', 'm2', 'm1']);              // default: newest first
      assert.deepEqual(await uids({ order: 'asc' }), ['m1', 'm2', 'm3', 'm4', 'm5']);
      assert.deepEqual(await uids({ cc: 'VE' }), ['m5', 'm3', 'm2', 'm1']);
      assert.deepEqual(await uids({ asn: 8048 }), ['m5', 'm2', 'm1']);
      assert.deepEqual(await uids({ test_name: 'whatsapp' }), ['m2']);
      assert.deepEqual(await uids({ target: 'twitter' }), ['m5', 'm1']);
      assert.deepEqual(await uids({ since: T0 + 60, until: T0 + 180 }), ['m3', 'm2']);  // since inclusive, until exclusive
      assert.deepEqual(await uids({ limit: 2 }), ['m5', 'm4']);
      assert.deepEqual(await uids({ limit: 2, offset: 2 }), ['m3', 'm2']);
      assert.deepEqual(await uids({ limit: 2, offset: 10 }), []);
      assert.deepEqual(await uids({ cc: 'VE', asn: 8048, target: 'twitter', since: T0 + 1 }), ['m5']);
      assert.equal(await s.countMeasurements({ cc: 'VE' }), 4);
      assert.equal(await s.countMeasurements({ target: 'youtube' }), 1);
      assert.equal(await s.countMeasurements({ since: T0 + 300 }), 0);
      const [m2] = await s.measurements({ test_name: 'whatsapp' });
      assert.deepEqual({ ...m2, t: Number(m2.t), asn: Number(m2.asn) },
        { uid: 'm2', t: T0 + 60, cc: 'VE', asn: 8048, network: 'CANTV', probe_id: 'p1', test_name: 'whatsapp', input: null });
    }));

    test('aggregate: every grain, counts and distinct probes (worked by hand)', () => withStore(async (s) => {
      await s.insertObservations(obs(DATA));
      // 5m: bin 0 = uA ok, uB/uC/uH anomaly, probes p1 p2 p3; 300 = uD; 600 = uE; 3600 = uF; 86400 = uG
      assert.deepEqual(norm(await s.aggregate({ grain: '5m' })), [
        row(0, 1, 3, 0, 0, 4, 3), row(300, 0, 0, 1, 0, 1, 1), row(600, 0, 0, 0, 1, 1, 1), row(3600, 0, 1, 0, 0, 1, 1), row(86400, 1, 0, 0, 0, 1, 1),
      ]);
      // 10m: uD joins bin 0 (p2 again: still 3 probes)
      assert.deepEqual(norm(await s.aggregate({ grain: '10m' })), [
        row(0, 1, 3, 1, 0, 5, 3), row(600, 0, 0, 0, 1, 1, 1), row(3600, 0, 1, 0, 0, 1, 1), row(86400, 1, 0, 0, 0, 1, 1),
      ]);
      // 1h: uE (p3) joins bin 0
      assert.deepEqual(norm(await s.aggregate({ grain: '1h' })), [
        row(0, 1, 3, 1, 1, 6, 3), row(3600, 0, 1, 0, 0, 1, 1), row(86400, 1, 0, 0, 0, 1, 1),
      ]);
      // 1d: uF (p4) joins bin 0
      assert.deepEqual(norm(await s.aggregate({ grain: '1d' })), [row(0, 1, 4, 1, 1, 7, 4), row(86400, 1, 0, 0, 0, 1, 1)]);
      // 900 s: 0..899 holds uA uB uC uH uD uE
      assert.deepEqual(norm(await s.aggregate({ grain: 900 })), [row(0, 1, 3, 1, 1, 6, 3), row(3600, 0, 1, 0, 0, 1, 1), row(86400, 1, 0, 0, 0, 1, 1)]);
    }));

    test('aggregate: filters and by-columns (worked by hand)', () => withStore(async (s) => {
      await s.insertObservations(obs(DATA));
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', cc: 'VE' })), [row(0, 1, 4, 1, 1, 7, 4)]);
      assert.deepEqual(norm(await s.aggregate({ grain: '1h', asn: 8048 })), [row(0, 1, 3, 1, 1, 6, 3)]);
      // twitter: uA uB uC uH uF on day 0 (p1 p2 p3 p4), uG on day 1
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', target: 'twitter' })), [row(0, 1, 4, 0, 0, 5, 4), row(86400, 1, 0, 0, 0, 1, 1)]);
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', test_name: 'whatsapp' })), [row(0, 0, 0, 0, 1, 1, 1)]);
      // [310, 3700): uD and uE; uF at 3700 is excluded (until is exclusive)
      assert.deepEqual(norm(await s.aggregate({ grain: '1h', since: T0 + 310, until: T0 + 3700 })), [row(0, 0, 0, 1, 1, 2, 2)]);
      assert.deepEqual(norm(await s.aggregate({ grain: '1h', cc: 'XX' })), []);
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', cc: 'VE', by: ['asn'] }), ['asn']), [
        row(0, 1, 3, 1, 1, 6, 3, { asn: 8048 }), row(0, 0, 1, 0, 0, 1, 1, { asn: 21826 }),
      ]);
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', cc: 'VE', by: ['target'] }), ['target']), [
        row(0, 1, 4, 0, 0, 5, 4, { target: 'twitter' }), row(0, 0, 0, 0, 1, 1, 1, { target: 'whatsapp' }), row(0, 0, 0, 1, 0, 1, 1, { target: 'youtube' }),
      ]);
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', by: ['cc'] }), ['cc']), [
        row(0, 1, 4, 1, 1, 7, 4, { cc: 'VE' }), row(86400, 1, 0, 0, 0, 1, 1, { cc: 'BR' }),
      ]);
      // rows are ordered by bin, then the by-columns in the order given
      assert.deepEqual(norm(await s.aggregate({ grain: '1d', cc: 'VE', by: ['test_name', 'asn'] }), ['test_name', 'asn']).map((r) => [r.test_name, r.asn, r.total]), [
        ['web_connectivity', 8048, 5], ['web_connectivity', 21826, 1], ['whatsapp', 8048, 1],
      ]);
      await assert.rejects(s.aggregate({ grain: 0 }));
      await assert.rejects(s.aggregate({ grain: '7m' as any }));
      await assert.rejects(s.aggregate({ grain: '1h', by: ['cc; DROP TABLE observations' as any] }));
      assert.equal((await s.stats()).observations, 8);
    }));

    test('series: per (cc, asn, target, bin) counts, probes, value and top layer/failure', () => withStore(async (s) => {
      await s.insertObservations(obs([
        ...DATA,
        ['uK', 30, 'VE', 8048, 'p4', 'twitter', 'vigil_throughput', 'ok', null, null, 0.5],
        ['uL', 90, 'VE', 8048, 'p5', 'twitter', 'vigil_throughput', 'anomaly', 'throttle', null, 0.1],
        ['uF2', 3650, 'VE', 21826, 'p6', 'twitter', 'web_connectivity', 'anomaly', 'tcp', 'connection_refused'],
      ]));
      const got = (await s.series({ cc: 'VE', binSeconds: 300 })).map((r) => ({
        t: Number(r.t) - T0, key: `${r.cc}/${Number(r.asn)}/${r.target}`, network: r.network,
        counts: [r.ok, r.anomaly, r.confirmed, r.failure, r.total, r.probes, r.ok_probes, r.bad_probes].map(Number),
        value: r.value === null ? null : Math.round(Number(r.value) * 1000) / 1000, top: [r.top_layer, r.top_failure],
      }));
      assert.deepEqual(got, [
        // uA ok p1, uK ok p4, uB/uC tls reset (p2, p1), uH tcp timeout p3, uL throttle p5: tls wins 2:1:1
        { t: 0, key: 'VE/8048/twitter', network: 'CANTV', counts: [2, 4, 0, 0, 6, 5, 2, 4], value: 0.3, top: ['tls', 'connection_reset'] },
        // failure is "unusable", not "bad": no bad probe, no top layer
        { t: 600, key: 'VE/8048/whatsapp', network: 'CANTV', counts: [0, 0, 0, 1, 1, 1, 0, 0], value: null, top: [null, null] },
        { t: 300, key: 'VE/8048/youtube', network: 'CANTV', counts: [0, 0, 1, 0, 1, 1, 0, 1], value: null, top: ['http', null] },
        // a 1:1 tie is broken by the smaller value: dns < tcp, connection_refused < dns_nxdomain_error
        { t: 3600, key: 'VE/21826/twitter', network: 'Movilnet', counts: [0, 2, 0, 0, 2, 2, 0, 2], value: null, top: ['dns', 'connection_refused'] },
      ]);
      const thr = await s.series({ binSeconds: 3600, test_name: 'vigil_throughput' });
      assert.equal(thr.length, 1);
      assert.deepEqual([thr[0].ok, thr[0].anomaly, thr[0].probes].map(Number), [1, 1, 2]);
      const later = await s.series({ binSeconds: 86400, since: T0 + 3600 });
      assert.deepEqual(later.map((r) => [r.cc, Number(r.asn), Number(r.total), Number(r.t) - T0]), [['BR', 28573, 1, 86400], ['VE', 21826, 2, 0]]);
      assert.deepEqual(await s.series({ asn: 21826, until: T0 + 3650, binSeconds: 300 }), []);
    }));

    test('sampleUids: non-ok uids, earliest first, bounded', () => withStore(async (s) => {
      await s.insertObservations(obs(DATA));
      const q = { cc: 'VE', asns: [8048], targets: ['twitter'], since: T0, until: T0 + 3600, limit: 10 };
      assert.deepEqual(await s.sampleUids(q), ['uB', 'uC', 'uH']);
      assert.deepEqual(await s.sampleUids({ ...q, limit: 2 }), ['uB', 'uC']);
      assert.deepEqual(await s.sampleUids({ ...q, targets: ['twitter', 'youtube'] }), ['uB', 'uC', 'uH', 'uD']);
      assert.deepEqual(await s.sampleUids({ ...q, asns: [8048, 21826], until: T0 + 86400 }), ['uB', 'uC', 'uH', 'uF']);
      assert.deepEqual(await s.sampleUids({ ...q, targets: ['whatsapp'], statuses: ['failure'] }), ['uE']);
      assert.deepEqual(await s.sampleUids({ ...q, since: T0 + 61 }), ['uC', 'uH']);
      assert.deepEqual(await s.sampleUids({ ...q, cc: 'BR' }), []);
    }));

    test('existingUids: which of these uids are stored', () => withStore(async (s) => {
      await s.insertMeasurements([stored('e1', T0), stored('e2', T0 + 60)]);
      assert.deepEqual([...(await s.existingUids(['e2', 'nope', 'e1', 'e1']))].sort(), ['e1', 'e2']);
      assert.deepEqual([...(await s.existingUids([]))], []);
      assert.deepEqual([...(await s.existingUids(["x' OR '1'='1"]))], []);
    }));

    test('countProbes: distinct probes with non-ok observations', () => withStore(async (s) => {
      await s.insertObservations(obs(DATA));
      const q = { cc: 'VE', asns: [8048], targets: ['twitter'], since: T0, until: T0 + 3600 };
      assert.equal(await s.countProbes(q), 3);                                     // p2, p1, p3 (uA is ok)
      assert.equal(await s.countProbes({ ...q, targets: ['youtube'] }), 1);
      assert.equal(await s.countProbes({ ...q, targets: [], asns: [] , until: T0 + 86400 }), 4);
      assert.equal(await s.countProbes({ ...q, statuses: ['failure'], targets: ['whatsapp'] }), 1);
      assert.equal(await s.countProbes({ ...q, statuses: ['ok'] }), 1);
      assert.equal(await s.countProbes({ ...q, cc: 'BR' }), 0);
    }));

    test('incidents: upsert, replace, query filters and overlap', () => withStore(async (s) => {
      const i1 = incident('i1', { failures: { tls: ['connection_reset'] }, evidence: { measurements: 10, anomalies: 9, probes: 3, sample_uids: ['uB'], bgp: { baseline_slash24: 100, min_slash24: 4 } } });
      const i2 = incident('i2', { kind: 'network_outage', asns: [21826, 8048], start: isoSeconds((T0 + 7200) * 1000), end: null, end_uncertainty_s: null, status: 'ongoing', summary: HOSTILE.join(' ') });
      const i3 = incident('i3', { cc: 'BR', asns: [28573], start: isoSeconds((T0 + 86400) * 1000), end: isoSeconds((T0 + 90000) * 1000) });
      await s.upsertIncidents([i1, i2, i3]);
      assert.deepEqual(await s.incident('i1'), i1);
      assert.deepEqual(await s.incident('i2'), i2);
      const ids = async (q?: Parameters<Store['incidents']>[0]) => (await s.incidents(q)).map((i) => i.id);
      assert.deepEqual(await ids(), ['i3', 'i2', 'i1']);                // newest start first
      assert.deepEqual(await ids({ cc: 'VE' }), ['i2', 'i1']);
      assert.deepEqual(await ids({ asn: 21826 }), ['i2']);
      assert.deepEqual(await ids({ asn: 8048 }), ['i2', 'i1']);
      assert.deepEqual(await ids({ status: 'ongoing' }), ['i2']);
      assert.deepEqual(await ids({ kind: 'network_outage' }), ['i2']);
      assert.deepEqual(await ids({ limit: 1 }), ['i3']);
      // overlap with [since, until): touching ends do not overlap; an ongoing incident reaches on
      assert.deepEqual(await ids({ since: T0 + 3600, until: T0 + 7200 }), []);
      assert.deepEqual(await ids({ since: T0 + 3599, until: T0 + 7200 }), ['i1']);
      assert.deepEqual(await ids({ since: T0 + 3600, until: T0 + 7201 }), ['i2']);
      assert.deepEqual(await ids({ since: T0 + 100000 }), ['i2']);
      assert.deepEqual(await ids({ until: T0 + 1 }), ['i1']);
      // replace: same id, new content, within and across batches (the last one wins)
      const i1b = { ...i1, status: 'ongoing' as const, end: null, summary: 'revised' };
      const i1c = { ...i1b, summary: 'revised twice', confidence: 0.5 };
      await s.upsertIncidents([i1b, i1c]);
      assert.deepEqual(await s.incident('i1'), i1c);
      assert.deepEqual(await ids({ status: 'ongoing' }), ['i2', 'i1']);
      assert.equal((await s.stats()).incidents, 3);
      await s.deleteIncidents(['i3', 'nope']);
      assert.deepEqual(await ids(), ['i2', 'i1']);
      assert.equal(await s.incident('i3'), null);
    }));

    test('state: small key/value store', () => withStore(async (s) => {
      assert.equal(await s.getState('detect.watermark'), null);
      await s.setState('detect.watermark', '1704067200');
      assert.equal(await s.getState('detect.watermark'), '1704067200');
      await s.setState('detect.watermark', '1704070800');
      assert.equal(await s.getState('detect.watermark'), '1704070800');
      await s.setState('empty', '');
      assert.equal(await s.getState('empty'), '');
    }));

    test('bgp visibility rows: insert, de-duplicate on (t, asn), query', () => withStore(async (s) => {
      const rows: BgpVisibilityRow[] = [
        { t: T0, asn: 8048, cc: 'VE', slash24: 120, peers: 10 },
        { t: T0 + 300, asn: 8048, cc: 'VE', slash24: 3, peers: 10 },
        { t: T0, asn: 21826, cc: 'VE', slash24: 50, peers: 9 },
        { t: T0, asn: 28573, cc: '', slash24: 900, peers: 9 },
      ];
      assert.equal(await s.insertBgpVisibility(rows), 4);
      assert.equal(await s.insertBgpVisibility([rows[0], { ...rows[1], slash24: 999 }, rows[1]]), 0);
      const n = (r: BgpVisibilityRow) => [Number(r.t) - T0, Number(r.asn), r.cc, Number(r.slash24), Number(r.peers)];
      assert.deepEqual((await s.bgpVisibility({ asn: 8048 })).map(n), [[0, 8048, 'VE', 120, 10], [300, 8048, 'VE', 3, 10]]);
      assert.deepEqual((await s.bgpVisibility({ cc: 'VE', since: T0, until: T0 + 300 })).map(n), [[0, 8048, 'VE', 120, 10], [0, 21826, 'VE', 50, 9]]);
      assert.deepEqual((await s.bgpVisibility({})).map((r) => Number(r.asn)), [8048, 8048, 21826, 28573]);
    }));

    test('concurrent writes and reads all land, each exactly once', () => withStore(async (s) => {
      const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 50 }, (_, i) => stored(`c${(b * 50 + i) % 300}`, T0 + ((b * 50 + i) % 300))));
      const results = await Promise.all([...batches.map((rows) => s.insertMeasurements(rows)), s.countMeasurements(), s.stats()]);
      const ins = results.slice(0, 8) as Array<{ inserted: number; duplicates: number }>;
      assert.equal(ins.reduce((a, r) => a + r.inserted, 0), 300);
      assert.equal(ins.reduce((a, r) => a + r.duplicates, 0), 100);
      assert.equal(await s.countMeasurements(), 300);
    }));
  });
}
