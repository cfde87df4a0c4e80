// The same data in DuckDB and in ClickHouse (a real 18.16 server) gives identical rows from every
// aggregate and series query and identical incidents from detection (issue 8 §3): a day of
// synthetic measurements from 25 probes in three countries with three injected blocks.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store, AggregateQuery } from '../store.js';
import { openDuckDbStore } from '../duckdb/duckdb-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { startClickHouse, clickHouseSkip, type ClickHouseServer } from './test-server.js';
import { synthObservations, synthMeasurement, SYNTH_NETWORKS, SYNTH_TARGETS, type SynthOptions } from './synthetic.js';
import { detect } from '../../detect/detect.js';
import { T0 } from '../shared-suite.js';

const H = 3600;
export const EQUIVALENCE_DATA: SynthOptions = {
  seed: 7, start: T0, seconds: 24 * H, interval: 300, networks: SYNTH_NETWORKS, targets: SYNTH_TARGETS,
  blocks: [
    { asn: 8048, targets: ['twitter', 'instagram'], start: T0 + 10 * H, end: T0 + 12.5 * H, layer: 'tls', failure: 'connection_reset' },
    { asn: 197207, targets: ['whatsapp', 'telegram'], start: T0 + 3 * H, end: T0 + 9 * H, layer: 'dns', failure: 'dns_nxdomain_error' },
    { asn: 6306, targets: ['youtube'], start: T0 + 15 * H, end: T0 + 16 * H, layer: 'http', failure: null },
  ],
};

/** Loads the data into a store: every observation, and the measurements of the first 3000. */
export async function load(s: Store, data: SynthOptions = EQUIVALENCE_DATA): Promise<number> {
  let n = 0;
  for (const batch of synthObservations(data, 10_000)) {
    if (n < 3000) await s.insertMeasurements(batch.slice(0, 3000 - n).map(synthMeasurement));
    await s.insertObservations(batch);
    n += batch.length;
  }
  return n;
}

describe('DuckDB and ClickHouse give identical answers on the same data', { skip: clickHouseSkip() }, () => {
  let server: ClickHouseServer;
  let dir: string;
  let duck: Store;
  let ch: Store;
  let rows = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-equiv-'));
    server = await startClickHouse();
    [duck, ch] = await Promise.all([openDuckDbStore(join(dir, 'v.duckdb')), openClickHouseStore(server.url)]);
    const [a, b] = await Promise.all([load(duck), load(ch)]);
    assert.equal(a, b);
    rows = a;
  });
  after(async () => {
    await duck?.close();
    await ch?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the same counts went in', async () => {
    assert.ok(rows > 40_000, `${rows} observations`);
    const [a, b] = await Promise.all([duck.stats(), ch.stats()]);
    assert.deepEqual(b, a);
    assert.deepEqual(a.observations, rows);
  });

  test('aggregate: every grain, filter and split', async () => {
    const queries: AggregateQuery[] = [];
    for (const grain of ['5m', '1h', '1d', 900] as const) {
      for (const by of [[], ['cc'], ['asn'], ['target'], ['cc', 'asn', 'target', 'test_name']] as AggregateQuery['by'][]) queries.push({ grain, by });
    }
    queries.push(
      { grain: '1h', cc: 'VE' }, { grain: '10m', asn: 8048, target: 'twitter' }, { grain: '5m', cc: 'IR', since: T0 + 2 * H, until: T0 + 10 * H, by: ['target'] },
      { grain: 7200, test_name: 'web_connectivity', since: T0 + 1 }, { grain: '1h', cc: 'XX' },
    );
    for (const q of queries) {
      const [a, b] = await Promise.all([duck.aggregate(q), ch.aggregate(q)]);
      assert.deepEqual(b, a, JSON.stringify(q));
    }
    const days = await ch.aggregate({ grain: '1d' });
    assert.equal(days.reduce((n, d) => n + d.total, 0), rows);
  });

  test('series: identical rows, including top layer and failure', async () => {
    for (const q of [{ binSeconds: 300 }, { binSeconds: 3600, cc: 'VE' }, { binSeconds: 600, asn: 197207, since: T0 + H, until: T0 + 20 * H }]) {
      const [a, b] = await Promise.all([duck.series(q), ch.series(q)]);
      assert.ok(a.length > 0);
      assert.deepEqual(b, a, JSON.stringify(q));
    }
  });

  test('detection finds the injected blocks, the same incidents from both engines', async () => {
    const [a, b] = await Promise.all([duck.series({ binSeconds: 300 }), ch.series({ binSeconds: 300 })]);
    const now = T0 + 24 * H;
    const ia = detect(a, { now });
    const ib = detect(b, { now });
    assert.deepEqual(ib, ia);
    const found = ia.map((i) => `${i.kind} ${i.asns.join(',')} ${[...i.targets].sort().join(',')}`);
    assert.ok(found.some((f) => f.startsWith('platform_block 8048 instagram,twitter')), found.join('; '));
    assert.ok(found.some((f) => f.startsWith('platform_block 197207 telegram,whatsapp')), found.join('; '));
  });

  test('measurement lists, counts and sample uids', async () => {
    for (const q of [{}, { cc: 'VE', limit: 50 }, { target: 'twitter', order: 'asc' as const, limit: 20, offset: 5 }, { asn: 28573, since: T0 + 60, until: T0 + 900 }]) {
      const [a, b] = await Promise.all([duck.measurements(q), ch.measurements(q)]);
      assert.deepEqual(b, a, JSON.stringify(q));
      assert.equal(await ch.countMeasurements(q), await duck.countMeasurements(q));
    }
    const q = { cc: 'VE', asns: [8048], targets: ['twitter', 'instagram'], since: T0 + 10 * H, until: T0 + 12 * H, limit: 25 };
    const [a, b] = await Promise.all([duck.sampleUids(q), ch.sampleUids(q)]);
    assert.equal(a.length, 25);
    assert.deepEqual(b, a);
  });
});
