// The ClickHouse engine of the Store (DESIGN.md §5), over HTTP with @clickhouse/client, for when
// one DuckDB file is not enough: stateless collectors in front of one node or a sharded cluster.
//
// - SQL is kept to what ClickHouse 18.16 (Debian's package, used by the tests) and current
//   releases both accept: no query parameters, no toStartOfInterval, no DateTime64, no TTL. Values
//   reach query text only through ./sql.ts; rows are inserted as JSONEachRow bodies.
// - Idempotency on uid: see ./schema.ts. Writes in one process go through one lane (check, then
//   insert), so duplicates are counted exactly; reads use FINAL / argMax so a uid written twice
//   by two collectors at the same instant is still seen once.
// - `clickhouse://HOST:PORT/DB?cluster=NAME` selects distributed mode: `<t>_local` tables on each
//   node, `Distributed` tables over them sharded by cityHash64(uid); inserts are synchronous
//   (insert_distributed_sync=1) so a write is readable from any node once it returns.
// - Aggregates and series are computed by ClickHouse; Node receives only the result rows.
import { firstByKey } from '../first-by-key.js';
import { createClient, ClickHouseLogLevel, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type {
  Store, StoredMeasurement, MeasurementSummary, MeasurementQuery, AggregateQuery, AggregateRow,
  SeriesRow, IncidentQuery, InsertResult, BgpVisibilityRow,
} from '../store.js';
import { grainSeconds as sharedGrainSeconds } from '../store.js';
import type { Envelope } from '../../model/measurement.js';
import type { Observation, Status } from '../../model/observation.js';
import type { Incident } from '../../model/incident.js';
import { VigilError } from '../../model/errors.js';
import { quoteString, quoteInt, quoteList } from './sql.js';
import { ddl, tableName, localName, SCHEMA_VERSION, type Layout } from './schema.js';

type Row = Record<string, unknown>;

const MAX_LIMIT = 10_000;
/** uids per existence-check query: keeps the query text well under 18.16's max_query_size (256 KiB). */
const CHECK_CHUNK = 1000;
const BY_COLUMNS = { cc: 'cc', asn: 'asn', target: 'target', test_name: 'test_name' } as const;
const NON_OK = `status IN ('anomaly', 'confirmed')`;

export interface ClickHouseOptions {
  /** cluster name (remote_servers) for distributed mode; also read from ?cluster= in the URL */
  cluster?: string;
  /** distributed mode on/off; defaults to true when a cluster is named */
  distributed?: boolean;
  /** run DDL with ON CLUSTER (needs ZooKeeper/Keeper); also ?on_cluster=1 */
  onCluster?: boolean;
}

export interface ClickHouseTarget {
  httpUrl: string;
  username: string;
  password: string;
  db: string;
  cluster?: string;
  onCluster: boolean;
}

/** clickhouse://[user[:pass]@]host[:port]/[db][?cluster=NAME&on_cluster=1&secure=1] */
export function parseClickHouseUrl(url: string, opts: ClickHouseOptions = {}): ClickHouseTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('USAGE', `--db: not a URL: ${url}`);
  }
  if (u.protocol !== 'clickhouse:') throw new VigilError('USAGE', `--db: expected clickhouse://HOST:PORT/DATABASE, got ${url}`);
  if (!u.hostname) throw new VigilError('USAGE', `--db: no host in ${url}`);
  const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'vigil';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(db)) throw new VigilError('USAGE', `--db: database name must be a plain identifier, got ${JSON.stringify(db)}`);
  const qCluster = u.searchParams.get('cluster') ?? undefined;
  const cluster = opts.cluster ?? qCluster;
  const distributed = opts.distributed ?? cluster !== undefined;
  if (distributed && !cluster) throw new VigilError('USAGE', '--db: distributed mode needs a cluster name (?cluster=NAME)');
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(cluster)) throw new VigilError('USAGE', `--db: cluster name must be a plain identifier, got ${JSON.stringify(cluster)}`);
  const secure = u.searchParams.get('secure') === '1';
  const host = u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname;
  return {
    httpUrl: `${secure ? 'https' : 'http'}://${host}:${u.port || (secure ? '8443' : '8123')}`,
    username: decodeURIComponent(u.username) || 'default',
    password: decodeURIComponent(u.password),
    db,
    cluster: distributed ? cluster : undefined,
    onCluster: opts.onCluster ?? u.searchParams.get('on_cluster') === '1',
  };
}

/** Runs async operations one after another: check-then-insert must not interleave in a process. */
class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn, fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

/** Bin width in seconds (the shared rule in store.ts), refused as bad input rather than a crash. */
export function grainSeconds(g: AggregateQuery['grain']): number {
  try {
    return sharedGrainSeconds(g);
  } catch (e) {
    throw new VigilError('BAD_INPUT', (e as Error).message);
  }
}

/** Floor of t to a bin of g seconds, also right for t < 0 (intDiv truncates toward zero). */
function binExpr(g: number): string {
  return `(t - (((t % ${g}) + ${g}) % ${g}))`;
}

function ceilInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new VigilError('BAD_INPUT', `${what}: expected a finite number`);
  const n = Math.ceil(v);
  if (!Number.isSafeInteger(n)) throw new VigilError('BAD_INPUT', `${what}: out of range`);
  return n;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function isoToSeconds(s: string | null, what: string): number | null {
  if (s === null || s === undefined) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new VigilError('BAD_INPUT', `incident ${what}: not a time: ${JSON.stringify(s)}`);
  return Math.floor(ms / 1000);
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export class ClickHouseStore implements Store {
  readonly engine = 'clickhouse' as const;
  private readonly writeLane = new Lane();
  private closed = false;
  private lastVersion = 0;
  private readonly insertSettings: ClickHouseSettings;

  constructor(private readonly client: ClickHouseClient, readonly layout: Layout, readonly where: string) {
    // Distributed inserts are queued on the receiving node by default; synchronous inserts make a
    // write visible on every node when it returns (the collector answers only after that).
    this.insertSettings = layout.cluster ? { insert_distributed_sync: 1 } : {};
  }

  // ---- plumbing ------------------------------------------------------------------------------
  private t(name: string): string { return tableName(this.layout, name); }
  private local(name: string): string { return localName(this.layout, name); }

  private live(): void {
    if (this.closed) throw new VigilError('STORE', 'store is closed');
  }

  private fail(e: unknown, what: string): never {
    if (e instanceof VigilError) throw e;
    const msg = String((e as Error)?.message ?? e).split('\n')[0].replace(/, e\.what\(\) = .*$/, '');
    throw new VigilError('STORE', `ClickHouse ${this.where}: ${what} failed: ${msg}`, { cause: e });
  }

  async query(sql: string): Promise<Row[]> {
    this.live();
    try {
      const rs = await this.client.query({ query: sql, format: 'JSONEachRow' });
      return await rs.json<Row>();
    } catch (e) {
      this.fail(e, 'query');
    }
  }

  async command(sql: string): Promise<void> {
    this.live();
    try {
      await this.client.command({ query: sql });
    } catch (e) {
      this.fail(e, 'command');
    }
  }

  private async insert(name: string, values: Row[]): Promise<void> {
    if (values.length === 0) return;
    try {
      await this.client.insert({ table: this.t(name), values, format: 'JSONEachRow', clickhouse_settings: this.insertSettings });
    } catch (e) {
      this.fail(e, `insert into ${name}`);
    }
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    this.live();
    return this.writeLane.run(fn);
  }

  /** Monotonic row versions for ReplacingMergeTree(version): microseconds, never repeating here. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  private filters(q: { cc?: string; asn?: number; target?: string; test_name?: string; since?: number; until?: number }, targetViaObservations = false): string {
    const w: string[] = [];
    if (q.cc !== undefined) w.push(`cc = ${quoteString(String(q.cc), 'cc')}`);
    if (q.asn !== undefined) w.push(`asn = ${quoteInt(q.asn, 'asn')}`);
    if (q.test_name !== undefined) w.push(`test_name = ${quoteString(String(q.test_name), 'test_name')}`);
    if (q.target !== undefined) {
      const target = quoteString(String(q.target), 'target');
      // Co-located subquery: observations are sharded like measurements (by uid), so each shard
      // can answer it from its own local table.
      w.push(targetViaObservations ? `uid IN (SELECT uid FROM ${this.local('observations')} WHERE target = ${target})` : `target = ${target}`);
    }
    if (q.since !== undefined) w.push(`t >= ${quoteInt(q.since, 'since')}`);
    if (q.until !== undefined) w.push(`t < ${quoteInt(q.until, 'until')}`);
    return w.length ? `WHERE ${w.join(' AND ')}` : '';
  }

  // ---- measurements and observations -------------------------------------------------------------
  async existingUids(uids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks([...new Set(uids.map(String))], CHECK_CHUNK)) {
      const found = await this.query(`SELECT DISTINCT uid FROM ${this.t('measurement_uids')} WHERE uid IN ${quoteList(part, 'uid')}`);
      for (const f of found) out.add(String(f.uid));
    }
    return out;
  }

  async insertMeasurements(rows: StoredMeasurement[]): Promise<InsertResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    const unique: Row[] = firstByKey(rows, (r) => String(r.uid)).map((r) => ({
      uid: String(r.uid), t: ceilInt(r.t, 'measurement t'), cc: String(r.cc), asn: ceilInt(r.asn, 'measurement asn'),
      network: String(r.network ?? ''), probe_id: String(r.probe_id), test_name: String(r.test_name),
      input: r.input === null || r.input === undefined ? null : String(r.input), raw: JSON.stringify(r.raw),
    }));
    const inserted = await this.write(async () => {
      const existing = await this.existingUids(unique.map((r) => r.uid as string));
      const fresh = unique.filter((r) => !existing.has(r.uid as string));
      // The data first, then the uid index: a crash in between leaves a measurement that a
      // re-upload writes again (collapsed by FINAL), never a uid whose data is missing.
      await this.insert('measurements', fresh);
      await this.insert('measurement_uids', fresh.map((r) => ({ uid: r.uid, cc: r.cc, t: r.t })));
      return fresh.length;
    });
    return { inserted, duplicates: rows.length - inserted };
  }

  async insertObservations(rows: Observation[]): Promise<number> {
    if (rows.length === 0) return 0;
    const unique: Row[] = firstByKey(rows, (r) => `${r.uid}\u0000${r.target}`).map((r) => ({
      uid: String(r.uid), t: ceilInt(r.t, 'observation t'), cc: String(r.cc), asn: ceilInt(r.asn, 'observation asn'),
      network: String(r.network ?? ''), probe_id: String(r.probe_id), test_name: String(r.test_name),
      target: String(r.target), status: String(r.status),
      layer: r.layer === null || r.layer === undefined ? null : String(r.layer),
      failure: r.failure === null || r.failure === undefined ? null : String(r.failure),
      value: typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null,
    }));
    return this.write(async () => {
      const existing = new Set<string>();
      for (const part of chunks(unique, CHECK_CHUNK)) {
        // The batch's own cc and t range narrow the check to a few granules of the (cc, t, …) key.
        const ccs = [...new Set(part.map((r) => r.cc as string))];
        const ts = part.map((r) => r.t as number);
        const uids = [...new Set(part.map((r) => r.uid as string))];
        const found = await this.query(
          `SELECT uid, target FROM ${this.t('observations')}
           WHERE cc IN ${quoteList(ccs, 'cc')} AND t >= ${quoteInt(Math.min(...ts))} AND t <= ${quoteInt(Math.max(...ts))}
             AND uid IN ${quoteList(uids, 'uid')}`);
        for (const f of found) existing.add(`${f.uid}\u0000${f.target}`);
      }
      const fresh = unique.filter((r) => !existing.has(`${r.uid}\u0000${r.target}`));
      await this.insert('observations', fresh);
      return fresh.length;
    });
  }

  /** (cc, t) of a stored measurement, from the uid index (a primary-key lookup). */
  private async locate(uid: string): Promise<{ cc: string; t: number } | null> {
    const rows = await this.query(`SELECT cc, t FROM ${this.t('measurement_uids')} WHERE uid = ${quoteString(uid, 'uid')} LIMIT 1`);
    return rows.length ? { cc: String(rows[0].cc), t: num(rows[0].t) } : null;
  }

  async measurement(uid: string): Promise<Envelope | null> {
    const at = await this.locate(String(uid));
    if (!at) return null;
    const rows = await this.query(
      `SELECT raw FROM ${this.t('measurements')}
       WHERE cc = ${quoteString(at.cc)} AND t = ${quoteInt(at.t)} AND uid = ${quoteString(String(uid))} LIMIT 1`);
    return rows.length ? (JSON.parse(String(rows[0].raw)) as Envelope) : null;
  }

  async measurements(q: MeasurementQuery): Promise<MeasurementSummary[]> {
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.query(
      `SELECT uid, t, cc, asn, network, probe_id, test_name, input FROM ${this.t('measurements')} FINAL
       ${this.filters(q, true)} ORDER BY t ${dir}, uid ${dir} LIMIT ${offset}, ${limit}`);
    return rows.map((r) => ({
      uid: String(r.uid), t: num(r.t), cc: String(r.cc), asn: num(r.asn), network: String(r.network),
      probe_id: String(r.probe_id), test_name: String(r.test_name), input: r.input === null ? null : String(r.input),
    }));
  }

  async countMeasurements(q: Omit<MeasurementQuery, 'limit' | 'offset' | 'order'> = {}): Promise<number> {
    const rows = await this.query(`SELECT count() AS n FROM ${this.t('measurements')} FINAL ${this.filters(q, true)}`);
    return num(rows[0]?.n ?? 0);
  }

  private static observation(r: Row): Observation {
    return {
      uid: String(r.uid), t: num(r.t), cc: String(r.cc), asn: num(r.asn), network: String(r.network),
      probe_id: String(r.probe_id), test_name: String(r.test_name), target: String(r.target),
      status: String(r.status) as Status, layer: (r.layer ?? null) as Observation['layer'],
      failure: r.failure === null || r.failure === undefined ? null : String(r.failure),
      value: r.value === null || r.value === undefined ? null : num(r.value),
    };
  }

  async observationsOf(uid: string): Promise<Observation[]> {
    const u = quoteString(String(uid), 'uid');
    const cols = 'uid, t, cc, asn, network, probe_id, test_name, target, status, layer, failure, value';
    // With the measurement's (cc, t) the read is a primary-key range; observations stored
    // without their measurement (or under another cc/t) are found by the full scan after.
    const at = await this.locate(String(uid));
    let rows: Row[] = [];
    if (at) {
      rows = await this.query(`SELECT ${cols} FROM ${this.t('observations')} FINAL
        WHERE cc = ${quoteString(at.cc)} AND t = ${quoteInt(at.t)} AND uid = ${u} ORDER BY target`);
    }
    if (rows.length === 0) rows = await this.query(`SELECT ${cols} FROM ${this.t('observations')} FINAL WHERE uid = ${u} ORDER BY target`);
    return rows.map(ClickHouseStore.observation);
  }

  // ---- aggregates --------------------------------------------------------------------------------
  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const g = grainSeconds(q.grain);
    const by = [...new Set(q.by ?? [])].map((b) => {
      const col = (BY_COLUMNS as Record<string, string>)[b];
      if (!col) throw new VigilError('BAD_INPUT', `by: unknown column ${JSON.stringify(b)} (use cc, asn, target, test_name)`);
      return col;
    });
    const keys = ['bin', ...by].join(', ');
    // One flat GROUP BY: over a Distributed table each shard aggregates its own rows and the
    // initiator merges partial states (uniqExact merges exactly).
    const rows = await this.query(
      `SELECT ${binExpr(g)} AS bin${by.map((b) => `, ${b}`).join('')},
         countIf(status = 'ok') AS ok, countIf(status = 'anomaly') AS anomaly,
         countIf(status = 'confirmed') AS confirmed, countIf(status = 'failure') AS failure,
         count() AS total, uniqExact(probe_id) AS probes
       FROM ${this.t('observations')} FINAL ${this.filters(q)}
       GROUP BY ${keys} ORDER BY ${keys}`);
    return rows.map((r) => {
      const o: Record<string, unknown> = { t: num(r.bin) };
      for (const b of by) o[b] = b === 'asn' ? num(r[b]) : String(r[b]);
      for (const k of ['ok', 'anomaly', 'confirmed', 'failure', 'total', 'probes']) o[k] = num(r[k]);
      return o as unknown as AggregateRow;
    });
  }

  async series(q: { cc?: string; asn?: number; since?: number; until?: number; binSeconds: number; test_name?: string }): Promise<SeriesRow[]> {
    const g = grainSeconds(q.binSeconds);
    const where = this.filters(q);
    const from = `${this.t('observations')} FINAL ${where}`;
    const key = 'cc, asn, target, bin';
    const and = (extra: string) => `${from} ${where ? 'AND' : 'WHERE'} ${extra}`;
    const [base, layers, failures] = await Promise.all([
      this.query(
        `SELECT cc, asn, target, ${binExpr(g)} AS bin, max(network) AS network,
           countIf(status = 'ok') AS ok, countIf(status = 'anomaly') AS anomaly,
           countIf(status = 'confirmed') AS confirmed, countIf(status = 'failure') AS failure,
           count() AS total, uniqExact(probe_id) AS probes,
           uniqExactIf(probe_id, status = 'ok') AS ok_probes, uniqExactIf(probe_id, ${NON_OK}) AS bad_probes,
           sumIf(value, isNotNull(value)) AS vsum, countIf(isNotNull(value)) AS vn
         FROM ${from} GROUP BY ${key} ORDER BY ${key}`),
      // top layer / failure: the most frequent among non-ok observations, ties to the smallest
      // value (the DuckDB engine's rule), via ORDER BY … LIMIT 1 BY (no argMax tie ambiguity).
      this.query(
        `SELECT ${key}, top FROM (SELECT cc, asn, target, ${binExpr(g)} AS bin, assumeNotNull(layer) AS top, count() AS n
           FROM ${and(`${NON_OK} AND isNotNull(layer)`)} GROUP BY cc, asn, target, bin, top)
         ORDER BY ${key}, n DESC, top ASC LIMIT 1 BY ${key}`),
      this.query(
        `SELECT ${key}, top FROM (SELECT cc, asn, target, ${binExpr(g)} AS bin, assumeNotNull(failure) AS top, count() AS n
           FROM ${and(`${NON_OK} AND isNotNull(failure)`)} GROUP BY cc, asn, target, bin, top)
         ORDER BY ${key}, n DESC, top ASC LIMIT 1 BY ${key}`),
    ]);
    const k = (r: Row) => `${r.cc}\u0000${r.asn}\u0000${r.target}\u0000${r.bin}`;
    const topLayer = new Map(layers.map((r) => [k(r), String(r.top)]));
    const topFailure = new Map(failures.map((r) => [k(r), String(r.top)]));
    return base.map((r) => ({
      t: num(r.bin), cc: String(r.cc), asn: num(r.asn), target: String(r.target), network: String(r.network),
      ok: num(r.ok), anomaly: num(r.anomaly), confirmed: num(r.confirmed), failure: num(r.failure),
      total: num(r.total), probes: num(r.probes), ok_probes: num(r.ok_probes), bad_probes: num(r.bad_probes),
      value: num(r.vn) > 0 ? num(r.vsum) / num(r.vn) : null,
      top_layer: topLayer.get(k(r)) ?? null,
      top_failure: topFailure.get(k(r)) ?? null,
    }));
  }

  async sampleUids(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; limit: number; statuses?: Status[] }): Promise<string[]> {
    const statuses = q.statuses ?? ['anomaly', 'confirmed'];
    if (statuses.length === 0) return [];
    const w = [`cc = ${quoteString(String(q.cc), 'cc')}`, `t >= ${quoteInt(q.since, 'since')}`, `t < ${quoteInt(q.until, 'until')}`];
    if (q.asns.length) w.push(`asn IN ${quoteList(q.asns.map((a) => ceilInt(a, 'asn')), 'asn')}`);
    if (q.targets.length) w.push(`target IN ${quoteList(q.targets.map(String), 'target')}`);
    w.push(`status IN ${quoteList(statuses.map(String), 'status')}`);
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit)));
    const rows = await this.query(
      `SELECT uid, min(t) AS first FROM ${this.t('observations')} FINAL WHERE ${w.join(' AND ')}
       GROUP BY uid ORDER BY first, uid LIMIT ${limit}`);
    return rows.map((r) => String(r.uid));
  }

  async countProbes(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; statuses?: Status[] }): Promise<number> {
    const statuses = q.statuses ?? ['anomaly', 'confirmed'];
    if (statuses.length === 0) return 0;
    const w = [`cc = ${quoteString(String(q.cc), 'cc')}`, `t >= ${quoteInt(q.since, 'since')}`, `t < ${quoteInt(q.until, 'until')}`];
    if (q.asns.length) w.push(`asn IN ${quoteList(q.asns.map((a) => ceilInt(a, 'asn')), 'asn')}`);
    if (q.targets.length) w.push(`target IN ${quoteList(q.targets.map(String), 'target')}`);
    w.push(`status IN ${quoteList(statuses.map(String), 'status')}`);
    const rows = await this.query(`SELECT uniqExact(probe_id) AS n FROM ${this.t('observations')} FINAL WHERE ${w.join(' AND ')}`);
    return Number(rows[0]?.n ?? 0);
  }

  // ---- incidents ---------------------------------------------------------------------------------
  async upsertIncidents(rows: Incident[]): Promise<void> {
    if (rows.length === 0) return;
    const byId = new Map<string, Incident>();
    for (const r of rows) byId.set(String(r.id), r);   // the last of an id in a batch wins
    const values = [...byId.values()].map((r) => {
      const start = isoToSeconds(r.start, 'start') as number;
      const end = isoToSeconds(r.end, 'end');
      return {
        id: String(r.id), version: this.nextVersion(), deleted: 0, kind: String(r.kind), cc: String(r.cc),
        status: String(r.status), start_t: start, end_t: end ?? 0, has_end: end === null ? 0 : 1,
        asns: (r.asns ?? []).map((a) => ceilInt(Number(a), 'incident asn')), doc: JSON.stringify(r),
      };
    });
    await this.write(() => this.insert('incidents', values));
  }

  async deleteIncidents(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // A tombstone version: the newest row of an id decides; merges keep only that one.
    const values = [...new Set(ids.map(String))].map((id) => ({
      id, version: this.nextVersion(), deleted: 1, kind: '', cc: '', status: '', start_t: 0, end_t: 0, has_end: 0, asns: [], doc: '',
    }));
    await this.write(() => this.insert('incidents', values));
  }

  /** The current version of every incident (argMax by version), tombstones dropped. */
  private currentIncidents(idFilter = ''): string {
    return `SELECT id, argMax(doc, version) AS doc_, argMax(deleted, version) AS del_, argMax(kind, version) AS kind_,
        argMax(cc, version) AS cc_, argMax(status, version) AS status_, argMax(start_t, version) AS start_,
        argMax(end_t, version) AS end_, argMax(has_end, version) AS has_end_, argMax(asns, version) AS asns_
      FROM ${this.t('incidents')} ${idFilter} GROUP BY id`;
  }

  async incidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const w = ['del_ = 0'];
    if (q.cc !== undefined) w.push(`cc_ = ${quoteString(String(q.cc), 'cc')}`);
    if (q.kind !== undefined) w.push(`kind_ = ${quoteString(String(q.kind), 'kind')}`);
    if (q.status !== undefined) w.push(`status_ = ${quoteString(String(q.status), 'status')}`);
    if (q.asn !== undefined) w.push(`has(asns_, ${quoteInt(q.asn, 'asn')})`);
    // overlap with [since, until): an ongoing incident (no end) reaches into the future
    if (q.since !== undefined) w.push(`(has_end_ = 0 OR end_ > ${quoteInt(q.since, 'since')})`);
    if (q.until !== undefined) w.push(`start_ < ${quoteInt(q.until, 'until')}`);
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 1000)));
    const rows = await this.query(
      `SELECT doc_ FROM (${this.currentIncidents()}) WHERE ${w.join(' AND ')} ORDER BY start_ DESC, id ASC LIMIT ${limit}`);
    return rows.map((r) => JSON.parse(String(r.doc_)) as Incident);
  }

  async incident(id: string): Promise<Incident | null> {
    const rows = await this.query(
      `SELECT doc_ FROM (${this.currentIncidents(`WHERE id = ${quoteString(String(id), 'id')}`)}) WHERE del_ = 0`);
    return rows.length ? (JSON.parse(String(rows[0].doc_)) as Incident) : null;
  }

  // ---- BGP visibility ----------------------------------------------------------------------------
  async insertBgpVisibility(rows: BgpVisibilityRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    // first of a (t, asn) wins, and a stored one is kept
    const unique: Row[] = firstByKey(rows, (r) => `${ceilInt(r.t, 'bgp t')}/${ceilInt(r.asn, 'bgp asn')}`)
      .map((r) => ({ t: ceilInt(r.t, 'bgp t'), asn: ceilInt(r.asn, 'bgp asn'), cc: String(r.cc ?? ''), slash24: ceilInt(r.slash24, 'bgp slash24'), peers: ceilInt(r.peers, 'bgp peers') }));
    return this.write(async () => {
      const existing = new Set<string>();
      for (const part of chunks(unique, CHECK_CHUNK)) {
        const asns = [...new Set(part.map((r) => r.asn as number))];
        const ts = [...new Set(part.map((r) => r.t as number))];
        // asn IN … AND t IN … is a superset of the pairs; the exact pairs are picked here.
        const found = await this.query(`SELECT t, asn FROM ${this.t('bgp_visibility')} WHERE asn IN ${quoteList(asns)} AND t IN ${quoteList(ts)}`);
        for (const f of found) existing.add(`${num(f.t)}/${num(f.asn)}`);
      }
      const fresh = unique.filter((r) => !existing.has(`${r.t}/${r.asn}`));
      await this.insert('bgp_visibility', fresh);
      return fresh.length;
    });
  }

  async bgpVisibility(q: { asn?: number; cc?: string; since?: number; until?: number }): Promise<BgpVisibilityRow[]> {
    const rows = await this.query(
      `SELECT t, asn, cc, slash24, peers FROM ${this.t('bgp_visibility')} FINAL ${this.filters(q)} ORDER BY asn, t`);
    return rows.map((r) => ({ t: num(r.t), asn: num(r.asn), cc: String(r.cc), slash24: num(r.slash24), peers: num(r.peers) }));
  }

  // ---- state and stats ---------------------------------------------------------------------------
  async getState(key: string): Promise<string | null> {
    const rows = await this.query(`SELECT argMax(v, version) AS v FROM ${this.t('state')} WHERE k = ${quoteString(String(key), 'key')} GROUP BY k`);
    return rows.length ? String(rows[0].v) : null;
  }

  async setState(key: string, value: string): Promise<void> {
    const row = { k: String(key), v: String(value), version: this.nextVersion() };
    await this.write(() => this.insert('state', [row]));
  }

  async stats(): Promise<{ measurements: number; observations: number; incidents: number; minT: number | null; maxT: number | null }> {
    const [m, o, i] = await Promise.all([
      this.query(`SELECT count() AS n, min(t) AS lo, max(t) AS hi FROM ${this.t('measurements')} FINAL`),
      this.query(`SELECT count() AS n FROM ${this.t('observations')} FINAL`),
      this.query(`SELECT count() AS n FROM (SELECT argMax(deleted, version) AS del_ FROM ${this.t('incidents')} GROUP BY id) WHERE del_ = 0`),
    ]);
    const n = num(m[0]?.n ?? 0);
    return {
      measurements: n,
      observations: num(o[0]?.n ?? 0),
      incidents: num(i[0]?.n ?? 0),
      // min/max of no rows is 0 in ClickHouse, not NULL
      minT: n > 0 ? num(m[0].lo) : null,
      maxT: n > 0 ? num(m[0].hi) : null,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeLane.run(async () => undefined);
    this.closed = true;
    await this.client.close();
  }
}

/**
 * Creates the database and tables (idempotent) and checks the schema version. The version is
 * kept in this node's own state table: the schema is per node, and in a cluster the other
 * nodes may not have their tables yet while they are being set up one by one.
 */
export async function migrateClickHouse(store: ClickHouseStore): Promise<void> {
  for (const stmt of ddl(store.layout)) await store.command(stmt);
  const local = localName(store.layout, 'state');
  const rows = await store.query(`SELECT argMax(v, version) AS v FROM ${local} WHERE k = 'schema_version' GROUP BY k`);
  const v = rows.length ? String(rows[0].v) : null;
  if (v !== null && Number(v) > SCHEMA_VERSION) {
    throw new VigilError('STORE', `ClickHouse database ${store.layout.db}: schema version ${v} is newer than this Vigil understands (${SCHEMA_VERSION}); upgrade Vigil`);
  }
  if (v === null) await store.command(`INSERT INTO ${local} (k, v, version) VALUES ('schema_version', '${SCHEMA_VERSION}', 1)`);
}

export async function openClickHouseStore(url: string, opts: ClickHouseOptions = {}): Promise<Store & ClickHouseStore> {
  const target = parseClickHouseUrl(url, opts);
  const where = target.httpUrl.replace(/^https?:\/\//, '');
  const client = createClient({
    url: target.httpUrl,
    username: target.username,
    password: target.password,
    request_timeout: 600_000,
    max_open_connections: 16,
    // Errors become VigilError with one line; the client's own logging would print stack traces.
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    const ping = await client.ping();
    if (!ping.success) throw new VigilError('STORE', `cannot reach ClickHouse at ${where}: ${String((ping as { error?: Error }).error?.message ?? 'no answer')}`);
    const store = new ClickHouseStore(client, { db: target.db, cluster: target.cluster, onCluster: target.onCluster }, where);
    await migrateClickHouse(store);
    return store;
  } catch (e) {
    await client.close().catch(() => undefined);
    if (e instanceof VigilError) throw e;
    throw new VigilError('STORE', `cannot open ClickHouse at ${where}: ${String((e as Error).message).split('\n')[0]}`, { cause: e });
  }
}

