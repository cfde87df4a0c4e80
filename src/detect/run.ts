// Incremental detection against a store (DESIGN.md §1, §4): re-reads only the window that can
// change (new data, a lookback for baselines, and the windows of recent incidents for late data),
// reconciles with the stored incidents so a revised incident keeps its id, and reports what changed.
import type { Incident } from '../model/incident.js';
import type { Store, BgpVisibilityRow } from '../store/store.js';
import { detectBgpDrops } from './bgp-drops.js';
import { isoSeconds } from '../model/time.js';
import { detect, type BgpDrop, type DetectParams } from './detect.js';

export interface RunOptions {
  /** the detector's clock, Unix s (default: wall clock) */
  now?: number;
  /** analyse from here (Unix s); default: from the watermark minus the late-data window */
  since?: number;
  until?: number;
  cc?: string;
  /** days of history before the analysed window used as baseline (default 3) */
  lookbackDays?: number;
  /** how far back late uploads may land and still revise incidents (default 1 day) */
  lateSeconds?: number;
  binSeconds?: number;
  minProbes?: number;
  params?: Partial<DetectParams>;
  bgpDrops?: BgpDrop[];
}

export interface RunResult {
  incidents: Incident[];
  opened: Incident[];
  updated: Incident[];
  resolved: Incident[];
  /** stored incidents that new data no longer supports (e.g. "silence" that was upload delay) */
  retracted: Incident[];
}

const STATE_KEY = 'detect.watermark';

interface Watermark {
  maxT: number;
  observations: number;
  ranAt: number;
}

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const endOf = (i: Incident, now: number) => (i.end === null ? now : sec(i.end));

/** Same event: kind, country, a shared network, shared targets (outages have none) and overlapping time. */
function sameEvent(a: Incident, b: Incident, now: number): boolean {
  if (a.kind !== b.kind || a.cc !== b.cc) return false;
  if (!a.asns.some((x) => b.asns.includes(x))) return false;
  if (a.targets.length && b.targets.length && !a.targets.some((t) => b.targets.includes(t))) return false;
  return Math.min(endOf(a, now), endOf(b, now)) > Math.max(sec(a.start), sec(b.start)) - 600;
}

/** What a reader would call a change (ids, clocks and sample uids aside). */
function material(i: Incident): string {
  return JSON.stringify([i.kind, i.asns, i.targets, i.start, i.end, i.status, i.layers, i.summary]);
}

export async function runDetection(store: Store, opts: RunOptions = {}): Promise<RunResult> {
  const now = Math.floor(opts.now ?? Date.now() / 1000);
  const bin = opts.binSeconds ?? 300;
  const lookback = (opts.lookbackDays ?? 3) * 86400;
  const late = opts.lateSeconds ?? 86400;
  const stats = await store.stats();
  const wmRaw = await store.getState(STATE_KEY);
  let wm: Watermark | null = null;
  try { wm = wmRaw ? (JSON.parse(wmRaw) as Watermark) : null; } catch { wm = null; }
  const empty: RunResult = { incidents: [], opened: [], updated: [], resolved: [], retracted: [] };
  // A store with BGP visibility and no measurements (`vigil import bgp` alone) is analysed over
  // the span of its BGP rows: routes that vanish are an outage even where no probe measures.
  let bgpRows: BgpVisibilityRow[] | null = null;
  if (stats.maxT === null || stats.minT === null) {
    if (opts.bgpDrops) return empty;
    bgpRows = await store.bgpVisibility({ cc: opts.cc, until: opts.until });
    if (bgpRows.length === 0) return empty;
    let lo = Infinity, hi = -Infinity;
    for (const r of bgpRows) { if (r.t < lo) lo = r.t; if (r.t > hi) hi = r.t; }
    stats.minT = lo;
    stats.maxT = hi;
  }

  // the detector's "now". Live (data within the last day): the clock, so silence up to now is
  // evidence of an outage. Historical (an old import): the end of the data, so the data's tail is
  // not read as a shutdown and the last incidents are not "ongoing" until today.
  const dataEnd = Math.floor(stats.maxT / bin) * bin + bin;
  const live = now - dataEnd <= 86400;
  const until = Math.min(opts.until ?? now, live ? now : dataEnd);
  const ongoing = await store.incidents({ status: 'ongoing', cc: opts.cc, limit: 1000 });
  const explicit = opts.since !== undefined;
  if (!explicit && wm && wm.observations === stats.observations && wm.maxT === stats.maxT && ongoing.length === 0 && opts.until === undefined) {
    // nothing new since the last run
    const incidents = await store.incidents({ cc: opts.cc, limit: 1000 });
    return { ...empty, incidents };
  }
  let from = opts.since ?? (wm ? Math.min(wm.maxT, until) - late : stats.minT);
  for (const i of ongoing) from = Math.min(from, sec(i.start));
  from = Math.max(from, stats.minT);
  const readFrom = Math.max(stats.minT, from - lookback);

  const series = await store.series({ cc: opts.cc, since: readFrom, until, binSeconds: bin });
  bgpRows ??= opts.bgpDrops ? [] : await store.bgpVisibility({ cc: opts.cc, since: readFrom, until });
  const bgpDrops = opts.bgpDrops ?? detectBgpDrops(bgpRows);
  const found = detect(series, { now: until, binSeconds: bin, minProbes: opts.minProbes, from, params: opts.params, bgpDrops });

  // reconcile with what is stored for the analysed window
  const stored = await store.incidents({ cc: opts.cc, since: from, until, limit: 10000 });
  const used = new Set<string>();
  const opened: Incident[] = [], updated: Incident[] = [], resolved: Incident[] = [];
  const out: Incident[] = [];
  const stamp = isoSeconds(now * 1000);
  for (const f of found) {
    const prev = stored.find((s) => !used.has(s.id) && sameEvent(s, f, until));
    let inc: Incident;
    if (prev) {
      used.add(prev.id);
      inc = { ...f, id: prev.id, detected_at: prev.detected_at ?? stamp, updated_at: prev.updated_at ?? stamp };
      if (material(prev) !== material(f)) {
        inc.updated_at = stamp;
        if (prev.status === 'ongoing' && f.status === 'resolved') resolved.push(inc);
        else updated.push(inc);
      }
    } else {
      inc = { ...f, detected_at: stamp, updated_at: stamp };
      opened.push(inc);
    }
    out.push(inc);
  }
  // evidence: a few measurement uids per incident, from the store
  for (const inc of out) {
    const statuses = inc.kind === 'network_outage' ? (['anomaly', 'confirmed', 'failure'] as const) : (['anomaly', 'confirmed'] as const);
    const q = { cc: inc.cc, asns: inc.asns, targets: inc.targets, since: sec(inc.start), until: endOf(inc, until) + 1, statuses: [...statuses] };
    inc.evidence.sample_uids = await store.sampleUids({ ...q, limit: 10 });
    // distinct probes over the whole incident (the detector only sees per-bin counts)
    inc.evidence.probes = Math.max(inc.evidence.probes, await store.countProbes(q));
  }
  // stored incidents inside the analysed window that the data no longer supports
  const retracted = stored.filter((s) => !used.has(s.id) && sec(s.start) >= from);
  if (retracted.length) await store.deleteIncidents(retracted.map((r) => r.id));
  await store.upsertIncidents(out);
  // The watermark says "everything up to here was analysed": only a run over all countries and up
  // to the data's end may move it (a --cc or --until run saw part of the data).
  if (opts.cc === undefined && opts.until === undefined) {
    await store.setState(STATE_KEY, JSON.stringify({ maxT: stats.maxT, observations: stats.observations, ranAt: now } satisfies Watermark));
  }
  const incidents = await store.incidents({ cc: opts.cc, limit: 1000 });
  return { incidents, opened, updated, resolved, retracted };
}
