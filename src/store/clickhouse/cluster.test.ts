// Two clickhouse-server processes as the two shards of one cluster on loopback, `Distributed`
// tables over `*_local` ones sharded by cityHash64(uid): the shared Store suite passes through
// them, rows spread over both shards, and a uid written through both nodes at once — or
// physically twice — is still counted and listed once.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { runStoreSuite, stored, T0 } from '../shared-suite.js';
import { openClusterStore } from './cluster.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { startClickHouseCluster, clickHouseSkip, type ClickHouseCluster } from './test-server.js';
import type { Observation } from '../../model/observation.js';

const skip = clickHouseSkip();

describe('ClickHouse store on a two-shard cluster', { skip }, () => {
  let cl: ClickHouseCluster;
  let n = 0;
  before(async () => { cl = await startClickHouseCluster({ shards: 2 }); });
  after(async () => { await cl?.stop(); });

  const urls = (db: string) => cl.servers.map((s) => s.url.replace(/\/[^/]*$/, `/${db}`));
  async function localCount(i: number, db: string, table: string, final = false): Promise<number> {
    const c = createClient({ url: `http://127.0.0.1:${cl.servers[i].httpPort}`, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const rs = await c.query({ query: `SELECT count() AS n FROM ${db}.${table}_local${final ? ' FINAL' : ''}`, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: string }>())[0].n);
    } finally {
      await c.close();
    }
  }

  runStoreSuite('clickhouse, Distributed over 2 shards', () => {
    const db = `dist_${++n}`;
    return openClusterStore(urls(db), cl.cluster, n % 2);
  });

  test('two stores on two nodes ingest concurrently: spread over shards, nothing lost or doubled', async () => {
    const db = 'race';
    const a = await openClusterStore(urls(db), cl.cluster, 0);
    const b = await openClickHouseStore(urls(db)[1], { cluster: cl.cluster });
    try {
      // 400 uids; A sends 0..299, B sends 100..399, in 10 concurrent batches each: 200 overlap
      const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => stored(`r${from + i}`, T0 + from + i, { probe_id: `p${(from + i) % 7}` }));
      const slices = (from: number, to: number) => Array.from({ length: 10 }, (_, k) => batch(from + k * (to - from) / 10, from + (k + 1) * (to - from) / 10));
      const results = await Promise.all([...slices(0, 300).map((r) => a.insertMeasurements(r)), ...slices(100, 400).map((r) => b.insertMeasurements(r))]);
      const inserted = results.reduce((s, r) => s + r.inserted, 0);
      const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
      assert.equal(inserted + duplicates, 600);
      // Each uid is stored at least once; a truly simultaneous pair may both report "inserted"
      // (no lock spans two collectors), but is visible once:
      assert.ok(inserted >= 400 && inserted <= 600, `inserted ${inserted}`);
      for (const s of [a, b]) {
        assert.equal(await s.countMeasurements(), 400);
        assert.equal((await s.stats()).measurements, 400);
        const all = await s.measurements({ limit: 10_000, order: 'asc' });
        assert.equal(all.length, 400);
        assert.equal(new Set(all.map((m) => m.uid)).size, 400);
        assert.equal((await s.measurement('r250'))?.measurement_uid, 'r250');
      }
      // rows live on both shards, and each shard's deduplicated rows add up to the whole
      const perShard = [await localCount(0, db, 'measurements', true), await localCount(1, db, 'measurements', true)];
      assert.ok(perShard[0] > 100 && perShard[1] > 100, `shards hold ${perShard}`);
      assert.equal(perShard[0] + perShard[1], 400);
      // a sequential re-upload through either node is a counted duplicate
      assert.deepEqual(await b.insertMeasurements(batch(0, 50)), { inserted: 0, duplicates: 50 });
      assert.deepEqual(await a.insertMeasurements(batch(350, 400)), { inserted: 0, duplicates: 50 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a uid stored physically twice (a race) is read once by every query', async () => {
    const db = 'twice';
    const a = await openClusterStore(urls(db), cl.cluster, 0);
    const c = createClient({ url: `http://127.0.0.1:${cl.servers[1].httpPort}`, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const o: Observation = { uid: 'dup', t: T0 + 10, cc: 'VE', asn: 8048, network: 'CANTV', probe_id: 'p1', test_name: 'web_connectivity', target: 'twitter', status: 'anomaly', layer: 'tls', failure: 'connection_reset', value: null };
      const m = stored('dup', T0 + 10);
      // What two collectors racing on one uid leave behind: two physical rows of each, through
      // the Distributed tables of both nodes (both land on the uid's shard).
      for (let i = 0; i < 2; i++) {
        await c.insert({ table: `${db}.observations`, values: [o], format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });
        await c.insert({ table: `${db}.measurements`, values: [{ ...m, raw: JSON.stringify(m.raw) }], format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });
        await c.insert({ table: `${db}.measurement_uids`, values: [{ uid: 'dup', cc: 'VE', t: T0 + 10 }], format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });
      }
      const physical = (await localCount(0, db, 'observations')) + (await localCount(1, db, 'observations'));
      assert.equal(physical, 2, 'the race left two physical rows');
      assert.equal(await a.countMeasurements(), 1);
      assert.equal((await a.measurements({})).length, 1);
      assert.equal((await a.observationsOf('dup')).length, 1);
      const [agg] = await a.aggregate({ grain: '1h' });
      assert.deepEqual([agg.total, agg.anomaly, agg.probes], [1, 1, 1]);
      const [ser] = await a.series({ binSeconds: 300 });
      assert.deepEqual([ser.total, ser.bad_probes, ser.top_layer], [1, 1, 'tls']);
      assert.deepEqual(await a.sampleUids({ cc: 'VE', asns: [8048], targets: ['twitter'], since: T0, until: T0 + 3600, limit: 10 }), ['dup']);
      assert.deepEqual(await a.stats().then((s) => [s.measurements, s.observations]), [1, 1]);
      // and the store itself treats it as present
      assert.deepEqual(await a.insertMeasurements([m]), { inserted: 0, duplicates: 1 });
      assert.equal(await a.insertObservations([o]), 0);
    } finally {
      await c.close();
      await a.close();
    }
  });
});
