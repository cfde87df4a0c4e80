// Detection (DESIGN.md §4): per-bin counts → change points → incidents. Pure: data in, incidents
// out, the clock injected as `now`. docs/methodology.md "## Detection" explains the model.
//
// Three channels, each a two-state hidden Markov model (normal / disrupted) whose emissions come
// from the series' own baseline, so every decision is a posterior probability, not a threshold:
//  - block:    per (cc, asn, target), bad = anomaly + confirmed of usable observations, Beta-Binomial
//              against the series' own failure rate; a bin supports "disrupted" only when at least
//              `minProbes` distinct probes saw it bad (one lying probe cannot move the state);
//  - outage:   per network, (a) everything fails across targets (incl. control sites), or
//              (b) measurement volume collapses against its time-of-day profile;
//  - throttle: per (cc, asn, target), the mean vigil_throughput ratio falls against its median.
// Empty bins carry no evidence: the state persists through them, so silence never ends an incident.
import type { Incident, IncidentKind } from '../model/incident.js';
import type { SeriesRow } from '../store/store.js';
import { isPlatform } from '../model/platforms.js';
import { isoSeconds } from '../model/time.js';
import { binOf } from './series.js';
import { betaBinomialLog, gaussianLog, mad, median, negBinomialLog, twoStateHmm } from './stats.js';
import { incidentId, summarize } from './summary.js';

export type { BgpDrop } from './bgp-drops.js';
import type { BgpDrop } from './bgp-drops.js';

export interface DetectParams {
  /** per-bin probability of entering / leaving a disruption (HMM transitions) */
  pEnter: number;
  pLeave: number;
  /** Beta-Binomial concentration of the normal failure rate (larger = less overdispersion) */
  kappa0: number;
  /** Beta(a1, b1) prior of the failure rate while disrupted */
  a1: number;
  b1: number;
  /** posterior above which a bin counts as disrupted */
  posterior: number;
  /** bins with data inside a segment, and bins where >= minProbes probes agree */
  minDataBins: number;
  minCorroborated: number;
  /** targets of one network whose starts and ends differ by at most this are one incident */
  mergeSeconds: number;
  /** networks of one country whose incidents start and end within this are listed together */
  countryMergeSeconds: number;
  /** volume channel: a bin supports "collapse" only below this fraction of its expected volume */
  collapseRatio: number;
  /** volume channel: expected probe runs that must be missing before silence counts */
  minMissingRuns: number;
  /** throttle channel: disrupted mean ratio as a fraction of the baseline median */
  throttleLevel: number;
  /** bins that end later than now - settleSeconds are too fresh for the volume channel */
  settleSeconds: number;
  /** BGP alone opens an outage when a network announcing at least this many /24s ... */
  bgpMinBaseline: number;
  /** ... falls to at most this fraction of its baseline visibility */
  bgpOutageRatio: number;
}

export const DEFAULT_PARAMS: DetectParams = {
  pEnter: 1e-4,
  pLeave: 0.02,
  kappa0: 20,
  a1: 2,
  b1: 1,
  posterior: 0.5,
  minDataBins: 2,
  minCorroborated: 2,
  mergeSeconds: 900,
  countryMergeSeconds: 1800,
  collapseRatio: 0.15,
  minMissingRuns: 12,
  throttleLevel: 0.3,
  settleSeconds: 120,
  bgpMinBaseline: 4,
  bgpOutageRatio: 0.5,
};

export interface DetectOptions {
  /** the detector's clock (Unix seconds): bins at or after it do not exist yet */
  now: number;
  binSeconds?: number;
  minProbes?: number;
  bgpDrops?: BgpDrop[];
  /** only incidents that reach this time (Unix s) are returned; earlier bins serve as baseline */
  from?: number;
  params?: Partial<DetectParams>;
}

/** One disrupted stretch of one series or network, before merging. */
interface Segment {
  kind: IncidentKind;
  cc: string;
  asn: number;
  network: string;
  targets: string[];
  startBin: number;        // bin start (Unix s) of the first disrupted bin
  start: number;
  end: number | null;      // null: ongoing
  startUnc: number;
  endUnc: number | null;
  confidence: number;
  measurements: number;
  anomalies: number;
  probes: number;
  layers: Map<string, number>;
  failures: Map<string, Map<string, number>>;
  extra: Record<string, unknown>;
}

/** Dense per-bin arrays of one (cc, asn, target) series. */
interface Series {
  cc: string;
  asn: number;
  target: string;
  network: string;
  ok: Float64Array;
  bad: Float64Array;        // anomaly + confirmed
  fail: Float64Array;       // status failure (unusable measurement)
  total: Float64Array;
  probes: Float64Array;
  badProbes: Float64Array;
  value: Float64Array;      // NaN when no throughput value
  layer: Array<string | null>;
  failure: Array<string | null>;
}

interface Grid {
  t0: number;
  bin: number;
  n: number;
}

const tOf = (g: Grid, i: number) => g.t0 + i * g.bin;

function buildSeries(rows: SeriesRow[], g: Grid): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const r of rows) {
    const i = Math.round((binOf(r.t, g.bin) - g.t0) / g.bin);
    if (i < 0 || i >= g.n) continue;
    const key = `${r.cc}|${r.asn}|${r.target}`;
    let s = out.get(key);
    if (!s) {
      s = {
        cc: r.cc, asn: r.asn, target: r.target, network: r.network,
        ok: new Float64Array(g.n), bad: new Float64Array(g.n), fail: new Float64Array(g.n), total: new Float64Array(g.n),
        probes: new Float64Array(g.n), badProbes: new Float64Array(g.n), value: new Float64Array(g.n).fill(NaN),
        layer: new Array(g.n).fill(null), failure: new Array(g.n).fill(null),
      };
      out.set(key, s);
    }
    if (r.network > s.network) s.network = r.network;
    // rows may repeat a bin when the caller's bin is coarser than the store's: add them up
    s.ok[i] += r.ok;
    s.bad[i] += r.anomaly + r.confirmed;
    s.fail[i] += r.failure;
    s.total[i] += r.total;
    s.probes[i] = Math.max(s.probes[i], r.probes);
    s.badProbes[i] = Math.max(s.badProbes[i], r.bad_probes);
    if (r.value !== null && Number.isFinite(r.value)) s.value[i] = Number.isNaN(s.value[i]) ? r.value : (s.value[i] + r.value) / 2;
    if (r.top_layer) s.layer[i] = r.top_layer;
    if (r.top_failure) s.failure[i] = r.top_failure;
  }
  return out;
}

/** Maximal runs of bins with posterior >= level: [first, last] inclusive. */
function runs(post: Float64Array, level: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let a = -1;
  for (let i = 0; i < post.length; i++) {
    if (post[i] >= level) {
      if (a < 0) a = i;
    } else if (a >= 0) {
      out.push([a, i - 1]);
      a = -1;
    }
  }
  if (a >= 0) out.push([a, post.length - 1]);
  return out;
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Start and end inside the boundary bins. If observations are spread evenly over a bin, the share
 * of the bin after the onset is (rate − baseline) / (disrupted rate − baseline); the same on the
 * way out. Uncertainty is one bin plus any empty bins between the last normal data and the change.
 */
function localize(g: Grid, hasData: (i: number) => boolean, frac: (i: number) => number, a: number, b: number, ongoing: boolean) {
  let first = a;
  while (first <= b && !hasData(first)) first++;
  let last = b;
  while (last >= first && !hasData(last)) last--;
  let prev = first - 1;
  while (prev >= 0 && !hasData(prev)) prev--;
  let start = tOf(g, first) + g.bin * (1 - frac(first));
  if (prev === first - 1 && prev >= 0) start -= g.bin * frac(prev);
  const startUnc = g.bin + (prev >= 0 ? (first - prev - 1) * g.bin : 0);
  if (ongoing) return { first, last, start, end: null, startUnc, endUnc: null };
  let next = last + 1;
  while (next < g.n && !hasData(next)) next++;
  let end = tOf(g, last) + g.bin * frac(last);
  if (next === last + 1 && next < g.n) end += g.bin * frac(next);
  const endUnc = g.bin + (next < g.n ? (next - last - 1) * g.bin : 0);
  return { first, last, start, end: Math.max(end, start + 60), startUnc, endUnc };
}

function addCount<K>(m: Map<K, number>, k: K, n: number) {
  m.set(k, (m.get(k) ?? 0) + n);
}

// ---- block channel --------------------------------------------------------------------------
function blockSegments(s: Series, g: Grid, P: DetectParams, minProbes: number, lastBin: number): Segment[] {
  const n = new Float64Array(g.n), k = s.bad;
  for (let i = 0; i < g.n; i++) n[i] = s.ok[i] + s.bad[i];
  const excluded = new Uint8Array(g.n);
  // pass 1: the median of hourly pooled failure rates, robust to disruptions shorter than half the
  // window without cutting off the upper tail of ordinary noise; pass 2: everything outside the
  // segments pass 1 found (unless they cover most of the window: then pass 1's estimate stands)
  const hourly: number[] = [];
  let hk = 0, hn = 0, tk = 0, tn = 0;
  for (let i = 0; i < g.n; i++) {
    hk += k[i]; hn += n[i]; tk += k[i]; tn += n[i];
    if ((i + 1) % 12 === 0 || i === g.n - 1) {
      if (hn >= 5) hourly.push(hk / hn);
      hk = hn = 0;
    }
  }
  const p0first = hourly.length >= 3 ? median(hourly) : (tk + 0.5) / (tn + 20.5);
  let result: Segment[] = [];
  for (let pass = 0; pass < 2; pass++) {
    let sk = 0, sn = 0, exN = 0;
    for (let i = 0; i < g.n; i++) if (!excluded[i]) { sk += k[i]; sn += n[i]; } else exN += n[i];
    const raw = pass === 0 || exN > tn / 2 ? p0first : (sk + 0.5) / (sn + 20.5);
    const p0 = Math.min(0.6, Math.max(0.003, raw));
    const a0 = p0 * P.kappa0, b0 = (1 - p0) * P.kappa0;
    const l0 = new Float64Array(g.n), l1 = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++) {
      if (n[i] === 0) continue;
      l0[i] = betaBinomialLog(k[i], n[i], a0, b0);
      l1[i] = betaBinomialLog(k[i], n[i], P.a1, P.b1);
      // probe agreement: fewer than minProbes bad probes can never argue for a disruption
      if (s.badProbes[i] < minProbes && l1[i] > l0[i]) l1[i] = l0[i];
    }
    const { smoothed } = twoStateHmm(l0, l1, { pEnter: P.pEnter, pLeave: P.pLeave });
    result = [];
    const nextExcluded = new Uint8Array(g.n);
    for (const [a, b] of runs(smoothed, P.posterior)) {
      let dataBins = 0, corroborated = 0, sumK = 0, sumN = 0, sumTot = 0, maxProbes = 0, postSum = 0;
      const layers = new Map<string, number>();
      const failures = new Map<string, Map<string, number>>();
      for (let i = a; i <= b; i++) {
        if (n[i] === 0) continue;
        dataBins++;
        postSum += smoothed[i];
        if (s.badProbes[i] >= minProbes && l1[i] > l0[i]) corroborated++;
        sumK += k[i]; sumN += n[i]; sumTot += s.total[i];
        maxProbes = Math.max(maxProbes, s.badProbes[i]);
        const lay = s.layer[i];
        if (lay && k[i] > 0) {
          addCount(layers, lay, k[i]);
          const f = s.failure[i];
          if (f) {
            let fm = failures.get(lay);
            if (!fm) failures.set(lay, (fm = new Map()));
            addCount(fm, f, k[i]);
          }
        }
      }
      if (dataBins < P.minDataBins || corroborated < P.minCorroborated) continue;
      for (let i = a; i <= b; i++) nextExcluded[i] = 1;
      const q1 = Math.max(sumK / sumN, p0 + 1e-6);
      const frac = (i: number) => (n[i] > 0 ? clamp01((k[i] / n[i] - p0) / (q1 - p0)) : 0);
      const ongoing = b >= lastBin;
      const loc = localize(g, (i) => n[i] > 0, frac, a, b, ongoing);
      const conf = (postSum / dataBins) * (1 - Math.pow(0.5, corroborated + 1));
      result.push({
        kind: 'platform_block', cc: s.cc, asn: s.asn, network: s.network, targets: [s.target],
        startBin: tOf(g, loc.first), start: loc.start, end: loc.end, startUnc: loc.startUnc, endUnc: loc.endUnc,
        confidence: conf, measurements: sumTot, anomalies: sumK, probes: maxProbes, layers, failures,
        extra: { baseline_rate: round3(p0), disrupted_rate: round3(sumK / sumN) },
      });
    }
    for (let i = 0; i < g.n; i++) excluded[i] = nextExcluded[i];
  }
  return result;
}

// ---- throttle channel -----------------------------------------------------------------------
function throttleSegments(s: Series, g: Grid, P: DetectParams, minProbes: number, lastBin: number): Segment[] {
  const has = (i: number) => !Number.isNaN(s.value[i]);
  let count = 0;
  for (let i = 0; i < g.n; i++) if (has(i)) count++;
  if (count < 6) return [];
  // several probes saw slow downloads (the analyzer marks them anomaly/throttle), and slowness, not
  // failure, is what this bin's bad observations mostly show
  const throttleAgrees = (i: number) => s.badProbes[i] >= minProbes && s.layer[i] === 'throttle';
  const excluded = new Uint8Array(g.n);
  let result: Segment[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const vals: number[] = [];
    for (let i = 0; i < g.n; i++) if (has(i) && !excluded[i]) vals.push(s.value[i]);
    if (vals.length < 6) return result;
    const m0 = median(vals);
    if (!(m0 > 0)) return [];
    const sd0 = Math.max(mad(vals, m0), 0.08 * m0);
    const m1 = P.throttleLevel * m0, sd1 = 0.2 * m0;
    const l0 = new Float64Array(g.n), l1 = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++) {
      if (!has(i)) continue;
      l0[i] = gaussianLog(s.value[i], m0, sd0);
      l1[i] = gaussianLog(s.value[i], m1, sd1);
      if (!throttleAgrees(i) && l1[i] > l0[i]) l1[i] = l0[i];
    }
    const { smoothed } = twoStateHmm(l0, l1, { pEnter: P.pEnter, pLeave: P.pLeave });
    result = [];
    const nextExcluded = new Uint8Array(g.n);
    for (const [a, b] of runs(smoothed, P.posterior)) {
      let dataBins = 0, corroborated = 0, postSum = 0, sumTot = 0, sumBad = 0, maxProbes = 0, vSum = 0;
      for (let i = a; i <= b; i++) {
        if (!has(i)) continue;
        dataBins++;
        postSum += smoothed[i];
        vSum += s.value[i];
        if (throttleAgrees(i) && l1[i] > l0[i]) corroborated++;
        sumTot += s.total[i]; sumBad += s.bad[i];
        maxProbes = Math.max(maxProbes, s.probes[i]);
      }
      if (dataBins < P.minDataBins || corroborated < P.minCorroborated) continue;
      for (let i = a; i <= b; i++) nextExcluded[i] = 1;
      const v1 = vSum / dataBins;
      const frac = (i: number) => (has(i) ? clamp01((m0 - s.value[i]) / Math.max(m0 - v1, 1e-9)) : 0);
      const loc = localize(g, has, frac, a, b, b >= lastBin);
      result.push({
        kind: 'throttling', cc: s.cc, asn: s.asn, network: s.network, targets: [s.target],
        startBin: tOf(g, loc.first), start: loc.start, end: loc.end, startUnc: loc.startUnc, endUnc: loc.endUnc,
        confidence: (postSum / dataBins) * (1 - Math.pow(0.5, corroborated + 1)),
        measurements: sumTot, anomalies: sumBad, probes: maxProbes,
        layers: new Map([['throttle', 1]]), failures: new Map(),
        extra: { baseline_ratio: round3(m0), throttled_ratio: round3(v1) },
      });
    }
    for (let i = 0; i < g.n; i++) excluded[i] = nextExcluded[i];
  }
  return result;
}

// ---- outage channel -------------------------------------------------------------------------
interface NetworkAgg {
  cc: string;
  asn: number;
  network: string;
  series: Series[];
  volume: Float64Array;
  bad: Float64Array;       // anomaly + confirmed + failure
  probes: Float64Array;    // max distinct probes over targets (a lower bound of the network's)
  badProbes: Float64Array; // max distinct probes with anomalies over targets
  breadth: Float64Array;   // share of targets with data whose majority failed
  targetsWithData: Float64Array;
}

function aggregateNetwork(series: Series[], g: Grid): NetworkAgg {
  const s0 = series[0];
  const volume = new Float64Array(g.n), bad = new Float64Array(g.n), probes = new Float64Array(g.n), badProbes = new Float64Array(g.n);
  const breadth = new Float64Array(g.n), twd = new Float64Array(g.n);
  let network = s0.network;
  for (const s of series) {
    if (s.network > network) network = s.network;
    for (let i = 0; i < g.n; i++) {
      if (s.total[i] === 0) continue;
      volume[i] += s.total[i];
      const b = s.bad[i] + s.fail[i];
      bad[i] += b;
      probes[i] = Math.max(probes[i], s.probes[i]);
      badProbes[i] = Math.max(badProbes[i], s.badProbes[i]);
      twd[i] += 1;
      if (b / s.total[i] > 0.5) breadth[i] += 1;
    }
  }
  for (let i = 0; i < g.n; i++) if (twd[i] > 0) breadth[i] /= twd[i];
  return { cc: s0.cc, asn: s0.asn, network, series, volume, bad, probes, badProbes, breadth, targetsWithData: twd };
}

/** Expected volume per bin from the same time of day on the window's other days (median of ±1 bin). */
function volumeProfile(v: Float64Array, usable: (i: number) => boolean, g: Grid): Float64Array {
  const perDay = Math.max(1, Math.round(86400 / g.bin));
  const exp = new Float64Array(g.n);
  const all: number[] = [];
  for (let i = 0; i < g.n; i++) if (usable(i)) all.push(v[i]);
  const global = all.length ? median(all) : 0;
  const slots = new Map<number, number[]>();
  for (let i = 0; i < g.n; i++) {
    if (!usable(i)) continue;
    const slot = (((Math.round(tOf(g, i) / g.bin)) % perDay) + perDay) % perDay;
    for (const d of [-1, 0, 1]) {
      const s = (slot + d + perDay) % perDay;
      let arr = slots.get(s);
      if (!arr) slots.set(s, (arr = []));
      arr.push(v[i]);
    }
  }
  for (let i = 0; i < g.n; i++) {
    const slot = (((Math.round(tOf(g, i) / g.bin)) % perDay) + perDay) % perDay;
    const arr = slots.get(slot);
    // with fewer than two days of history at this hour, the window's overall median has to do
    exp[i] = arr && arr.length >= 6 ? median(arr) : global;
  }
  return exp;
}

function outageSegments(net: NetworkAgg, g: Grid, P: DetectParams, minProbes: number, lastBin: number, now: number): Segment[] {
  const segs: Array<{ a: number; b: number; conf: number; first: number; last: number; start: number; end: number | null; startUnc: number; endUnc: number | null; channel: string; expected: number; observed: number; volume?: number }> = [];
  const settled = (i: number) => tOf(g, i) + g.bin <= now - P.settleSeconds;
  // (a) everything fails: all statuses count, since a network without connectivity also fails the control
  {
    const n = net.volume, k = net.bad;
    let sk = 0, sn = 0;
    for (let i = 0; i < g.n; i++) if (n[i] > 0 && !(net.breadth[i] >= 0.7)) { sk += k[i]; sn += n[i]; }
    const p0 = Math.min(0.5, Math.max(0.005, (sk + 0.5) / (sn + 20.5)));
    const a0 = p0 * P.kappa0, b0 = (1 - p0) * P.kappa0;
    const l0 = new Float64Array(g.n), l1 = new Float64Array(g.n);
    // several probes must see it: web tests without a reachable control are `failure` (not counted
    // per probe by the store), but the IM tests then fail as anomalies, probe by probe
    const corroborates = (i: number) => net.breadth[i] >= 0.7 && net.targetsWithData[i] >= 3 && net.probes[i] >= minProbes && net.badProbes[i] >= minProbes;
    for (let i = 0; i < g.n; i++) {
      if (n[i] === 0) continue;
      l0[i] = betaBinomialLog(k[i], n[i], a0, b0);
      l1[i] = betaBinomialLog(k[i], n[i], 4, 1);
      if (!corroborates(i) && l1[i] > l0[i]) l1[i] = l0[i];
    }
    const { smoothed } = twoStateHmm(l0, l1, { pEnter: P.pEnter, pLeave: P.pLeave });
    for (const [a, b] of runs(smoothed, P.posterior)) {
      let dataBins = 0, corr = 0, post = 0, sk1 = 0, sn1 = 0;
      for (let i = a; i <= b; i++) {
        if (n[i] === 0) continue;
        dataBins++; post += smoothed[i]; sk1 += k[i]; sn1 += n[i];
        if (corroborates(i) && l1[i] > l0[i]) corr++;
      }
      if (dataBins < P.minDataBins || corr < P.minCorroborated) continue;
      const q1 = Math.max(sk1 / sn1, p0 + 1e-6);
      const frac = (i: number) => (n[i] > 0 ? clamp01((k[i] / n[i] - p0) / (q1 - p0)) : 0);
      const loc = localize(g, (i) => n[i] > 0, frac, a, b, b >= lastBin);
      segs.push({ a, b, conf: (post / dataBins) * (1 - Math.pow(0.5, corr + 1)), ...loc, channel: 'failures', expected: 0, observed: sn1 });
    }
  }
  // (b) the network falls silent against its time-of-day profile. Counted in probe runs (distinct
  // probes per bin), not observations: one run yields a dozen observations at once, so counting
  // observations would overstate the evidence a dozen times.
  {
    const v = net.probes;
    let lastSettled = -1;
    for (let i = 0; i < g.n; i++) if (settled(i)) lastSettled = i;
    const usable0 = (i: number) => i <= lastSettled;
    let exp = volumeProfile(v, usable0, g);
    let excluded = new Uint8Array(g.n);
    for (let pass = 0; pass < 2; pass++) {
      if (pass === 1) exp = volumeProfile(v, (i) => usable0(i) && !excluded[i], g);
      const l0 = new Float64Array(g.n), l1 = new Float64Array(g.n);
      for (let i = 0; i <= lastSettled; i++) {
        const lam = exp[i];
        if (lam < 0.5) continue; // too little expected traffic to notice silence
        l0[i] = negBinomialLog(v[i], lam, 5);
        l1[i] = negBinomialLog(v[i], Math.max(0.03 * lam, 0.01), 1);
        if (v[i] > P.collapseRatio * lam && l1[i] > l0[i]) l1[i] = l0[i];
      }
      const { smoothed } = twoStateHmm(l0, l1, { pEnter: P.pEnter, pLeave: P.pLeave });
      const nextExcluded = new Uint8Array(g.n);
      for (const [a, b0] of runs(smoothed, P.posterior)) {
        const b = Math.min(b0, lastSettled);
        if (b < a) continue;
        let bins = 0, expSum = 0, obsSum = 0, post = 0, vol = 0;
        for (let i = a; i <= b; i++) {
          if (exp[i] < 0.5) continue;
          bins++; expSum += exp[i]; obsSum += v[i]; post += smoothed[i]; vol += net.volume[i];
        }
        // enough probe runs went missing that chance (churn, night) cannot explain it
        if (bins < P.minDataBins || expSum < P.minMissingRuns || obsSum > P.collapseRatio * expSum) continue;
        for (let i = a; i <= b; i++) nextExcluded[i] = 1;
        if (pass === 0) continue;
        const frac = (i: number) => (exp[i] > 0 ? clamp01(1 - v[i] / exp[i]) : 0);
        const ongoing = b0 >= lastBin || b >= lastSettled;
        const loc = localize(g, (i) => exp[i] >= 0.5 && i <= lastSettled, frac, a, b, ongoing);
        segs.push({ a, b, conf: (post / bins) * (1 - Math.exp(-(expSum - obsSum) / 5)), ...loc, channel: 'volume', expected: Math.round(expSum * 10) / 10, observed: obsSum, volume: vol });
      }
      excluded = nextExcluded;
    }
  }
  if (segs.length === 0) return [];
  // union of the two channels: overlapping stretches are one outage
  segs.sort((x, y) => x.start - y.start);
  const merged: typeof segs[] = [];
  for (const s of segs) {
    const cur = merged[merged.length - 1];
    const curEnd = cur ? Math.max(...cur.map((c) => (c.end === null ? Infinity : c.end))) : -Infinity;
    if (cur && s.start <= curEnd + 2 * g.bin) cur.push(s);
    else merged.push([s]);
  }
  return merged.map((grp) => {
    const start = Math.min(...grp.map((s) => s.start));
    const ongoing = grp.some((s) => s.end === null);
    const end = ongoing ? null : Math.max(...grp.map((s) => s.end as number));
    const first = Math.min(...grp.map((s) => s.first));
    const a = Math.min(...grp.map((s) => s.a)), b = Math.max(...grp.map((s) => s.b));
    let measurements = 0, anomalies = 0, probes = 0;
    const layers = new Map<string, number>();
    const failures = new Map<string, Map<string, number>>();
    for (let i = a; i <= b; i++) {
      measurements += net.volume[i];
      anomalies += net.bad[i];
      probes = Math.max(probes, net.probes[i]);
      for (const s of net.series) {
        const lay = s.layer[i];
        const kk = s.bad[i];
        if (lay && kk > 0) {
          addCount(layers, lay, kk);
          const f = s.failure[i];
          if (f) {
            let fm = failures.get(lay);
            if (!fm) failures.set(lay, (fm = new Map()));
            addCount(fm, f, kk);
          }
        }
      }
    }
    const vol = grp.find((s) => s.channel === 'volume');
    const extra: Record<string, unknown> = { channels: [...new Set(grp.map((s) => s.channel))].sort() };
    if (vol) { extra.probe_runs_expected = vol.expected; extra.probe_runs_observed = vol.observed; }
    const conf = 1 - grp.reduce((p, s) => p * (1 - s.conf), 1);
    return {
      kind: 'network_outage' as const, cc: net.cc, asn: net.asn, network: net.network, targets: [],
      startBin: tOf(g, first), start, end,
      startUnc: Math.max(...grp.map((s) => s.startUnc)), endUnc: ongoing ? null : Math.max(...grp.map((s) => s.endUnc ?? 0)),
      confidence: conf, measurements, anomalies, probes, layers, failures, extra,
    };
  });
}

// ---- assembling incidents ---------------------------------------------------------------------
function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}
const endOr = (e: number | null, now: number) => (e === null ? now : e);

function close(x: number | null, y: number | null, tol: number): boolean {
  if (x === null || y === null) return x === y;
  return Math.abs(x - y) <= tol;
}

/** Groups segments whose starts and ends agree within tol; each group's times are its medians. */
function cluster(segs: Segment[], tol: number, sameGroup: (g: Segment[], s: Segment) => boolean): Segment[][] {
  const groups: Segment[][] = [];
  for (const s of [...segs].sort((a, b) => a.start - b.start || a.asn - b.asn || a.targets[0]?.localeCompare(b.targets[0] ?? '') || 0)) {
    const g = groups.find((gr) => sameGroup(gr, s) && close(median(gr.map((x) => x.start)), s.start, tol) && close(medianEnd(gr), s.end, tol));
    if (g) g.push(s);
    else groups.push([s]);
  }
  return groups;
}

function medianEnd(gr: Segment[]): number | null {
  const ongoing = gr.filter((x) => x.end === null).length;
  if (ongoing * 2 >= gr.length) return null;
  return median(gr.filter((x) => x.end !== null).map((x) => x.end as number));
}

function mergeMaps(into: Map<string, number>, from: Map<string, number>) {
  for (const [k, v] of from) addCount(into, k, v);
}

function combine(gr: Segment[], kind: IncidentKind): Segment {
  const layers = new Map<string, number>();
  const failures = new Map<string, Map<string, number>>();
  for (const s of gr) {
    mergeMaps(layers, s.layers);
    for (const [l, fm] of s.failures) {
      let m = failures.get(l);
      if (!m) failures.set(l, (m = new Map()));
      mergeMaps(m, fm);
    }
  }
  const end = medianEnd(gr);
  const starts = gr.map((s) => s.start);
  const spread = (xs: number[]) => (xs.length ? (Math.max(...xs) - Math.min(...xs)) / 2 : 0);
  const ends = gr.filter((s) => s.end !== null).map((s) => s.end as number);
  const byAsn = new Map<number, number>();
  for (const s of gr) byAsn.set(s.asn, Math.max(byAsn.get(s.asn) ?? 0, s.probes));
  const extra: Record<string, unknown> = {};
  for (const s of gr) for (const [k, v] of Object.entries(s.extra)) if (!(k in extra)) extra[k] = v;
  return {
    kind, cc: gr[0].cc, asn: Math.min(...gr.map((s) => s.asn)), network: gr[0].network,
    targets: [...new Set(gr.flatMap((s) => s.targets))].sort(),
    startBin: Math.min(...gr.map((s) => s.startBin)),
    start: median(starts), end,
    startUnc: Math.max(...gr.map((s) => s.startUnc)) + spread(starts),
    endUnc: end === null ? null : Math.max(...gr.map((s) => s.endUnc ?? 0)) + spread(ends),
    confidence: Math.max(...gr.map((s) => s.confidence)),
    measurements: gr.reduce((a, s) => a + s.measurements, 0),
    anomalies: gr.reduce((a, s) => a + s.anomalies, 0),
    probes: [...byAsn.values()].reduce((a, b) => a + b, 0),
    layers, failures, extra,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function detect(series: SeriesRow[], opts: DetectOptions): Incident[] {
  const P: DetectParams = { ...DEFAULT_PARAMS, ...(opts.params ?? {}) };
  const bin = opts.binSeconds ?? 300;
  const minProbes = opts.minProbes ?? 2;
  const now = opts.now;
  const rows = series.filter((r) => r.t < now);
  const drops = (opts.bgpDrops ?? []).filter((d) => d.start < now);
  if (rows.length === 0 && drops.length === 0) return [];
  let tMin = Infinity;
  for (const r of rows) if (r.t < tMin) tMin = r.t;
  for (const d of drops) if (d.start < tMin) tMin = d.start;
  const t0 = binOf(tMin, bin);
  const lastT = binOf(now - 1, bin);
  const g: Grid = { t0, bin, n: Math.round((lastT - t0) / bin) + 1 };
  const lastBin = g.n - 1;
  const all = buildSeries(rows, g);

  // per network
  const byNet = new Map<string, Series[]>();
  for (const s of all.values()) {
    const key = `${s.cc}|${s.asn}`;
    let arr = byNet.get(key);
    if (!arr) byNet.set(key, (arr = []));
    arr.push(s);
  }

  const perNetwork: Segment[] = [];
  for (const list of byNet.values()) {
    list.sort((a, b) => a.target.localeCompare(b.target));
    const net = aggregateNetwork(list, g);
    const outages = outageSegments(net, g, P, minProbes, lastBin, now);
    const throttles = list.flatMap((s) => throttleSegments(s, g, P, minProbes, lastBin));
    let blocks = list.flatMap((s) => blockSegments(s, g, P, minProbes, lastBin));
    // a target that fails outright is blocked, not slow: its failed downloads are no throttling
    for (let j = throttles.length - 1; j >= 0; j--) {
      const t = throttles[j];
      if (blocks.some((b) => b.targets[0] === t.targets[0] && overlap(b.start, endOr(b.end, now), t.start, endOr(t.end, now)) > 0)) throttles.splice(j, 1);
    }
    // a block that an outage covers is part of the outage
    blocks = blocks.filter((b) => !outages.some((o) => overlap(b.start, endOr(b.end, now), o.start, endOr(o.end, now)) >= 0.5 * (endOr(b.end, now) - b.start)));
    // a "block" whose failures are slow downloads belongs to the throttle channel
    const blocksOut: Segment[] = [];
    for (const b of blocks) {
      const th = b.layers.get('throttle') ?? 0;
      const tot = [...b.layers.values()].reduce((a, x) => a + x, 0);
      if (tot > 0 && th / tot >= 0.5) {
        if (!throttles.some((t) => t.targets[0] === b.targets[0] && overlap(b.start, endOr(b.end, now), t.start, endOr(t.end, now)) > 0)) throttles.push({ ...b, kind: 'throttling' });
      } else blocksOut.push(b);
    }
    // targets of this network that go down and up together are one incident
    const sameNet = () => true;
    const blockGroups = cluster(blocksOut, P.mergeSeconds, sameNet).map((gr) => combine(gr, 'platform_block'));
    const throttleGroups = cluster(throttles, P.mergeSeconds, sameNet).map((gr) => combine(gr, 'throttling'));
    // every measured target failing together, control sites included, is an outage, not a block
    const finalBlocks: Segment[] = [];
    for (const b of blockGroups) {
      const measured = new Set<string>();
      const i0 = Math.max(0, Math.floor((b.start - g.t0) / bin)), i1 = Math.min(g.n - 1, Math.floor((endOr(b.end, now) - 1 - g.t0) / bin));
      for (const s of list) for (let i = i0; i <= i1; i++) if (s.total[i] > 0) { measured.add(s.target); break; }
      const hasControl = b.targets.some((t) => !isPlatform(t));
      if (measured.size >= 3 && hasControl && b.targets.length >= 0.8 * measured.size && !outages.some((o) => overlap(b.start, endOr(b.end, now), o.start, endOr(o.end, now)) > 0)) {
        outages.push({ ...b, kind: 'network_outage', targets: [], extra: { ...b.extra, channels: ['failures'] } });
      } else finalBlocks.push(b);
    }
    perNetwork.push(...outages, ...finalBlocks, ...throttleGroups);
  }

  // BGP: a visibility drop overlapping an outage joins its evidence and its confidence
  for (const s of perNetwork) {
    if (s.kind !== 'network_outage') continue;
    const drop = drops.find((d) => d.asn === s.asn && (d.cc === '' || d.cc === s.cc) && overlap(s.start, endOr(s.end, now), d.start, endOr(d.end, now)) > 0);
    if (drop) {
      s.extra.bgp = { baseline_slash24: drop.baseline, min_slash24: drop.min };
      s.confidence = 1 - (1 - s.confidence) * 0.5;
    }
  }

  // BGP alone: a network whose routes vanish is cut off even when no probe can say so (during a
  // shutdown its probes cannot upload), so a deep enough drop opens a network_outage by itself.
  for (const d of drops) {
    if (d.baseline < P.bgpMinBaseline || d.min > P.bgpOutageRatio * d.baseline) continue;
    const cover = perNetwork.find((s) => s.kind === 'network_outage' && s.asn === d.asn && overlap(s.start, endOr(s.end, now), d.start, endOr(d.end, now)) > 0);
    if (cover) continue;
    let known: Series | undefined;
    for (const s of all.values()) if (s.asn === d.asn && (d.cc === '' || s.cc === d.cc)) { known = s; break; }
    perNetwork.push({
      kind: 'network_outage', cc: d.cc || known?.cc || 'ZZ', asn: d.asn, network: known?.network ?? '', targets: [],
      startBin: binOf(d.start, bin), start: d.start, end: d.end, startUnc: bin, endUnc: d.end === null ? null : bin,
      // deeper drops are surer; BGP alone never claims more than 0.95
      confidence: Math.min(0.95, 0.5 + 0.5 * (1 - d.min / Math.max(1, d.baseline))),
      measurements: 0, anomalies: 0, probes: 0, layers: new Map(), failures: new Map(),
      extra: { channels: ['bgp'], bgp: { baseline_slash24: d.baseline, min_slash24: d.min } },
    });
  }

  // networks of one country in the same window, same kind and targets: one incident
  const byKind = cluster(perNetwork, P.countryMergeSeconds, (gr, s) => gr[0].kind === s.kind && gr[0].cc === s.cc && gr[0].targets.join(',') === s.targets.join(',') && !gr.some((x) => x.asn === s.asn));
  const incidents: Incident[] = [];
  for (const gr of byKind) {
    const netNames = new Map<number, string>();
    for (const s of gr) netNames.set(s.asn, s.network);
    const c = gr.length === 1 ? gr[0] : combine(gr, gr[0].kind);
    if (gr.length > 1) {
      c.extra = { ...c.extra };
      if (gr.some((s) => s.extra.bgp)) c.extra.bgp = gr.find((s) => s.extra.bgp)?.extra.bgp;
    }
    if (opts.from !== undefined && endOr(c.end, now) < opts.from) continue;
    const asns = [...netNames.keys()].sort((a, b) => a - b);
    const networks = asns.map((a) => netNames.get(a) ?? '');
    const start = Math.round(c.start / 60) * 60;
    const end = c.end === null ? null : Math.max(start + 60, Math.round(c.end / 60) * 60);
    const layerTotal = [...c.layers.values()].reduce((a, b) => a + b, 0);
    const layers = [...c.layers.entries()].filter(([, v]) => v >= 0.2 * layerTotal).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    const failures: Record<string, string[]> = {};
    for (const l of layers) {
      const fm = c.failures.get(l);
      if (fm) failures[l] = [...fm.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([k]) => k);
    }
    const kind = c.kind;
    const evidence: Incident['evidence'] = { measurements: c.measurements, anomalies: c.anomalies, probes: c.probes, sample_uids: [], ...c.extra };
    incidents.push({
      id: incidentId(kind, c.cc, asns[0], c.targets, binOf(start, bin)),
      kind, cc: c.cc, asns, networks, targets: c.targets,
      start: isoSeconds(start * 1000), end: end === null ? null : isoSeconds(end * 1000),
      start_uncertainty_s: Math.round(c.startUnc), end_uncertainty_s: c.endUnc === null ? null : Math.round(c.endUnc),
      layers, confidence: round3(Math.min(0.999, Math.max(0, c.confidence))),
      status: end === null ? 'ongoing' : 'resolved',
      evidence,
      summary: summarize({ kind, cc: c.cc, asns, networks, targets: c.targets, start, end }, now),
      failures,
    });
  }
  incidents.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
  return incidents;
}
