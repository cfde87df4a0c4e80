// `vigil bench ingest` beside ClickHouse (issue 8, "Speed"): the same generated measurements
// ingested through the Store interface into DuckDB, one ClickHouse node and two ClickHouse shards
// (one writer, then one writer per node), and a country-month aggregation over up to 50 M
// observations on one node and on two shards. The ClickHouse servers are started here on loopback
// (src/store/clickhouse/test-server.ts) unless --db names a running one. Prints a table; asserts
// nothing about speed. Run alone: `node --import tsx bench/ingest-clickhouse.ts [--rows N] [--n N]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/store/store.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { openClickHouseStore, type ClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { openClusterStore } from '../src/store/clickhouse/cluster.js';
import { startClickHouse, startClickHouseCluster, clickHouseBinary } from '../src/store/clickhouse/test-server.js';
import { synthObservations, synthMeasurement, SYNTH_NETWORKS, SYNTH_TARGETS } from '../src/store/clickhouse/synthetic.js';
import { VigilError } from '../src/model/errors.js';

export interface BenchClickHouseOptions {
  /** measurements for the ingest part (default 200,000) */
  n?: number;
  /** observations for the aggregation part (default 50,000,000) */
  rows?: number;
  /** a running single ClickHouse node (clickhouse://…) instead of a started one */
  db?: string;
  batch?: number;
  reps?: number;
}

const T0 = 1704067200; // 2024-01-01
const MONTH = 31 * 86400;
const COUNTRIES = ['VE', 'BR', 'IR', 'RU', 'CN', 'TR', 'EG', 'PK', 'IN', 'ET'];

function batchesOf(n: number, batch: number) {
  const out: Array<{ ms: ReturnType<typeof synthMeasurement>[]; os: ReturnType<typeof synthObservations> extends Generator<infer T> ? T : never }> = [];
  let left = n;
  // ~200 probes over a month: enough distinct (cc, t) to look like real traffic
  const networks = SYNTH_NETWORKS.map((x) => ({ ...x, probes: x.probes * 8 }));
  for (const os of synthObservations({ seed: 11, start: T0, seconds: MONTH, interval: 600, networks, targets: SYNTH_TARGETS }, batch)) {
    const part = os.slice(0, left);
    out.push({ ms: part.map(synthMeasurement), os: part });
    left -= part.length;
    if (left <= 0) break;
  }
  return out;
}

/** Rows per second writing `data` through `stores` (batches dealt round-robin, one lane per store). */
async function ingestRate(stores: Store[], data: ReturnType<typeof batchesOf>): Promise<{ rate: number; inserted: number }> {
  const t0 = performance.now();
  let inserted = 0;
  await Promise.all(stores.map(async (s, k) => {
    for (let i = k; i < data.length; i += stores.length) {
      const r = await s.insertMeasurements(data[i].ms);   // not `inserted += await …`: that reads inserted first
      inserted += r.inserted;
      await s.insertObservations(data[i].os);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return { rate: inserted / secs, inserted };
}

/** Server-side generation of `rows` observations over 31 days and 10 countries (INSERT … SELECT). */
function generateSql(target: string, rows: number, where = ''): string {
  const ccs = `[${COUNTRIES.map((c) => `'${c}'`).join(', ')}]`;
  const targets = `[${SYNTH_TARGETS.map((t) => `'${t}'`).join(', ')}]`;
  return `INSERT INTO ${target} (uid, t, cc, asn, network, probe_id, test_name, target, status, layer, failure, value)
    SELECT uid, t, cc, asn, network, probe_id, test_name, target, status, layer, failure, value FROM (
      SELECT concat('g', toString(number)) AS uid,
        toInt64(${T0} + intDiv(number * ${MONTH}, ${rows})) AS t,
        ${ccs}[(number % 10) + 1] AS cc,
        toInt64(1000 + (number % 10) * 10 + intDiv(number, 10) % 5) AS asn,
        concat('AS', toString(asn)) AS network,
        concat(toString(asn), '-', toString(intDiv(number, 50) % 40)) AS probe_id,
        'web_connectivity' AS test_name,
        ${targets}[(intDiv(number, 3) % ${SYNTH_TARGETS.length}) + 1] AS target,
        cityHash64(number, 1) % 100 AS h,
        multiIf(h < 90, 'ok', h < 97, 'anomaly', h < 98, 'confirmed', 'failure') AS status,
        if(h >= 90 AND h < 98, 'tls', NULL) AS layer,
        if(h >= 90 AND h < 97, 'connection_reset', NULL) AS failure,
        CAST(NULL, 'Nullable(Float64)') AS value
      FROM system.numbers LIMIT ${rows}
    ) ${where}`;
}

async function timed<T>(fn: () => Promise<T>, reps: number): Promise<{ best: number; median: number; out: T }> {
  const times: number[] = [];
  let out!: T;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)], out };
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, j) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ') + (j === 0 ? `\n${w.map((x) => '-'.repeat(x)).join('  ')}` : '')).join('\n');
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(0)} ms`;

export async function benchIngestClickHouse(opts: BenchClickHouseOptions = {}): Promise<string> {
  if (!clickHouseBinary() && !opts.db) throw new VigilError('CONFIG', 'bench ingest-clickhouse: clickhouse-server is not installed (apt-get install clickhouse-server) and no --db clickhouse:// URL given');
  const n = opts.n ?? 200_000;
  const rows = opts.rows ?? 50_000_000;
  const reps = opts.reps ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ch-'));
  const single = opts.db ? null : await startClickHouse();
  const cluster = await startClickHouseCluster({ shards: 2 });
  const out: string[] = [];
  try {
    // ---- ingest ------------------------------------------------------------------------------
    const data = batchesOf(n, opts.batch ?? 5000);
    const ingestRows: string[][] = [['engine', 'writers', 'measurements', 'measurements/s']];
    const duck = await openDuckDbStore(join(dir, 'bench.duckdb'));
    const d = await ingestRate([duck], data);
    await duck.close();
    ingestRows.push(['DuckDB (one file)', '1', fmt(d.inserted), fmt(d.rate)]);
    const url = opts.db ?? single!.url.replace(/\/[^/]*$/, '/bench_ingest');
    const one = await openClickHouseStore(url);
    const c1 = await ingestRate([one], data);
    ingestRows.push(['ClickHouse, 1 node', '1', fmt(c1.inserted), fmt(c1.rate)]);
    const urls = (db: string) => cluster.servers.map((s) => s.url.replace(/\/[^/]*$/, `/${db}`));
    const twoA = await openClusterStore(urls('bench_ingest_a'), cluster.cluster, 0);
    const c2 = await ingestRate([twoA], data);
    await twoA.close();
    ingestRows.push(['ClickHouse, 2 shards', '1', fmt(c2.inserted), fmt(c2.rate)]);
    const twoB = [await openClusterStore(urls('bench_ingest_b'), cluster.cluster, 0), await openClickHouseStore(urls('bench_ingest_b')[1], { cluster: cluster.cluster })];
    const c3 = await ingestRate(twoB, data);
    for (const s of twoB) await s.close();
    ingestRows.push(['ClickHouse, 2 shards', '2 (one per node)', fmt(c3.inserted), fmt(c3.rate)]);
    out.push(`Ingest through the Store interface: ${fmt(n)} measurements (+1 observation each), batches of ${opts.batch ?? 5000}`);
    out.push(table(ingestRows));

    // ---- aggregation at scale --------------------------------------------------------------
    const aggRows: string[][] = [['layout', 'rows', 'load', 'query', 'best', 'median', 'result rows']];
    const month = { cc: 'VE', since: T0, until: T0 + MONTH };
    const queries: Array<[string, (s: Store) => Promise<unknown[]>]> = [
      ['VE month, 1d bins', (s) => s.aggregate({ ...month, grain: '1d' })],
      ['VE month, 1h bins by target', (s) => s.aggregate({ ...month, grain: '1h', by: ['target'] })],
      ['VE month, series 5m (detection input)', (s) => s.series({ ...month, binSeconds: 300 })],
      ['world month, 1d bins by cc', (s) => s.aggregate({ since: T0, until: T0 + MONTH, grain: '1d', by: ['cc'] })],
    ];
    const layouts: Array<[string, () => Promise<ClickHouseStore>, (s: ClickHouseStore) => Promise<void>]> = [
      ['1 node', () => openClickHouseStore(url.replace(/\/[^/]*$/, '/bench_agg')), async (s) => { await s.command(generateSql('`bench_agg`.`observations`', rows)); }],
      ['2 shards', () => openClusterStore(urls('bench_agg'), cluster.cluster, 0), async () => {
        // each shard generates its own part (what cityHash64(uid) % 2 would route to it), in parallel
        await Promise.all(cluster.servers.map(async (srv, i) => {
          const s = await openClickHouseStore(srv.url.replace(/\/[^/]*$/, '/bench_agg'), { cluster: cluster.cluster });
          try { await s.command(generateSql('`bench_agg`.`observations_local`', rows, `WHERE cityHash64(uid) % 2 = ${i}`)); } finally { await s.close(); }
        }));
      }],
    ];
    for (const [name, open, load] of layouts) {
      const s = await open();
      try {
        const t0 = performance.now();
        await load(s);
        const loadS = (performance.now() - t0) / 1000;
        for (const [phase, prep] of [['as loaded', async () => undefined], ['after OPTIMIZE FINAL', async () => {
          const tables = name === '1 node' ? ['`bench_agg`.`observations`'] : [];
          for (const t of tables) await s.command(`OPTIMIZE TABLE ${t} FINAL`);
          if (name !== '1 node') {
            await Promise.all(cluster.servers.map(async (srv) => {
              const x = await openClickHouseStore(srv.url.replace(/\/[^/]*$/, '/bench_agg'), { cluster: cluster.cluster });
              try { await x.command('OPTIMIZE TABLE `bench_agg`.`observations_local` FINAL'); } finally { await x.close(); }
            }));
          }
        }]] as const) {
          await prep();
          for (const [qname, q] of queries) {
            const r = await timed(() => q(s), reps);
            aggRows.push([`${name}, ${phase}`, fmt(rows), `${loadS.toFixed(1)} s`, qname, ms(r.best), ms(r.median), fmt(r.out.length)]);
          }
        }
      } finally {
        await s.close();
      }
    }
    out.push('');
    out.push(`Aggregation over ${fmt(rows)} observations (10 countries, 31 days; VE holds a tenth), ${reps} runs each, FINAL reads`);
    out.push(table(aggRows));
    await one.close();
    return out.join('\n');
  } finally {
    await single?.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: node --import tsx bench/ingest-clickhouse.ts [--rows N] [--n N] [--db URL]
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : undefined; };
  benchIngestClickHouse({
    rows: arg('--rows') ? Number(arg('--rows')) : undefined,
    n: arg('--n') ? Number(arg('--n')) : undefined,
    db: arg('--db'),
    reps: arg('--reps') ? Number(arg('--reps')) : undefined,
  }).then((t) => console.log(t), (e) => { console.error((e as Error).message); process.exitCode = 1; });
}
