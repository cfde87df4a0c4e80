// Three baseline detectors scored beside Vigil's on the same scenarios (docs/evaluation.md):
//  - fastpath: OONI-fastpath/Explorer style, the anomaly ratio of each (network, target) per hour,
//    flagged at >= 0.5 with at least 3 usable measurements, once the hour is complete;
//  - ioda:     IODA style, the 10-minute count of a signal (a network's measurements; a target's ok
//    measurements) against its moving median over the previous 24 h, "critical" below 0.5;
//  - cusum:    the two-sided CUSUM of ooni/data (oonipipeline/analysis/detector.py): hourly blocked
//    share, mu_0 = 0, mu_1 = 0.7, edd = 10 (h = edd·v/2 = 3.5), changepoints where S crosses h.
// Each returns incidents in the §4 shape (only the fields the scorer reads are meaningful).
import type { Incident, IncidentKind } from '../../model/incident.js';
import type { SeriesRow } from '../../store/store.js';
import { isoSeconds } from '../../model/time.js';
import { binOf } from '../series.js';
import { median } from '../stats.js';

export type Detector = (rows: SeriesRow[], now: number) => Incident[];

function incident(kind: IncidentKind, cc: string, asn: number, targets: string[], start: number, end: number | null): Incident {
  return {
    id: `${kind}-${cc}-${asn}-${targets.join(',')}-${start}`, kind, cc, asns: [asn], networks: [''], targets,
    start: isoSeconds(start * 1000), end: end === null ? null : isoSeconds(end * 1000),
    start_uncertainty_s: 0, end_uncertainty_s: 0, layers: [], confidence: 1, status: end === null ? 'ongoing' : 'resolved',
    evidence: { measurements: 0, anomalies: 0, probes: 0, sample_uids: [] }, summary: '',
  };
}

/** Rows re-binned to `bin` seconds per (cc, asn, target). */
function rebin(rows: SeriesRow[], bin: number): Map<string, Map<number, { ok: number; bad: number; total: number }>> {
  const out = new Map<string, Map<number, { ok: number; bad: number; total: number }>>();
  for (const r of rows) {
    const key = `${r.cc}|${r.asn}|${r.target}`;
    let m = out.get(key);
    if (!m) out.set(key, (m = new Map()));
    const t = binOf(r.t, bin);
    const c = m.get(t) ?? { ok: 0, bad: 0, total: 0 };
    c.ok += r.ok;
    c.bad += r.anomaly + r.confirmed;
    c.total += r.total;
    m.set(t, c);
  }
  return out;
}

/** Flagged spans [start, end) of consecutive flagged bins; the last one is open if it reaches now. */
function spans(flagged: number[], bin: number, lastComplete: number): Array<[number, number | null]> {
  const out: Array<[number, number | null]> = [];
  const s = [...flagged].sort((a, b) => a - b);
  let a = -1, prev = -1;
  for (const t of s) {
    if (a < 0) a = prev = t;
    else if (t === prev + bin) prev = t;
    else {
      out.push([a, prev + bin]);
      a = prev = t;
    }
  }
  if (a >= 0) out.push([a, prev + bin > lastComplete ? null : prev + bin]);
  return out;
}

function keyParts(key: string): [string, number, string] {
  const [cc, asn, target] = key.split('|');
  return [cc, Number(asn), target];
}

/** Targets of one network with identical spans are one incident (generous to the baseline). */
function mergeTargets(list: Incident[]): Incident[] {
  const m = new Map<string, Incident>();
  for (const i of list) {
    const k = `${i.kind}|${i.cc}|${i.asns[0]}|${i.start}|${i.end}`;
    const prev = m.get(k);
    if (prev) prev.targets = [...new Set([...prev.targets, ...i.targets])].sort();
    else m.set(k, { ...i });
  }
  return [...m.values()];
}

export const fastpathDetector: Detector = (rows, now) => {
  const H = 3600;
  const lastComplete = binOf(now, H); // hours that ended by now
  const out: Incident[] = [];
  for (const [key, m] of rebin(rows, H)) {
    const [cc, asn, target] = keyParts(key);
    const flagged: number[] = [];
    for (const [t, c] of m) {
      if (t + H > now) continue;
      const n = c.ok + c.bad;
      if (n >= 3 && c.bad / n >= 0.5) flagged.push(t);
    }
    for (const [s, e] of spans(flagged, H, lastComplete)) out.push(incident('platform_block', cc, asn, [target], s, e));
  }
  return mergeTargets(out);
};

export const iodaDetector: Detector = (rows, now) => {
  const B = 600, W = 144; // 10-minute bins, 24 h moving window
  const lastComplete = binOf(now, B);
  const out: Incident[] = [];
  const signal = (series: Map<number, number>, t0: number, t1: number): number[] => {
    const crit: number[] = [];
    for (let t = t0; t < t1; t += B) {
      if (t + B > now) break;
      const hist: number[] = [];
      for (let k = 1; k <= W; k++) {
        const t2 = t - k * B;
        if (t2 < t0) break;
        hist.push(series.get(t2) ?? 0);
      }
      if (hist.length < 36) continue; // 6 h of history before judging
      const med = median(hist);
      if (med <= 0) continue;
      if ((series.get(t) ?? 0) / med < 0.5) crit.push(t);
    }
    return crit;
  };
  const per = rebin(rows, B);
  const byNet = new Map<string, Map<number, number>>();
  let t0 = Infinity, t1 = -Infinity;
  for (const [key, m] of per) {
    const [cc, asn] = keyParts(key);
    const nk = `${cc}|${asn}`;
    let v = byNet.get(nk);
    if (!v) byNet.set(nk, (v = new Map()));
    for (const [t, c] of m) {
      v.set(t, (v.get(t) ?? 0) + c.total);
      t0 = Math.min(t0, t);
      t1 = Math.max(t1, t + B);
    }
  }
  const outages = new Map<string, Array<[number, number | null]>>();
  for (const [nk, v] of byNet) {
    const [cc, asn] = nk.split('|');
    const sp = spans(signal(v, t0, t1), B, lastComplete);
    outages.set(nk, sp);
    for (const [s, e] of sp) out.push(incident('network_outage', cc, Number(asn), [], s, e));
  }
  for (const [key, m] of per) {
    const [cc, asn, target] = keyParts(key);
    const okSeries = new Map<number, number>();
    for (const [t, c] of m) okSeries.set(t, c.ok);
    const net = outages.get(`${cc}|${asn}`) ?? [];
    for (const [s, e] of spans(signal(okSeries, t0, t1), B, lastComplete)) {
      // a target's drop inside a network-wide drop is the outage
      if (net.some(([ns, ne]) => s >= ns && (ne === null || (e !== null && e <= ne)))) continue;
      out.push(incident('platform_block', cc, asn, [target], s, e));
    }
  }
  return mergeTargets(out);
};

export const cusumDetector: Detector = (rows, now) => {
  const H = 3600, mu0 = 0, mu1 = 0.7, v = mu1 - mu0, edd = 10, h = (edd * v) / 2;
  const out: Incident[] = [];
  for (const [key, m] of rebin(rows, H)) {
    const [cc, asn, target] = keyParts(key);
    // state starts "ok": the detector has run on this series before (ooni/data keeps its cusums)
    let state: 'ok' | 'blk' = 'ok', sPos = 0, sNeg = 0, openAt = -1;
    for (const t of [...m.keys()].sort((a, b) => a - b)) {
      if (t + H > now) break;
      const c = m.get(t)!;
      const n = c.ok + c.bad;
      if (n === 0) continue;
      const y = c.bad / n;
      if (state === 'ok') {
        sPos = Math.max(0, sPos + (y - mu0) - v / 2);
        if (sPos > h) { state = 'blk'; sPos = 0; openAt = t; }
      } else {
        sNeg = Math.max(0, sNeg - (y - mu1) - v / 2);
        if (sNeg > h) { out.push(incident('platform_block', cc, asn, [target], openAt, t)); state = 'ok'; sNeg = 0; }
      }
    }
    if (state === 'blk') out.push(incident('platform_block', cc, asn, [target], openAt, null));
  }
  return mergeTargets(out);
};
