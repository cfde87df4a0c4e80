// The DuckDB engine of the Store (DESIGN.md §5): one file, embedded, the default.
//
// - Writes go through one writer connection, one operation at a time (a promise lane), each batch
//   in its own transaction: rows are appended to a connection-local TEMP staging table, then moved
//   with INSERT … SELECT … ON CONFLICT DO NOTHING, whose changed-row count is the exact number
//   inserted. A failure rolls the whole batch back.
// - Reads use a second connection (DuckDB's MVCC gives it a consistent snapshot), serialized on
//   their own lane, so queries stay answered while a batch is being written.
// - Every value reaches SQL as a bound parameter or through the appender; the only identifiers
//   spliced into SQL text come from fixed whitelists below.
// - Aggregates run in SQL; Node only receives the result rows.
import { firstByKey } from '../first-by-key.js';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue, type DuckDBAppender } from '@duckdb/node-api';
import type {
  Store, StoredMeasurement, MeasurementSummary, MeasurementQuery, AggregateQuery, AggregateRow,
  SeriesRow, IncidentQuery, InsertResult, BgpVisibilityRow,
} from '../store.js';
import { grainSeconds as grainOf } from '../store.js';
import type { Envelope } from '../../model/measurement.js';
import type { Observation, Status } from '../../model/observation.js';
import type { Incident } from '../../model/incident.js';
import { VigilError } from '../../model/errors.js';
import { migrate, currentVersion, LATEST_VERSION } from './migrations.js';

/** Runs async operations one after another (a DuckDB connection is not safe for overlapping use). */
class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn, fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

type Row = Record<string, unknown>;

/** DuckDB returns BIGINT/HUGEINT as bigint: turn them into numbers (counts and seconds fit). */
function plain(r: Row): Row {
  const o: Row = {};
  for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : v;
  return o;
}

const MAX_LIMIT = 10_000;
const BY_COLUMNS = { cc: 'cc', asn: 'asn', target: 'target', test_name: 'test_name' } as const;
const NON_OK = `status IN ('anomaly', 'confirmed')`;

function int(v: number, what: string): bigint {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new VigilError('BAD_INPUT', `${what}: expected a finite number`);
  return BigInt(Math.ceil(v));
}

/** Bin width in seconds; bad grains are the caller's input error. */
function grainSeconds(g: AggregateQuery['grain']): number {
  try {
    return grainOf(g);
  } catch (e) {
    throw new VigilError('BAD_INPUT', (e as Error).message);
  }
}

/** WHERE clause over the filter fields; since inclusive, until exclusive (integers: t is whole seconds). */
function filters(q: { cc?: string; asn?: number; target?: string; test_name?: string; since?: number; until?: number }, opts: { targetViaObservations?: boolean } = {}) {
  const where: string[] = [];
  const params: DuckDBValue[] = [];
  if (q.cc !== undefined) { where.push('cc = ?'); params.push(String(q.cc)); }
  if (q.asn !== undefined) { where.push('asn = ?'); params.push(int(q.asn, 'asn')); }
  if (q.test_name !== undefined) { where.push('test_name = ?'); params.push(String(q.test_name)); }
  if (q.target !== undefined) {
    where.push(opts.targetViaObservations ? 'uid IN (SELECT uid FROM observations WHERE target = ?)' : 'target = ?');
    params.push(String(q.target));
  }
  if (q.since !== undefined) { where.push('t >= ?'); params.push(int(q.since, 'since')); }
  if (q.until !== undefined) { where.push('t < ?'); params.push(int(q.until, 'until')); }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/**
 * Bin start of t for a bin width g: floor(t / g) * g, also for negative t. g is spliced in as a
 * literal, not bound: with a bound parameter DuckDB cannot fold the expression and the grouping
 * ran 5–7× slower (measured with bench/aggregate.ts). It is safe because g is an integer that
 * grainSeconds() produced, checked again here.
 */
function binExpr(g: number): string {
  if (!Number.isSafeInteger(g) || g <= 0) throw new VigilError('BAD_INPUT', 'grain: not a positive integer');
  const n = String(g);
  return `(t - ((t % ${n}) + ${n}) % ${n})`;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function isoToSeconds(s: string | null, what: string): number | null {
  if (s === null) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new VigilError('BAD_INPUT', `incident ${what}: not a time: ${JSON.stringify(s)}`);
  return Math.floor(ms / 1000);
}

export class DuckDbStore implements Store {
  readonly engine = 'duckdb' as const;
  private readonly writeLane = new Lane();
  private readonly readLane = new Lane();
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection | null,
    private readonly reader: DuckDBConnection,
  ) {}

  // ---- plumbing ------------------------------------------------------------------------------
  private live(): void {
    if (this.closed) throw new VigilError('STORE', 'store is closed');
  }

  private w(): DuckDBConnection {
    if (!this.writer) throw new VigilError('STORE', 'store was opened read-only');
    return this.writer;
  }

  private async query(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    this.live();
    return this.readLane.run(async () => {
      const r = await this.reader.runAndReadAll(sql, params);
      return r.getRowObjectsJS().map((x) => plain(x as Row));
    });
  }

  /** One write operation in one transaction; rolled back whole on any error. */
  private async tx<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    this.live();
    const c = this.w();
    return this.writeLane.run(async () => {
      await c.run('BEGIN TRANSACTION');
      try {
        const out = await fn(c);
        await c.run('COMMIT');
        return out;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        if (e instanceof VigilError) throw e;
        throw new VigilError('STORE', `write failed: ${(e as Error).message}`, { cause: e });
      }
    });
  }

  /** Appends rows to a TEMP staging table, moves the new ones into `table`, empties the stage. */
  private async stageAndMove(c: DuckDBConnection, stage: string, table: string, fill: (a: DuckDBAppender) => void, conflict = 'ON CONFLICT DO NOTHING'): Promise<number> {
    const a = await c.createAppender(stage, 'main', 'temp');
    try {
      fill(a);
      a.flushSync();
    } finally {
      a.closeSync();
    }
    const r = await c.run(`INSERT INTO ${table} SELECT * FROM temp.main.${stage} ${conflict}`);
    await c.run(`DELETE FROM temp.main.${stage}`);
    return r.rowsChanged;
  }

  // ---- measurements and observations -------------------------------------------------------------
  async insertMeasurements(rows: StoredMeasurement[]): Promise<InsertResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    // Duplicates inside the batch: the first occurrence is the one kept.
    const unique = firstByKey(rows, (r) => String(r.uid));
    const inserted = await this.tx((c) => this.stageAndMove(c, 'stage_measurements', 'measurements', (a) => {
      for (const r of unique) {
        a.appendVarchar(String(r.uid));
        a.appendBigInt(int(r.t, 'measurement t'));
        a.appendVarchar(String(r.cc));
        a.appendBigInt(int(r.asn, 'measurement asn'));
        a.appendVarchar(String(r.network ?? ''));
        a.appendVarchar(String(r.probe_id));
        a.appendVarchar(String(r.test_name));
        if (r.input === null || r.input === undefined) a.appendNull(); else a.appendVarchar(String(r.input));
        a.appendVarchar(JSON.stringify(r.raw));
        a.endRow();
      }
    }));
    return { inserted, duplicates: rows.length - inserted };
  }

  async existingUids(uids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const all = [...new Set(uids.map(String))];
    for (let i = 0; i < all.length; i += 1000) {
      const part = all.slice(i, i + 1000);
      const rows = await this.query(`SELECT uid FROM measurements WHERE uid IN (${placeholders(part.length)})`, part);
      for (const r of rows) out.add(r.uid as string);
    }
    return out;
  }

  async insertObservations(rows: Observation[]): Promise<number> {
    if (rows.length === 0) return 0;
    const unique = firstByKey(rows, (r) => `${r.uid}\u0000${r.target}`);
    return this.tx((c) => this.stageAndMove(c, 'stage_observations', 'observations', (a) => {
      for (const r of unique) {
        a.appendVarchar(String(r.uid));
        a.appendBigInt(int(r.t, 'observation t'));
        a.appendVarchar(String(r.cc));
        a.appendBigInt(int(r.asn, 'observation asn'));
        a.appendVarchar(String(r.network ?? ''));
        a.appendVarchar(String(r.probe_id));
        a.appendVarchar(String(r.test_name));
        a.appendVarchar(String(r.target));
        a.appendVarchar(String(r.status));
        if (r.layer === null || r.layer === undefined) a.appendNull(); else a.appendVarchar(String(r.layer));
        if (r.failure === null || r.failure === undefined) a.appendNull(); else a.appendVarchar(String(r.failure));
        if (r.value === null || r.value === undefined || !Number.isFinite(r.value)) a.appendNull(); else a.appendDouble(r.value);
        a.endRow();
      }
    }));
  }

  async measurement(uid: string): Promise<Envelope | null> {
    const rows = await this.query('SELECT raw FROM measurements WHERE uid = ?', [String(uid)]);
    return rows.length ? (JSON.parse(rows[0].raw as string) as Envelope) : null;
  }

  async measurements(q: MeasurementQuery): Promise<MeasurementSummary[]> {
    const f = filters(q, { targetViaObservations: true });
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.query(
      `SELECT uid, t, cc, asn, network, probe_id, test_name, input FROM measurements ${f.sql}
       ORDER BY t ${dir}, uid ${dir} LIMIT ? OFFSET ?`,
      [...f.params, BigInt(limit), BigInt(offset)],
    );
    return rows as unknown as MeasurementSummary[];
  }

  async countMeasurements(q: Omit<MeasurementQuery, 'limit' | 'offset' | 'order'> = {}): Promise<number> {
    const f = filters(q, { targetViaObservations: true });
    const rows = await this.query(`SELECT count(*) AS n FROM measurements ${f.sql}`, f.params);
    return rows[0].n as number;
  }

  async observationsOf(uid: string): Promise<Observation[]> {
    const rows = await this.query(
      `SELECT uid, t, cc, asn, network, probe_id, test_name, target, status, layer, failure, value
       FROM observations WHERE uid = ? ORDER BY target`,
      [String(uid)],
    );
    return rows as unknown as Observation[];
  }

  // ---- aggregates --------------------------------------------------------------------------------
  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const g = grainSeconds(q.grain);
    const by = [...new Set(q.by ?? [])].map((b) => {
      const col = (BY_COLUMNS as Record<string, string>)[b];
      if (!col) throw new VigilError('BAD_INPUT', `by: unknown column ${JSON.stringify(b)} (use cc, asn, target, test_name)`);
      return col;
    });
    const f = filters(q);
    const keys = ['bin', ...by].join(', ');
    const rows = await this.query(
      `SELECT bin AS t${by.map((b) => `, ${b}`).join('')},
         count_if(status = 'ok') AS ok, count_if(status = 'anomaly') AS anomaly,
         count_if(status = 'confirmed') AS confirmed, count_if(status = 'failure') AS failure,
         count(*) AS total, count(DISTINCT probe_id) AS probes
       FROM (SELECT *, ${binExpr(g)} AS bin FROM observations ${f.sql})
       GROUP BY ${keys} ORDER BY ${keys}`,
      f.params,
    );
    return rows as unknown as AggregateRow[];
  }

  async series(q: { cc?: string; asn?: number; since?: number; until?: number; binSeconds: number; test_name?: string }): Promise<SeriesRow[]> {
    const g = grainSeconds(q.binSeconds);
    const f = filters(q);
    // top_layer / top_failure: the most frequent value among non-ok observations, ties broken by
    // the smallest value so every engine (and every re-run) picks the same one.
    const rows = await this.query(
      `WITH o AS (SELECT *, ${binExpr(g)} AS bin FROM observations ${f.sql}),
       base AS (
         SELECT cc, asn, target, bin, max(network) AS network,
           count_if(status = 'ok') AS ok, count_if(status = 'anomaly') AS anomaly,
           count_if(status = 'confirmed') AS confirmed, count_if(status = 'failure') AS failure,
           count(*) AS total, count(DISTINCT probe_id) AS probes,
           count(DISTINCT probe_id) FILTER (WHERE status = 'ok') AS ok_probes,
           count(DISTINCT probe_id) FILTER (WHERE ${NON_OK}) AS bad_probes,
           avg(value) AS value
         FROM o GROUP BY cc, asn, target, bin),
       lay AS (SELECT cc, asn, target, bin, layer, count(*) AS n FROM o WHERE ${NON_OK} AND layer IS NOT NULL GROUP BY cc, asn, target, bin, layer),
       toplay AS (SELECT cc, asn, target, bin, first(layer ORDER BY n DESC, layer ASC) AS top_layer FROM lay GROUP BY cc, asn, target, bin),
       fail AS (SELECT cc, asn, target, bin, failure, count(*) AS n FROM o WHERE ${NON_OK} AND failure IS NOT NULL GROUP BY cc, asn, target, bin, failure),
       topfail AS (SELECT cc, asn, target, bin, first(failure ORDER BY n DESC, failure ASC) AS top_failure FROM fail GROUP BY cc, asn, target, bin)
       SELECT base.bin AS t, base.cc, base.asn, base.target, base.network, ok, anomaly, confirmed, failure, total, probes,
         ok_probes, bad_probes, value, toplay.top_layer, topfail.top_failure
       FROM base
       LEFT JOIN toplay ON toplay.cc = base.cc AND toplay.asn = base.asn AND toplay.target = base.target AND toplay.bin = base.bin
       LEFT JOIN topfail ON topfail.cc = base.cc AND topfail.asn = base.asn AND topfail.target = base.target AND topfail.bin = base.bin
       ORDER BY base.cc, base.asn, base.target, base.bin`,
      f.params,
    );
    return rows.map((r) => ({ ...r, top_layer: r.top_layer ?? null, top_failure: r.top_failure ?? null, value: r.value ?? null })) as unknown as SeriesRow[];
  }

  async sampleUids(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; limit: number; statuses?: Status[] }): Promise<string[]> {
    const where = ['cc = ?', 't >= ?', 't < ?'];
    const params: DuckDBValue[] = [String(q.cc), int(q.since, 'since'), int(q.until, 'until')];
    if (q.asns.length) { where.push(`asn IN (${placeholders(q.asns.length)})`); params.push(...q.asns.map((a) => int(a, 'asn'))); }
    if (q.targets.length) { where.push(`target IN (${placeholders(q.targets.length)})`); params.push(...q.targets.map(String)); }
    const statuses = q.statuses ?? ['anomaly', 'confirmed'];
    if (statuses.length === 0) return [];
    where.push(`status IN (${placeholders(statuses.length)})`);
    params.push(...statuses.map(String));
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit)));
    const rows = await this.query(
      `SELECT uid FROM observations WHERE ${where.join(' AND ')} GROUP BY uid ORDER BY min(t), uid LIMIT ?`,
      [...params, BigInt(limit)],
    );
    return rows.map((r) => r.uid as string);
  }

  async countProbes(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; statuses?: Status[] }): Promise<number> {
    const where = ['cc = ?', 't >= ?', 't < ?'];
    const params: DuckDBValue[] = [String(q.cc), int(q.since, 'since'), int(q.until, 'until')];
    if (q.asns.length) { where.push(`asn IN (${placeholders(q.asns.length)})`); params.push(...q.asns.map((a) => int(a, 'asn'))); }
    if (q.targets.length) { where.push(`target IN (${placeholders(q.targets.length)})`); params.push(...q.targets.map(String)); }
    const statuses = q.statuses ?? ['anomaly', 'confirmed'];
    if (statuses.length === 0) return 0;
    where.push(`status IN (${placeholders(statuses.length)})`);
    params.push(...statuses.map(String));
    const rows = await this.query(`SELECT count(DISTINCT probe_id) AS n FROM observations WHERE ${where.join(' AND ')}`, params);
    return Number(rows[0]?.n ?? 0);
  }

  // ---- incidents ---------------------------------------------------------------------------------
  async upsertIncidents(rows: Incident[]): Promise<void> {
    if (rows.length === 0) return;
    // The last version of an id in the batch wins, as if upserted one by one.
    const byId = new Map<string, Incident>();
    for (const r of rows) byId.set(String(r.id), r);
    const prepared = [...byId.values()].map((r) => ({
      r,
      start: isoToSeconds(r.start, 'start') as number,
      end: isoToSeconds(r.end, 'end'),
    }));
    await this.tx(async (c) => {
      await this.stageAndMove(c, 'stage_incidents', 'incidents', (a) => {
        for (const { r, start, end } of prepared) {
          a.appendVarchar(String(r.id));
          a.appendVarchar(String(r.kind));
          a.appendVarchar(String(r.cc));
          a.appendVarchar(String(r.status));
          a.appendBigInt(BigInt(start));
          if (end === null) a.appendNull(); else a.appendBigInt(BigInt(end));
          a.appendVarchar(JSON.stringify((r.asns ?? []).map(Number)));
          a.appendVarchar(JSON.stringify(r));
          a.endRow();
        }
      }, `ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, cc = excluded.cc, status = excluded.status,
          start_t = excluded.start_t, end_t = excluded.end_t, asns = excluded.asns, doc = excluded.doc`);
    });
  }

  async deleteIncidents(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tx(async (c) => {
      await c.run(`DELETE FROM incidents WHERE id IN (${placeholders(ids.length)})`, ids.map(String));
    });
  }

  async incidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (q.cc !== undefined) { where.push('cc = ?'); params.push(String(q.cc)); }
    if (q.kind !== undefined) { where.push('kind = ?'); params.push(String(q.kind)); }
    if (q.status !== undefined) { where.push('status = ?'); params.push(String(q.status)); }
    if (q.asn !== undefined) { where.push(`list_contains(from_json(asns, '["BIGINT"]'), ?)`); params.push(int(q.asn, 'asn')); }
    // overlap with [since, until): an ongoing incident (no end) reaches into the future.
    if (q.since !== undefined) { where.push('(end_t IS NULL OR end_t > ?)'); params.push(int(q.since, 'since')); }
    if (q.until !== undefined) { where.push('start_t < ?'); params.push(int(q.until, 'until')); }
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 1000)));
    const rows = await this.query(
      `SELECT doc FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_t DESC, id ASC LIMIT ?`,
      [...params, BigInt(limit)],
    );
    return rows.map((r) => JSON.parse(r.doc as string) as Incident);
  }

  async incident(id: string): Promise<Incident | null> {
    const rows = await this.query('SELECT doc FROM incidents WHERE id = ?', [String(id)]);
    return rows.length ? (JSON.parse(rows[0].doc as string) as Incident) : null;
  }

  // ---- BGP visibility ----------------------------------------------------------------------------
  async insertBgpVisibility(rows: BgpVisibilityRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const unique = firstByKey(rows, (r) => `${r.t}/${r.asn}`);
    return this.tx((c) => this.stageAndMove(c, 'stage_bgp', 'bgp_visibility', (a) => {
      for (const r of unique) {
        a.appendBigInt(int(r.t, 'bgp t'));
        a.appendBigInt(int(r.asn, 'bgp asn'));
        a.appendVarchar(String(r.cc ?? ''));
        a.appendBigInt(int(r.slash24, 'bgp slash24'));
        a.appendBigInt(int(r.peers, 'bgp peers'));
        a.endRow();
      }
    }));
  }

  async bgpVisibility(q: { asn?: number; cc?: string; since?: number; until?: number }): Promise<BgpVisibilityRow[]> {
    const f = filters(q);
    const rows = await this.query(`SELECT t, asn, cc, slash24, peers FROM bgp_visibility ${f.sql} ORDER BY asn, t`, f.params);
    return rows as unknown as BgpVisibilityRow[];
  }

  // ---- state and stats ---------------------------------------------------------------------------
  async getState(key: string): Promise<string | null> {
    const rows = await this.query('SELECT v FROM state WHERE k = ?', [String(key)]);
    return rows.length ? (rows[0].v as string) : null;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.tx(async (c) => {
      await c.run('INSERT INTO state VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [String(key), String(value)]);
    });
  }

  async stats(): Promise<{ measurements: number; observations: number; incidents: number; minT: number | null; maxT: number | null }> {
    const rows = await this.query(
      `SELECT (SELECT count(*) FROM measurements) AS measurements, (SELECT count(*) FROM observations) AS observations,
         (SELECT count(*) FROM incidents) AS incidents, (SELECT min(t) FROM measurements) AS minT, (SELECT max(t) FROM measurements) AS maxT`,
    );
    const r = rows[0];
    return {
      measurements: r.measurements as number,
      observations: r.observations as number,
      incidents: r.incidents as number,
      minT: (r.minT as number | null) ?? null,
      maxT: (r.maxT as number | null) ?? null,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let queued work finish, then fold the WAL into the file so it opens fast and alone.
    await this.readLane.run(async () => undefined);
    if (this.writer) {
      const c = this.writer;
      await this.writeLane.run(async () => { await c.run('CHECKPOINT'); });
      c.closeSync();
    }
    this.reader.closeSync();
    this.instance.closeSync();
  }
}

const STAGES = [
  `CREATE TEMP TABLE IF NOT EXISTS stage_measurements AS SELECT * FROM measurements LIMIT 0`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_observations AS SELECT * FROM observations LIMIT 0`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_incidents AS SELECT * FROM incidents LIMIT 0`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_bgp AS SELECT * FROM bgp_visibility LIMIT 0`,
];

export async function openDuckDbStore(path: string, opts: { readOnly?: boolean; checkpointThreshold?: string } = {}): Promise<Store> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new VigilError('STORE', `cannot open DuckDB file ${path}: ${msg}`, { cause: e });
  }
  try {
    let writer: DuckDBConnection | null = null;
    if (!opts.readOnly) {
      writer = await instance.connect();
      await migrate(writer);
      for (const s of STAGES) await writer.run(s);
      // DuckDB checkpoints when the WAL passes this size, and each checkpoint rewrites the ART
      // indexes (uid keys) whole: at the default 16 MB, raw measurements filled the WAL every few
      // batches and ingest slowed to ~1,000 rows/s by 100 k rows. At 1 GB it stays flat;
      // close() checkpoints, and a crash replays the WAL at the next open.
      const threshold = opts.checkpointThreshold ?? '1GB';
      if (!/^\d+(\.\d+)?\s?(B|KB|MB|GB|KiB|MiB|GiB)$/i.test(threshold)) throw new VigilError('STORE', `checkpoint threshold: expected a size like 1GB, got ${JSON.stringify(threshold)}`);
      await writer.run(`SET checkpoint_threshold = '${threshold}'`);
    }
    const reader = await instance.connect();
    if (opts.readOnly) {
      const v = await currentVersion(reader);
      if (v !== LATEST_VERSION) {
        reader.closeSync();
        throw new VigilError('STORE', `${path}: schema version ${v}, this Vigil needs ${LATEST_VERSION} (open it once read-write to migrate)`);
      }
    }
    return new DuckDbStore(instance, writer, reader);
  } catch (e) {
    instance.closeSync();
    throw e;
  }
}
