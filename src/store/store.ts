// The Store interface (DESIGN.md §5): one contract, two engines (DuckDB default, ClickHouse for
// scale-out). Every engine passes the shared suite in src/store/shared-suite.ts.
// Aggregates are computed by the engine's SQL, never by loading raw rows into Node.
import type { Envelope } from '../model/measurement.js';
import type { Observation, Status } from '../model/observation.js';
import type { Incident } from '../model/incident.js';

/** A measurement as stored: its uid, indexed columns, and the raw JSON kept whole. */
export interface StoredMeasurement {
  uid: string;
  t: number;               // Unix seconds of measurement_start_time
  cc: string;
  asn: number;
  network: string;
  probe_id: string;
  test_name: string;
  input: string | null;
  raw: Envelope;           // the whole measurement as received (probe_ip already scrubbed)
}

export interface MeasurementSummary {
  uid: string;
  t: number;
  cc: string;
  asn: number;
  network: string;
  probe_id: string;
  test_name: string;
  input: string | null;
}

export interface MeasurementQuery {
  cc?: string;
  asn?: number;
  test_name?: string;
  /** observation target: restricts to measurements with an observation of that target */
  target?: string;
  since?: number;          // Unix seconds, inclusive
  until?: number;          // Unix seconds, exclusive
  limit?: number;          // default 100, max 10000
  offset?: number;
  order?: 'asc' | 'desc';  // by t; default desc
}

export const GRAINS = { '5m': 300, '10m': 600, '1h': 3600, '1d': 86400 } as const;
export type Grain = keyof typeof GRAINS;

/** Bin width in seconds of a named grain or a number of seconds (1 s … 366 d); throws on anything else. */
export function grainSeconds(g: Grain | number): number {
  const s = typeof g === 'number' ? g : (GRAINS as Record<string, number>)[g];
  if (typeof s !== 'number' || !Number.isInteger(s) || s <= 0 || s > 366 * 86400) {
    throw new RangeError(`grain: expected one of ${Object.keys(GRAINS).join(', ')} or 1..31622400 seconds`);
  }
  return s;
}

export interface AggregateQuery {
  cc?: string;
  asn?: number;
  target?: string;
  test_name?: string;
  since?: number;
  until?: number;
  grain: Grain | number;   // bin width: a named grain or seconds
  /** split rows by these columns as well as by time (default: time only) */
  by?: Array<'cc' | 'asn' | 'target' | 'test_name'>;
}

export interface AggregateRow {
  t: number;               // bin start, Unix seconds
  cc?: string;
  asn?: number;
  target?: string;
  test_name?: string;
  ok: number;
  anomaly: number;
  confirmed: number;
  failure: number;
  total: number;
  probes: number;          // distinct probe_id in the bin
}

/** Per-bin counts for detection, one row per (cc, asn, target, bin) — see src/detect. */
export interface SeriesRow extends Required<Pick<AggregateRow, 't' | 'cc' | 'asn' | 'target' | 'ok' | 'anomaly' | 'confirmed' | 'failure' | 'total' | 'probes'>> {
  network: string;
  /** distinct probes that saw ok / not-ok in the bin */
  ok_probes: number;
  bad_probes: number;
  /** mean of observation.value (throughput ratio) over the bin, null if none */
  value: number | null;
  /** the most frequent layer and failure string among non-ok observations */
  top_layer: string | null;
  top_failure: string | null;
}

export interface IncidentQuery {
  cc?: string;
  asn?: number;
  status?: 'ongoing' | 'resolved';
  kind?: string;
  since?: number;          // incidents overlapping [since, until)
  until?: number;
  limit?: number;
}

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

export interface BgpVisibilityRow {
  t: number;               // bin start
  asn: number;
  cc: string;              // '' when unknown
  slash24: number;         // /24 blocks seen by at least half of the full-feed peers
  peers: number;           // full-feed peers in the bin
}

export interface Store {
  readonly engine: 'duckdb' | 'clickhouse';
  /** Stores measurements; a uid already present counts as a duplicate and changes nothing.
   *  Within one batch the first occurrence of a uid is kept, later ones count as duplicates.
   *  All-or-nothing per batch. */
  insertMeasurements(rows: StoredMeasurement[]): Promise<InsertResult>;
  /** Stores observations; (uid, target) pairs already present are skipped. */
  insertObservations(rows: Observation[]): Promise<number>;
  measurement(uid: string): Promise<Envelope | null>;
  /** The uids among these that are already stored. */
  existingUids(uids: string[]): Promise<Set<string>>;
  /** Ordered by (t, uid) in `order`'s direction. */
  measurements(q: MeasurementQuery): Promise<MeasurementSummary[]>;
  countMeasurements(q?: Omit<MeasurementQuery, 'limit' | 'offset' | 'order'>): Promise<number>;
  observationsOf(uid: string): Promise<Observation[]>;
  /** Rows ordered by bin, then the `by` columns in the order given. Bins are aligned to the Unix epoch (UTC). */
  aggregate(q: AggregateQuery): Promise<AggregateRow[]>;
  /** Bin counts per (cc, asn, target) for detection, computed in SQL; ordered by cc, asn, target, t.
   *  "not-ok" (bad_probes, top_layer, top_failure) means anomaly or confirmed: `failure` is an
   *  unusable measurement, not evidence. top_* ties go to the smallest value; network is max(network). */
  series(q: { cc?: string; asn?: number; since?: number; until?: number; binSeconds: number; test_name?: string }): Promise<SeriesRow[]>;
  /** Up to `limit` uids of non-ok observations matching, for evidence: distinct, earliest first (then by uid).
   *  statuses defaults to anomaly + confirmed; an empty asns or targets list means any. */
  sampleUids(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; limit: number; statuses?: Status[] }): Promise<string[]>;
  /** Distinct probes with observations matching (same filters as sampleUids; default statuses
   *  anomaly and confirmed), for an incident's evidence. */
  countProbes(q: { cc: string; asns: number[]; targets: string[]; since: number; until: number; statuses?: Status[] }): Promise<number>;
  upsertIncidents(rows: Incident[]): Promise<void>;
  deleteIncidents(ids: string[]): Promise<void>;
  /** Newest start first (then id); default limit 1000. since/until select incidents overlapping
   *  [since, until); an ongoing one (end null) reaches into the future. */
  incidents(q?: IncidentQuery): Promise<Incident[]>;
  incident(id: string): Promise<Incident | null>;
  /** Returns rows inserted; a (t, asn) already present (or repeated in the batch) is skipped. */
  insertBgpVisibility(rows: BgpVisibilityRow[]): Promise<number>;
  /** Ordered by asn, t. */
  bgpVisibility(q: { asn?: number; cc?: string; since?: number; until?: number }): Promise<BgpVisibilityRow[]>;
  /** Small key/value state (detection watermarks, schema version). */
  getState(key: string): Promise<string | null>;
  setState(key: string, value: string): Promise<void>;
  /** The greatest t among stored measurements and the latest insertion sequence, for incremental work. */
  stats(): Promise<{ measurements: number; observations: number; incidents: number; minT: number | null; maxT: number | null }>;
  close(): Promise<void>;
}
