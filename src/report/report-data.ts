// Gathers what a report says about one incident (issue 5): the incident itself, the series of
// its targets on the affected and the unaffected networks of the same country, context events
// and BGP visibility. The only side effect of the report stage: every renderer is pure over this.
import type { Store, SeriesRow, BgpVisibilityRow } from '../store/store.js';
import type { Incident } from '../model/incident.js';
import type { ContextEvent } from './events.js';
import { countryName, countryTimezone } from '../model/countries.js';
import { byTargetOrder, targetName } from '../model/platforms.js';
import { formatDuration } from './format.js';

export interface ChartPoint { t: number; ok: number; total: number }
export interface NetworkSeries { asn: number; network: string; affected: boolean; points: ChartPoint[] }
export interface TargetChart { target: string; name: string; networks: NetworkSeries[] }

export interface ReportData {
  incident: Incident;
  country: string;
  timezone: string;
  durationS: number | null;
  window: { since: number; until: number; binSeconds: number };
  charts: TargetChart[];
  unaffectedNetworks: Array<{ asn: number; network: string; measurements: number; okRatio: number }>;
  events: ContextEvent[];
  bgp: BgpVisibilityRow[];
  baseUrl: string | null;
  generatedAt: string;
}

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export async function buildReportData(store: Store, incident: Incident, opts: { events?: ContextEvent[]; baseUrl?: string | null; now?: number } = {}): Promise<ReportData> {
  const start = sec(incident.start);
  const end = incident.end ? sec(incident.end) : Math.floor((opts.now ?? Date.now()) / 1000);
  const dur = Math.max(end - start, 600);
  // Show the incident with context on both sides: at least 3 hours, or its own length.
  const pad = Math.max(3 * 3600, dur);
  const since = start - pad;
  const until = end + pad;
  const binSeconds = dur + 2 * pad > 3 * 86400 ? 3600 : dur + 2 * pad > 86400 ? 1800 : 600;
  const rows = await store.series({ cc: incident.cc, since, until, binSeconds });
  const affected = new Set(incident.asns);
  const targets = (incident.targets.length ? [...incident.targets] : [...new Set(rows.map((r) => r.target))].slice(0, 8))
    .sort(byTargetOrder);

  const byTarget = new Map<string, Map<number, { network: string; rows: SeriesRow[] }>>();
  for (const r of rows) {
    if (!targets.includes(r.target)) continue;
    let m = byTarget.get(r.target);
    if (!m) byTarget.set(r.target, (m = new Map()));
    let n = m.get(r.asn);
    if (!n) m.set(r.asn, (n = { network: r.network, rows: [] }));
    n.rows.push(r);
  }
  const charts: TargetChart[] = targets.map((target) => {
    const nets = byTarget.get(target) ?? new Map();
    const networks: NetworkSeries[] = [...nets.entries()]
      .map(([asn, n]) => ({
        asn,
        network: n.network,
        affected: affected.has(asn),
        points: n.rows.sort((a: SeriesRow, b: SeriesRow) => a.t - b.t).map((r: SeriesRow) => ({ t: r.t, ok: r.ok, total: r.ok + r.anomaly + r.confirmed })),
      }))
      .sort((a, b) => Number(b.affected) - Number(a.affected) || a.asn - b.asn);
    return { target, name: targetName(target), networks };
  });

  // Networks of the same country measured during the incident and not affected by it.
  const during = rows.filter((r) => r.t >= start && r.t < end && !affected.has(r.asn) && targets.includes(r.target));
  const un = new Map<number, { network: string; ok: number; n: number }>();
  for (const r of during) {
    const u = un.get(r.asn) ?? { network: r.network, ok: 0, n: 0 };
    u.ok += r.ok;
    u.n += r.ok + r.anomaly + r.confirmed;
    un.set(r.asn, u);
  }
  const unaffectedNetworks = [...un.entries()].map(([asn, u]) => ({ asn, network: u.network, measurements: u.n, okRatio: u.n ? u.ok / u.n : 0 })).sort((a, b) => a.asn - b.asn);

  let bgp: BgpVisibilityRow[] = [];
  try {
    const all = await Promise.all(incident.asns.map((asn) => store.bgpVisibility({ asn, since, until })));
    bgp = all.flat();
  } catch {
    bgp = [];
  }
  const events = (opts.events ?? []).filter((e) => e.t >= since && e.t <= until);
  return {
    incident,
    country: countryName(incident.cc),
    timezone: countryTimezone(incident.cc),
    durationS: incident.end ? end - start : null,
    window: { since, until, binSeconds },
    charts,
    unaffectedNetworks,
    events,
    bgp,
    baseUrl: opts.baseUrl ?? null,
    generatedAt: new Date(opts.now ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function headline(inc: Incident): string {
  return inc.summary;
}

export function durationText(d: ReportData): string {
  return d.durationS === null ? 'ongoing' : formatDuration(d.durationS);
}

export function measurementLink(d: ReportData, uid: string): string {
  const path = `/api/v1/measurements/${encodeURIComponent(uid)}`;
  return d.baseUrl ? `${d.baseUrl.replace(/\/$/, '')}${path}` : path;
}

export const LAYER_WORDS: Record<string, string> = {
  dns: 'DNS (the resolver returned a wrong, empty or bogus answer)',
  tcp: 'TCP (connections to the platform addresses failed)',
  tls: 'TLS (the handshake was reset, stalled or intercepted, typically on the SNI)',
  http: 'HTTP (a block page or a modified response)',
  throttle: 'throttling (downloads much slower than from a control endpoint)',
};

export const METHODOLOGY_NOTE =
  'Each measurement is judged by Vigil\'s own rules from its raw network steps, compared with a control ' +
  'helper outside the network (docs/methodology.md, "Verdicts"). An incident opens when the share of failing ' +
  'measurements of a target on one network departs from that series\' own recent baseline with high ' +
  'probability, confirmed by at least two distinct probes, while control sites on the same network keep ' +
  'working; start and end are placed at the change points, with the uncertainty given ("Detection").';
