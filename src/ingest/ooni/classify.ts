// What a parsed JSON value from an OONI source is: measurements to import (unwrapping the API's
// measurement_meta responses), or a known non-measurement to skip with the reason. Legacy records
// are normalized here, in the importer, so `ingest` keeps one strict envelope contract.
import { obj, type Obj } from '../../analyze/util.js';

export type Classified =
  | { kind: 'measurements'; items: unknown[] }
  | { kind: 'skip'; reason: string }
  | { kind: 'reject'; reason: string };

const has = (o: Obj, ...keys: string[]) => keys.every((k) => k in o);

/** Old ooniprobe (1.x, 2015-2016) wrote test_start_time but no measurement_start_time: the test's
 *  start is the closest time there is. */
export function normalizeLegacy(m: unknown): unknown {
  const o = obj(m);
  if (!o) return m;
  if (!('measurement_start_time' in o) && typeof o.test_start_time === 'string') return { ...o, measurement_start_time: o.test_start_time };
  return m;
}

function classifyObject(o: Obj): Classified {
  if ('raw_measurement' in o) {
    // GET /api/v1/measurement_meta?full=true: the measurement as a JSON string
    const raw = o.raw_measurement;
    if (typeof raw === 'string') {
      try {
        return { kind: 'measurements', items: [normalizeLegacy(JSON.parse(raw))] };
      } catch (e) {
        return { kind: 'reject', reason: `raw_measurement is not valid JSON: ${(e as Error).message}` };
      }
    }
    if (obj(raw)) return { kind: 'measurements', items: [normalizeLegacy(raw)] };
    return { kind: 'skip', reason: 'OONI API measurement_meta response without raw_measurement (request it with full=true)' };
  }
  if ('test_keys' in o) return { kind: 'measurements', items: [normalizeLegacy(o)] };
  if (Array.isArray(o.measurements)) return { kind: 'measurements', items: o.measurements.map(normalizeLegacy) };
  if (Array.isArray(o.results) && 'metadata' in o) return { kind: 'skip', reason: 'OONI API measurement list: metadata and OONI scores only, no test_keys (fetch each measurement_meta?full=true)' };
  if ('result' in o && ('dimension_count' in o || 'db_stats' in o)) return { kind: 'skip', reason: 'OONI API aggregation response: counts, not measurements' };
  if ('ControlExpectations' in o || 'DNSLookupSuccess' in o) return { kind: 'skip', reason: 'OONI minipipeline analysis output, not a measurement' };
  if (has(o, 'measurement_uid', 'scores') && ('anomaly' in o || 'confirmed' in o)) {
    return { kind: 'skip', reason: 'OONI fastpath table row: OONI scores without test_keys; Vigil recomputes verdicts from raw test_keys, so it cannot use them' };
  }
  if (has(o, 'scores', 'anomaly') || has(o, 'tid', 'scores')) return { kind: 'skip', reason: 'OONI measurement metadata row without test_keys' };
  if (!('data_format_version' in o) && !('report_id' in o) && ('queries' in o || 'requests' in o || 'tcp_connect' in o || 'control' in o)) {
    return { kind: 'skip', reason: 'test_keys only, without the measurement envelope (no probe_cc, probe_asn, time)' };
  }
  return { kind: 'measurements', items: [o] };
}

export function classify(v: unknown): Classified {
  if (Array.isArray(v)) {
    const first = obj(v[0]);
    if (first && has(first, 'pattern', 'pattern_type', 'location_found')) return { kind: 'skip', reason: 'OONI blockpage fingerprint list (reference data: Vigil ships its own copy in src/analyze/data)' };
    if (first && !('test_keys' in first) && !('raw_measurement' in first) && ('scores' in first || 'anomaly' in first)) {
      return { kind: 'skip', reason: 'OONI measurement metadata rows (scores, anomaly flags) without test_keys' };
    }
    // an array of measurements; elements that are not measurements are rejected one by one
    const items: unknown[] = [];
    for (const e of v) {
      const c = obj(e) ? classifyObject(e as Obj) : null;
      if (c && c.kind === 'measurements') items.push(...c.items);
      else items.push(e);
    }
    return { kind: 'measurements', items };
  }
  const o = obj(v);
  if (!o) return { kind: 'reject', reason: `/: expected a measurement object, got ${v === null ? 'null' : typeof v}` };
  return classifyObject(o);
}
