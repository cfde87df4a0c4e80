// The one ingest path (DESIGN.md §1): validate → convert → analyze → store. The collector's
// POST /api/v1/measurements and `vigil import ooni` both call `ingest`. Idempotent on uid: a
// measurement already stored counts as a duplicate and changes nothing. A bad item is rejected
// with a one-line reason and never stops the batch.
import type { Store, StoredMeasurement } from '../store/store.js';
import type { Observation } from '../model/observation.js';
import type { Envelope } from '../model/measurement.js';
import { Envelope as EnvelopeSchema } from '../model/measurement.js';
import { validate, validateMeasurement } from '../model/validate.js';
import { parseOoniTime } from '../model/time.js';
import { analyzeMeasurement, measurementColumns, toStoredMeasurement } from '../analyze/index.js';
import type { MeasurementColumns } from '../analyze/analyze.js';

export interface IngestOptions {
  /** 'strict' (default): test_keys of Vigil's tests must match their schema (the collector).
   *  'lenient': only the envelope is checked (OONI's archive holds ten years of test_keys shapes;
   *  the analyzers read test_keys defensively). */
  testKeys?: 'strict' | 'lenient';
  /** clock (ms) for the future-time check, and the skew allowed (default 1 day): see `sanity` */
  now?: number;
  maxFutureMs?: number;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; error: string }>;
}

/** Path of the first own `__proto__` key, or null. JSON.parse makes such a key an ordinary own
 *  property, but any later spread or merge would turn it into a prototype: refuse it outright. */
export function protoKeyPath(v: unknown, path = ''): string | null {
  const stack: Array<[unknown, string]> = [[v, path]];
  let budget = 1_000_000;
  while (stack.length > 0 && budget-- > 0) {
    const [x, p] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) if (x[i] !== null && typeof x[i] === 'object') stack.push([x[i], `${p}/${i}`]);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(x, '__proto__')) return `${p}/__proto__`;
    for (const k in x) {
      const c = (x as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') stack.push([c, `${p}/${k}`]);
    }
  }
  return null;
}

/** Oldest measurement time accepted (OONI's archive starts in 2012). */
const MIN_TIME = Date.UTC(2000, 0, 1);
/** A source group pseudonym set by the collector (src/collect/auth/source-groups.ts). */
const SOURCE_GROUP = /^sg_[0-9a-f]{16}$/;

/**
 * What a schema cannot say (issue 9 §1), for every ingest path (collector and importer alike):
 * times before 2000-01-01 or more than `maxFutureMs` ahead of `now`, AS numbers beyond 32 bits,
 * negative or absurd runtimes. A string is the rejection reason.
 */
export function sanity(m: Envelope, now: number, maxFutureMs: number): string | null {
  for (const k of ['measurement_start_time', 'test_start_time'] as const) {
    const v = m[k];
    if (typeof v !== 'string') continue;
    const t = parseOoniTime(v);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== `${v.slice(0, 10)}T${v.slice(11, 19)}`) return `/${k}: not a valid date: ${v.slice(0, 40)}`;
    if (t < MIN_TIME) return `/${k}: before 2000-01-01: ${v.slice(0, 40)}`;
    if (t > now + maxFutureMs) return `/${k}: in the future: ${v.slice(0, 40)}`;
  }
  for (const k of ['probe_asn', 'resolver_asn'] as const) {
    const a = m[k];
    if (typeof a === 'string' && /^AS\d+$/.test(a) && Number(a.slice(2)) > 4294967295) return `/${k}: beyond 32 bits: ${a.slice(0, 40)}`;
  }
  const rt = m.test_runtime;
  if (typeof rt === 'number' && (!(rt >= 0) || rt > 86400)) return `/test_runtime: expected 0..86400 seconds, got ${rt}`;
  return null;
}

/** Deepest nesting is capped (the collector's body parser uses the same limit): the store
 *  serializes `raw` recursively, and a 200,000-deep array inside test_keys overflowed the stack
 *  there and failed the whole batch of `vigil import ooni`. */
export const MAX_DEPTH = 64;

/** True when a parsed value nests objects/arrays deeper than `limit` (iterative: no recursion). */
export function deeperThan(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  let budget = 2_000_000;
  while (stack.length > 0) {
    if (budget-- <= 0) return true;
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d + 1 > limit) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

/** Checks and converts one item; a string is the rejection reason. */
export function prepare(item: unknown, opts: IngestOptions = {}): { stored: StoredMeasurement; observations: Observation[] } | string {
  const proto = protoKeyPath(item);
  if (proto) return `${proto}: key "__proto__" is not allowed`;
  if (deeperThan(item, MAX_DEPTH)) return `/: nested deeper than ${MAX_DEPTH} levels`;
  const v = opts.testKeys === 'lenient'
    ? (item === null || typeof item !== 'object' || Array.isArray(item)
      ? { ok: false as const, error: `/: expected a JSON object, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}` }
      : validate(EnvelopeSchema, item))
    : validateMeasurement(item);
  if (!v.ok) return v.error;
  const m = v.value as Envelope;
  if (Number.isNaN(parseOoniTime(m.measurement_start_time))) return `/measurement_start_time: not a valid date: ${m.measurement_start_time}`;
  const insane = sanity(m, opts.now ?? Date.now(), opts.maxFutureMs ?? 86_400_000);
  if (insane) return insane;
  try {
    const cols = measurementColumns(m);
    return { stored: toStoredMeasurement(m, cols), observations: observationsOf(m, cols) };
  } catch (e) {
    // analysis is written never to throw on shape; if it does, the item is rejected, not the batch
    return `analysis failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** A measurement's observations, as detection counts them. */
function observationsOf(m: Envelope, cols?: MeasurementColumns): Observation[] {
  const observations = analyzeMeasurement(m, cols);
  // Source diversity (docs/reliability.md "Poisoning"): a measurement the collector tagged with
  // the pseudonym of its source network counts, for detection's probe agreement, as that source,
  // so many probe ids claimed from one network weigh as one probe.
  const group = m.annotations?.vigil_source_group;
  if (typeof group === 'string' && SOURCE_GROUP.test(group)) for (const o of observations) o.probe_id = group;
  return observations;
}

export async function ingest(store: Store, items: unknown[], opts: IngestOptions = {}): Promise<IngestResult> {
  const rejected: IngestResult['rejected'] = [];
  const rows: StoredMeasurement[] = [];
  const byUid = new Map<string, Observation[]>();
  const seen = new Set<string>();
  let batchDuplicates = 0;
  for (let i = 0; i < items.length; i++) {
    const p = prepare(items[i], opts);
    if (typeof p === 'string') {
      rejected.push({ index: i, error: p });
      continue;
    }
    if (seen.has(p.stored.uid)) {
      batchDuplicates++;
      continue;
    }
    seen.add(p.stored.uid);
    rows.push(p.stored);
    byUid.set(p.stored.uid, p.observations);
  }
  // A re-sent uid must not bring observations of its own: anyone can re-send a stored uid with
  // other contents. Its observations come from the measurement as first stored (which also
  // completes one whose observations a crash cut off, below).
  const existing = rows.length > 0 ? await store.existingUids(rows.map((r) => r.uid)) : new Set<string>();
  const observations: Observation[] = [];
  for (const r of rows) {
    if (!existing.has(r.uid)) { observations.push(...byUid.get(r.uid)!); continue; }
    const stored = await store.measurement(r.uid);
    if (stored) {
      try { observations.push(...observationsOf(stored)); } catch {}
    }
  }
  // Measurements first, then observations (issue 9 §2): if the process dies between the two
  // writes, what is left is a stored measurement without its observations — invisible to
  // aggregates and detection, and completed when the client re-sends (it had no answer): a
  // duplicate measurement still has its observations inserted, (uid, target) pairs already there
  // skipped. The other order left observations without a measurement, counted by detection with
  // no evidence behind them (and a failed measurement write, e.g. one too deep to serialize,
  // left them for good). So an observation never exists without its measurement.
  const r = rows.length > 0 ? await store.insertMeasurements(rows) : { inserted: 0, duplicates: 0 };
  if (observations.length > 0) await store.insertObservations(observations);
  return { accepted: r.inserted, duplicates: r.duplicates + batchDuplicates, rejected };
}
