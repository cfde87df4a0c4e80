// Scale-out on loopback (issue 8 §2): two clickhouse-server processes as two shards behind
// `Distributed` tables, two collectors (`vigil serve`'s createServer, in-process on 127.0.0.1:0)
// each writing through its own node, fed concurrently with overlapping halves of one scenario
// (and one batch sent to both at once). Both APIs and detection read the whole: nothing lost,
// nothing doubled, and the same answers as one DuckDB store holding the scenario's own
// observations (the generator's ground truth per measurement, which src/analyze is tested to
// reproduce), fed once.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Store, SeriesRow } from '../store.js';
import type { Incident } from '../../model/incident.js';
import { openDuckDbStore } from '../duckdb/duckdb-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { openClusterStore } from './cluster.js';
import { startClickHouseCluster, clickHouseSkip, type ClickHouseCluster } from './test-server.js';
import { createServer } from '../../collect/server.js';
import { generateScenario, scenarioMeasurements } from '../../detect/scenario/generate.js';
import { detect } from '../../detect/detect.js';
import { runDetection } from '../../detect/run.js';

const skip = clickHouseSkip();

describe('two collectors, two ClickHouse shards: nothing lost or doubled', { skip }, () => {
  let cl: ClickHouseCluster;
  let dir: string;
  let duck: Store;
  const stores: Store[] = [];
  const apps: FastifyInstance[] = [];
  const bases: string[] = [];
  // A day of two networks (9 probes), a round every 15 min: ~5,800 measurements (the collectors'
  // analysis costs 1-3 ms each), long enough for detection's baselines.
  const sc = generateScenario({ seed: 3, days: 1, intervalSeconds: 900, networks: [{ asn: 8048, name: 'CANTV', probes: 5 }, { asn: 6306, name: 'Movistar', probes: 4 }] });
  const items = [...scenarioMeasurements(sc)];
  const N = items.length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-scale-'));
    cl = await startClickHouseCluster({ shards: 2 });
    const urls = cl.servers.map((s) => s.url);
    stores.push(await openClusterStore(urls, cl.cluster, 0));
    stores.push(await openClickHouseStore(urls[1], { cluster: cl.cluster }));
    for (const store of stores) {
      const app = await createServer({ store });
      const addr = await app.listen({ host: '127.0.0.1', port: 0 });
      apps.push(app);
      bases.push(addr);
    }
    duck = await openDuckDbStore(join(dir, 'ref.duckdb'));
    // the reference: each measurement once, its observation as the generator made it
    for (let i = 0; i < N; i += 5000) {
      const obs = sc.observations.slice(i, i + 5000);
      await duck.insertMeasurements(obs.map((o, k) => ({ uid: o.uid, t: o.t, cc: o.cc, asn: o.asn, network: o.network, probe_id: o.probe_id, test_name: o.test_name, input: sc.specs[i + k].input, raw: items[i + k] as never })));
      await duck.insertObservations(obs);
    }
  });
  after(async () => {
    for (const a of apps) await a.close();
    for (const s of stores) await s.close();
    await duck?.close();
    await cl?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function post(base: string, batch: unknown[]): Promise<{ accepted: number; duplicates: number; rejected: unknown[] }> {
    const r = await fetch(`${base}/api/v1/measurements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ measurements: batch }) });
    assert.equal(r.status, 200, await r.clone().text());
    return r.json() as Promise<{ accepted: number; duplicates: number; rejected: unknown[] }>;
  }
  async function get(base: string, path: string): Promise<any> {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
    return r.json();
  }

  test('concurrent overlapping uploads through both collectors', async () => {
    assert.ok(N > 4000, `${N} measurements`);
    // A: the first 55 %, B: the last 55 % (10 % sent to both), four uploads in flight on each;
    // then one batch sent to both collectors at the same instant.
    const a = items.slice(0, Math.floor(N * 0.55));
    const b = items.slice(Math.floor(N * 0.45));
    const send = async (base: string, list: unknown[]) => {
      const out = { accepted: 0, duplicates: 0, rejected: 0 };
      const batches = Array.from({ length: Math.ceil(list.length / 400) }, (_, k) => list.slice(k * 400, (k + 1) * 400));
      for (let k = 0; k < batches.length; k += 4) {
        for (const r of await Promise.all(batches.slice(k, k + 4).map((x) => post(base, x)))) {
          out.accepted += r.accepted;
          out.duplicates += r.duplicates;
          out.rejected += r.rejected.length;
        }
      }
      return out;
    };
    const [ra, rb] = await Promise.all([send(bases[0], a), send(bases[1], b)]);
    const same = items.slice(Math.floor(N * 0.3), Math.floor(N * 0.3) + 300);
    const [sa, sb] = await Promise.all([post(bases[0], same), post(bases[1], same)]);
    assert.equal(ra.rejected + rb.rejected + sa.rejected.length + sb.rejected.length, 0);
    const sent = a.length + b.length + 2 * same.length;
    assert.equal(ra.accepted + rb.accepted + sa.accepted + sb.accepted + ra.duplicates + rb.duplicates + sa.duplicates + sb.duplicates, sent);
    // every measurement accepted at least once; a uid raced through both collectors in the
    // same instant may be accepted by both (no lock spans collectors) but is stored once
    const accepted = ra.accepted + rb.accepted + sa.accepted + sb.accepted;
    assert.ok(accepted >= N && accepted <= N + Math.ceil(N * 0.1) + 1, `accepted ${accepted} of ${N}`);
    assert.equal(sa.accepted + sb.accepted, 0, 'the shared batch was already stored');
  });

  test('both stores and both APIs see each measurement exactly once', async () => {
    const ref = await duck.stats();
    assert.equal(ref.measurements, N);
    assert.equal(ref.observations, N);
    for (const s of stores) {
      const st = await s.stats();
      assert.deepEqual({ ...st, incidents: 0 }, { ...ref, incidents: 0 });
      assert.equal(await s.countMeasurements(), N);
    }
    // the first uid went only through A, the last only through B: both APIs return both
    const first = (items[0] as { measurement_uid?: string }).measurement_uid as string;
    const last = (items[N - 1] as { measurement_uid?: string }).measurement_uid as string;
    for (const base of bases) {
      for (const uid of [first, last]) assert.equal((await get(base, `/api/v1/measurements/${encodeURIComponent(uid)}`)).measurement_uid, uid);
    }
  });

  test('aggregation through either API equals the DuckDB reference', async () => {
    for (const q of ['grain=1h', 'grain=5m&by=asn,target', 'grain=1d&by=cc,test_name', `grain=10m&asn=8048&target=twitter`]) {
      const params = new URLSearchParams(q);
      const ref = await duck.aggregate({
        grain: (params.get('grain') ?? '1h') as '1h',
        ...(params.get('by') ? { by: params.get('by')!.split(',') as Array<'cc'> } : {}),
        ...(params.get('asn') ? { asn: Number(params.get('asn')) } : {}),
        ...(params.get('target') ? { target: params.get('target')! } : {}),
      });
      assert.ok(ref.length > 0, q);
      for (const base of bases) {
        const got = await get(base, `/api/v1/aggregation?${q}`);
        assert.deepEqual(got.rows.map((r: Record<string, unknown>) => { const { time: _time, ...rest } = r; return rest; }), ref, `${base} ${q}`);
      }
    }
  });

  test('detection over the whole cluster: the same incidents as DuckDB, served by both APIs', async () => {
    const now = sc.end;
    const [a, b, ref] = await Promise.all([stores[0].series({ binSeconds: 300 }), stores[1].series({ binSeconds: 300 }), duck.series({ binSeconds: 300 })]);
    // throughput means are float sums in another order on each engine: equal to 1e-9
    const round = (rows: SeriesRow[]) => rows.map((r) => ({ ...r, value: r.value === null ? null : Math.round(r.value * 1e9) / 1e9 }));
    assert.deepEqual(round(a), round(ref));
    assert.deepEqual(round(b), round(ref));
    const key = (xs: Incident[]) => xs.map((i) => ({ ...i, confidence: Math.round(i.confidence * 1e6) / 1e6, detected_at: undefined, updated_at: undefined }))
      .sort((x, y) => (x.id < y.id ? -1 : 1));
    const pure = detect(a, { now });
    assert.deepEqual(key(detect(b, { now })), key(pure));
    assert.deepEqual(key(pure), key(detect(ref, { now })));
    // the incremental runner, through the store: the cluster and the DuckDB file agree
    const [run, runRef] = [await runDetection(stores[0], { now, since: sc.start }), await runDetection(duck, { now, since: sc.start })];
    const incidents = run.incidents;
    assert.deepEqual(key(incidents), key(runRef.incidents));
    assert.ok(incidents.length >= 2, `${incidents.length} incidents`);
    await stores[0].upsertIncidents(incidents);
    for (const base of bases) {
      const got = await get(base, '/api/v1/incidents?limit=1000');
      const list = Array.isArray(got) ? got : got.incidents;
      assert.deepEqual(new Set(list.map((i: { id: string }) => i.id)), new Set(incidents.map((i) => i.id)));
    }
  });
});
