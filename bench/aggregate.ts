// `vigil bench aggregate` (issue 3, Speed): aggregation latency over N synthetic observations
// (default 10 M) per query shape, through the Store's own `aggregate`/`series`, on a fresh
// DuckDB file. Rows are generated inside DuckDB with SQL (generating them in Node would measure
// the generator, not the store). Each shape runs once to warm up, then `reps` times; the table
// gives min / median / max. No assertion on time: the aim (country-month at 10 m < 300 ms) is
// printed beside the figure.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { migrate } from '../src/store/duckdb/migrations.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/store.js';
import { UsageError } from '../src/model/errors.js';

const DAY = 86400;
/** 2024-01-01T00:00:00Z; the data spans 35 days so a full month fits inside it. */
const START = 1704067200;
const SPAN_DAYS = 35;
const CCS = ['VE', 'IR', 'RU', 'CN', 'MM', 'ET', 'PK', 'TR', 'BY', 'CU'];
const TARGETS = ['twitter', 'instagram', 'youtube', 'facebook', 'facebook_messenger', 'whatsapp', 'telegram', 'signal', 'tiktok', 'example.org', 'bbc.com', 'wikipedia.org'];
const LAYERS = ['dns', 'tcp', 'tls', 'http'];
const FAILURES = ['dns_nxdomain_error', 'generic_timeout_error', 'connection_reset', 'http_request_failed'];

const sqlList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/**
 * Row i: network i % 50 (AS64500+, 5 per country, 40 probes each), target (i / 50) % 12, probe
 * (i / 600) % 40 of that network (so every probe measures every target),
 * t spread evenly over 35 days in order, ~85 % ok, 10 % anomaly, 2 % confirmed, 3 % failure.
 */
function generateSql(n: number): string {
  return `CREATE TABLE observations AS
    SELECT 'u' || i::VARCHAR AS uid,
      ${START} + (i * ${SPAN_DAYS * DAY} // ${n})::BIGINT AS t,
      ${sqlList(CCS)}[(i % 50) % 10 + 1] AS cc,
      64500 + i % 50 AS asn,
      'Net' || (i % 50)::VARCHAR AS network,
      'p' || ((i // 600) % 40)::VARCHAR || '-' || (i % 50)::VARCHAR AS probe_id,
      'web_connectivity' AS test_name,
      ${sqlList(TARGETS)}[(i // 50) % 12 + 1] AS target,
      CASE WHEN (i * 7919) % 100 < 85 THEN 'ok' WHEN (i * 7919) % 100 < 95 THEN 'anomaly'
           WHEN (i * 7919) % 100 < 97 THEN 'confirmed' ELSE 'failure' END AS status,
      CASE WHEN (i * 7919) % 100 < 85 THEN NULL ELSE ${sqlList(LAYERS)}[i % 4 + 1] END AS layer,
      CASE WHEN (i * 7919) % 100 < 85 THEN NULL ELSE ${sqlList(FAILURES)}[i % 4 + 1] END AS failure,
      NULL::DOUBLE AS value
    FROM range(${n}) r(i)`;
}

interface Shape {
  name: string;
  run: (s: Store) => Promise<number>;
  aim?: string;
}

const MONTH = { since: START + 2 * DAY, until: START + 32 * DAY };
const SHAPES: Shape[] = [
  { name: 'country-month, 10m grain', aim: '< 300 ms', run: async (s) => (await s.aggregate({ cc: 'VE', ...MONTH, grain: '10m' })).length },
  { name: 'asn+target week, 5m grain', run: async (s) => (await s.aggregate({ cc: 'VE', asn: 64500, target: 'twitter', since: START + 7 * DAY, until: START + 14 * DAY, grain: '5m' })).length },
  { name: 'one day by target, 1h grain', run: async (s) => (await s.aggregate({ since: START + 10 * DAY, until: START + 11 * DAY, grain: '1h', by: ['target'] })).length },
  { name: 'whole span by cc, 1d grain', run: async (s) => (await s.aggregate({ grain: '1d', by: ['cc'] })).length },
  { name: 'detection series, country-day 5m', run: async (s) => (await s.series({ cc: 'VE', since: START + 10 * DAY, until: START + 11 * DAY, binSeconds: 300 })).length },
];

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

export async function benchAggregate(opts: { rows?: number; db?: string; reps?: number } = {}): Promise<string> {
  const rows = opts.rows ?? 10_000_000;
  const reps = opts.reps ?? 5;
  if (!Number.isInteger(rows) || rows < 1000) throw new UsageError('bench aggregate: --rows must be an integer ≥ 1000');
  if (opts.db && /^clickhouse:/i.test(opts.db)) throw new UsageError('bench aggregate: generates its data with DuckDB SQL; give a file path or no --db');
  if (opts.db && existsSync(opts.db)) throw new UsageError(`bench aggregate: ${opts.db} exists; give a new file (the bench writes a file of its own making)`);
  const dir = opts.db ? null : mkdtempSync(join(tmpdir(), 'vigil-bench-agg-'));
  const path = opts.db ?? join(dir!, 'bench.duckdb');
  try {
    const t0 = performance.now();
    const inst = await DuckDBInstance.create(path);
    const c = await inst.connect();
    await migrate(c);
    // The store's schema, except the UNIQUE (uid, target) index on observations: building that
    // ART index costs minutes of load time for 10 M rows and no query here uses it (aggregates
    // scan columns, pruned by the zone maps on t). Ingest with the index is bench ingest's job.
    await c.run('DROP TABLE observations');
    await c.run(generateSql(rows));
    await c.run('CHECKPOINT');
    c.closeSync();
    inst.closeSync();
    const genMs = performance.now() - t0;

    const store = await openDuckDbStore(path);
    const lines: string[] = [];
    try {
      const n = (await store.stats()).observations;
      lines.push(`aggregate: ${n.toLocaleString('en-US')} observations (10 countries, 50 networks, 2,000 probes, 12 targets, ${SPAN_DAYS} days), DuckDB; generated in ${(genMs / 1000).toFixed(1)} s`);
      lines.push(`each shape: 1 warm-up run, then ${reps} timed runs`, '');
      const w = Math.max(...SHAPES.map((s) => s.name.length));
      lines.push(`${'query shape'.padEnd(w)}  ${'rows'.padStart(6)}  ${'min ms'.padStart(8)}  ${'median'.padStart(8)}  ${'max ms'.padStart(8)}  aim`);
      for (const shape of SHAPES) {
        const out = await shape.run(store);
        const times: number[] = [];
        for (let i = 0; i < reps; i++) {
          const a = performance.now();
          await shape.run(store);
          times.push(performance.now() - a);
        }
        times.sort((a, b) => a - b);
        lines.push(`${shape.name.padEnd(w)}  ${String(out).padStart(6)}  ${fmt(times[0]).padStart(8)}  ${fmt(times[Math.floor(times.length / 2)]).padStart(8)}  ${fmt(times[times.length - 1]).padStart(8)}  ${shape.aim ?? ''}`);
      }
    } finally {
      await store.close();
    }
    return lines.join('\n') + '\n';
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
