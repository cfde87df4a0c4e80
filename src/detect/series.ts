// Bin observations into per-(cc, asn, target, bin) counts: exactly what Store.series computes in
// SQL (see src/store/duckdb/duckdb-store.ts), so pure code, tests and the scenario scorer can run
// detection without a store, and the store tests have a reference to compare with.
import type { Observation } from '../model/observation.js';
import type { SeriesRow } from '../store/store.js';

/** Bin start for t: floor to a multiple of binSeconds (also for negative t). */
export function binOf(t: number, binSeconds: number): number {
  return t - (((t % binSeconds) + binSeconds) % binSeconds);
}

interface Acc {
  row: SeriesRow;
  probes: Set<string>;
  okProbes: Set<string>;
  badProbes: Set<string>;
  valueSum: number;
  valueN: number;
  layers: Map<string, number>;
  failures: Map<string, number>;
}

/** Most frequent key; ties go to the smallest key (the engines' rule). */
function top(m: Map<string, number>): string | null {
  let best: string | null = null;
  let bestN = -1;
  for (const [k, n] of m) {
    if (n > bestN || (n === bestN && best !== null && k < best)) {
      best = k;
      bestN = n;
    }
  }
  return best;
}

export function binObservations(obs: Observation[], binSeconds: number): SeriesRow[] {
  if (!(binSeconds > 0) || !Number.isInteger(binSeconds)) throw new RangeError(`binSeconds must be a positive integer (got ${binSeconds})`);
  const b = new IncrementalBinner(binSeconds);
  for (const o of obs) b.add(o);
  const out = b.rows();
  // ORDER BY cc, asn, target, bin
  out.sort((x, y) => (x.cc < y.cc ? -1 : x.cc > y.cc ? 1 : x.asn - y.asn || (x.target < y.target ? -1 : x.target > y.target ? 1 : x.t - y.t)));
  return out;
}

/**
 * The same binning, fed one observation at a time (a streaming replay adds observations as they
 * arrive and asks for the rows at each step without re-binning everything).
 */
export class IncrementalBinner {
  private accs = new Map<string, Acc>();
  constructor(private readonly binSeconds: number) {}

  add(o: Observation): void {
    const t = binOf(o.t, this.binSeconds);
    const key = `${o.cc}|${o.asn}|${o.target}|${t}`;
    let a = this.accs.get(key);
    if (!a) {
      a = {
        row: {
          t, cc: o.cc, asn: o.asn, target: o.target, network: o.network,
          ok: 0, anomaly: 0, confirmed: 0, failure: 0, total: 0, probes: 0, ok_probes: 0, bad_probes: 0,
          value: null, top_layer: null, top_failure: null,
        },
        probes: new Set(), okProbes: new Set(), badProbes: new Set(), valueSum: 0, valueN: 0, layers: new Map(), failures: new Map(),
      };
      this.accs.set(key, a);
    }
    const r = a.row;
    if (o.network > r.network) r.network = o.network;
    r[o.status] += 1;
    r.total += 1;
    a.probes.add(o.probe_id);
    if (o.status === 'ok') a.okProbes.add(o.probe_id);
    if (o.status === 'anomaly' || o.status === 'confirmed') {
      a.badProbes.add(o.probe_id);
      if (o.layer !== null) a.layers.set(o.layer, (a.layers.get(o.layer) ?? 0) + 1);
      if (o.failure !== null) a.failures.set(o.failure, (a.failures.get(o.failure) ?? 0) + 1);
    }
    if (o.value !== null && Number.isFinite(o.value)) {
      a.valueSum += o.value;
      a.valueN += 1;
    }
  }

  /** Rows with bin start in [since, until), optionally for some networks only. */
  rows(since = -Infinity, until = Infinity, asns?: number[]): SeriesRow[] {
    const out: SeriesRow[] = [];
    for (const a of this.accs.values()) {
      const r = a.row;
      if (r.t < since || r.t >= until || (asns && !asns.includes(r.asn))) continue;
      out.push({
        ...r, probes: a.probes.size, ok_probes: a.okProbes.size, bad_probes: a.badProbes.size,
        value: a.valueN > 0 ? a.valueSum / a.valueN : null, top_layer: top(a.layers), top_failure: top(a.failures),
      });
    }
    return out;
  }
}
