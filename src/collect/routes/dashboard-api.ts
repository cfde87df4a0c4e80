// Endpoints the dashboard (web/) needs beyond the public API (DESIGN.md §6), all answered from
// the store's SQL aggregates (aggregate, series, stats) or by key, never by scanning raw
// measurements in Node:
//   GET /api/v1/dashboard/overview?range|since&until   data extent, per-country counts, incidents
//   GET /api/v1/dashboard/country/:cc?range|since&until  per (network, target, bin) counts
//   GET /api/v1/dashboard/incidents/:id/evidence        observations of the sample measurements
//   GET /api/v1/dashboard/bgp?asn=N[&asn=M]&range|since&until  stored BGP visibility per ASN
// Windows are anchored on the newest stored measurement, not the wall clock, so an archive
// (OONI import, the demo's 2020 scenario) shows the same as live data.
import type { FastifyInstance } from 'fastify';
import type { BgpVisibilityRow, Store } from '../../store/store.js';
import type { Incident } from '../../model/incident.js';
import * as P from '../params.js';
import { PLATFORMS } from '../../model/platforms.js';

export const RANGES: Record<string, number> = { '6h': 6 * 3600, '24h': 86400, '3d': 3 * 86400, '7d': 7 * 86400, '30d': 30 * 86400 };

/** Bin widths the country page may use; the smallest giving at most MAX_BINS bins is chosen. */
const BINS = [300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400];
const MAX_BINS = 144;

export function chooseBin(span: number): number {
  return BINS.find((b) => span / b <= MAX_BINS) ?? BINS[BINS.length - 1];
}

interface Window { since: number; until: number; range: string }

/** The window a request asks for: explicit since/until, else `range` (default 24h, or "all")
 * ending at the newest measurement (rounded up to the hour). */
async function windowOf(store: Store, q: Record<string, unknown>, dflt = '24h'): Promise<Window & { stats: Awaited<ReturnType<Store['stats']>> }> {
  const stats = await store.stats();
  const since = P.time(q, 'since');
  const until = P.time(q, 'until');
  P.range(since, until);
  const range = P.oneOf(q, 'range', [...Object.keys(RANGES), 'all']) ?? dflt;
  const maxT = stats.maxT ?? Math.floor(Date.now() / 1000);
  const minT = stats.minT ?? maxT - 86400;
  const end = until ?? Math.ceil((maxT + 1) / 3600) * 3600;
  const start = since ?? (range === 'all' ? Math.floor(minT / 3600) * 3600 : end - RANGES[range]);
  if (end <= start) throw new P.ParamError('until must be after since');
  return { since: start, until: end, range: since !== undefined || until !== undefined ? 'custom' : range, stats };
}

/** At most this many ASNs per BGP request, and this many points per ASN in its answer. */
export const BGP_MAX_ASNS = 20;
export const BGP_MAX_POINTS = 300;
/** Stored BGP visibility bins are 5 minutes wide (src/bgp); buckets are whole multiples of it. */
const BGP_BIN = 300;
const BGP_MAX_SPAN = 366 * 86400;

/** The `asn` parameter: repeated (asn=1&asn=2) or comma-separated, 1..BGP_MAX_ASNS distinct
 * AS numbers (8048 or AS8048), in the order given. */
function asnList(q: Record<string, unknown>): number[] {
  const v = q.asn;
  if (v === undefined || v === '') throw new P.ParamError('asn: give at least one AS number (asn=8048, repeat or comma-separate for more)');
  const raw = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x]));
  if (raw.length > 4 * BGP_MAX_ASNS) throw new P.ParamError(`asn: at most ${BGP_MAX_ASNS} AS numbers`);
  const out: number[] = [];
  for (const x of raw) {
    const n = P.asn({ asn: typeof x === 'string' ? x.trim() : x }) as number;
    if (!out.includes(n)) out.push(n);
  }
  if (out.length > BGP_MAX_ASNS) throw new P.ParamError(`asn: at most ${BGP_MAX_ASNS} AS numbers, got ${out.length}`);
  return out;
}

/** [t, slash24, peers] */
export type BgpPoint = [number, number, number];

/**
 * At most `max` points over [since, until): the stored rows as they are when few enough, else
 * one point per bucket (a whole number of 5-minute bins, starting at `since`) holding the bucket's
 * lowest /24 count and that bin's peers — the minimum, not the mean, so a short drop (the signal
 * an outage leaves) survives the downsampling. Rows must be sorted by t.
 */
export function downsampleBgp(rows: Array<Pick<BgpVisibilityRow, 't' | 'slash24' | 'peers'>>, since: number, until: number, max = BGP_MAX_POINTS): { step: number; points: BgpPoint[] } {
  const pts = rows.map((r): BgpPoint => [Number(r.t), Number(r.slash24), Number(r.peers)]);
  if (pts.length <= max) return { step: 0, points: pts };
  const step = Math.ceil((until - since) / max / BGP_BIN) * BGP_BIN;
  const out: BgpPoint[] = [];
  for (const p of pts) {
    const b = since + Math.floor((p[0] - since) / step) * step;
    const last = out[out.length - 1];
    if (last && last[0] === b) {
      if (p[1] < last[1]) { last[1] = p[1]; last[2] = p[2]; }
    } else out.push([b, p[1], p[2]]);
  }
  return { step, points: out };
}

/** Incidents overlapping the window, plus every ongoing one, newest start first. */
async function incidentsIn(store: Store, w: Window, cc?: string): Promise<Incident[]> {
  const [inWin, ongoing] = await Promise.all([
    store.incidents({ since: w.since, until: w.until, limit: 500, ...(cc ? { cc } : {}) }),
    store.incidents({ status: 'ongoing', limit: 500, ...(cc ? { cc } : {}) }),
  ]);
  const byId = new Map<string, Incident>();
  for (const i of [...inWin, ...ongoing]) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : a.id < b.id ? -1 : 1));
}

/** Platforms first, in DESIGN.md §3 order, then other hosts alphabetically. */
function byTargetOrder(a: string, b: string): number {
  const ia = (PLATFORMS as readonly string[]).indexOf(a);
  const ib = (PLATFORMS as readonly string[]).indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function dashboardRoutes(store: Store) {
  return async function dashboardApi(app: FastifyInstance) {
    app.get('/api/v1/dashboard/overview', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, ['range', 'since', 'until']);
      const w = await windowOf(store, q);
      const span = w.until - w.since;
      // One bin as wide as the window (up to the store's 366-day limit), split by country.
      const rows = await store.aggregate({ since: w.since, until: w.until, grain: Math.min(span, 366 * 86400), by: ['cc'] });
      const per = new Map<string, { cc: string; ok: number; anomaly: number; confirmed: number; failure: number; total: number; probes: number }>();
      for (const r of rows) {
        const cc = r.cc ?? 'ZZ';
        const c = per.get(cc) ?? { cc, ok: 0, anomaly: 0, confirmed: 0, failure: 0, total: 0, probes: 0 };
        c.ok += Number(r.ok); c.anomaly += Number(r.anomaly); c.confirmed += Number(r.confirmed);
        c.failure += Number(r.failure); c.total += Number(r.total); c.probes = Math.max(c.probes, Number(r.probes));
        per.set(cc, c);
      }
      const incidents = await incidentsIn(store, w);
      const { stats } = w;
      return {
        window: { since: w.since, until: w.until, range: w.range },
        stats: { measurements: stats.measurements, observations: stats.observations, incidents: stats.incidents, minT: stats.minT, maxT: stats.maxT },
        countries: [...per.values()].sort((a, b) => b.total - a.total),
        incidents,
      };
    });

    app.get<{ Params: { cc: string } }>('/api/v1/dashboard/country/:cc', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, ['range', 'since', 'until']);
      const cc = P.cc({ cc: req.params.cc }) as string;
      const w = await windowOf(store, q);
      const bin = chooseBin(w.until - w.since);
      const since = Math.floor(w.since / bin) * bin;
      const rows = await store.series({ cc, since, until: w.until, binSeconds: bin });
      const networks = new Map<number, { asn: number; network: string; total: number }>();
      const targets = new Set<string>();
      for (const r of rows) {
        const n = networks.get(r.asn) ?? { asn: r.asn, network: r.network, total: 0 };
        n.total += Number(r.total);
        if (!n.network && r.network) n.network = r.network;
        networks.set(r.asn, n);
        targets.add(r.target);
      }
      return {
        cc,
        window: { since, until: w.until, range: w.range, bin },
        networks: [...networks.values()].sort((a, b) => b.total - a.total || a.asn - b.asn),
        targets: [...targets.keys()].sort(byTargetOrder),
        // compact rows: [t, asn, target, ok, anomaly, confirmed, failure, probes, top_layer]
        rows: rows.map((r) => [Number(r.t), Number(r.asn), r.target, Number(r.ok), Number(r.anomaly), Number(r.confirmed), Number(r.failure), Number(r.probes), r.top_layer]),
        incidents: await incidentsIn(store, w, cc),
      };
    });

    app.get('/api/v1/dashboard/bgp', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, ['asn', 'range', 'since', 'until']);
      const asns = asnList(q);
      const w = await windowOf(store, q);
      if (w.until - w.since > BGP_MAX_SPAN) throw new P.ParamError('the window is longer than 366 days');
      const out: Array<{ asn: number; cc: string; rows: number; step: number; points: BgpPoint[] }> = [];
      // One ASN at a time, so at most one ASN's rows (≤ 105,408 five-minute bins a year) are in
      // memory before they are downsampled.
      for (const asn of asns) {
        const rows = await store.bgpVisibility({ asn, since: w.since, until: w.until });
        if (!rows.length) continue;
        rows.sort((a, b) => Number(a.t) - Number(b.t));
        out.push({ asn, cc: String(rows[rows.length - 1].cc ?? ''), rows: rows.length, ...downsampleBgp(rows, w.since, w.until) });
      }
      // Only ASNs with rows are listed: the dashboard draws no empty chart.
      return { window: { since: w.since, until: w.until, range: w.range }, asns: out };
    });

    app.get<{ Params: { id: string } }>('/api/v1/dashboard/incidents/:id/evidence', async (req, reply) => {
      const id = P.id(req.params.id, 'id');
      const inc = await store.incident(id);
      if (!inc) return reply.code(404).send({ error: 'not_found', reason: `no incident with id ${JSON.stringify(id)}` });
      const uids = inc.evidence.sample_uids.slice(0, 100);
      const lists = await Promise.all(uids.map((u) => store.observationsOf(u)));
      return { id, observations: lists.flat().sort((a, b) => a.t - b.t || (a.uid < b.uid ? -1 : 1)) };
    });
  };
}
