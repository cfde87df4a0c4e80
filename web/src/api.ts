// The dashboard's calls to the collector's API (DESIGN.md §6) and to src/collect/routes/dashboard-api.ts.
import type { Incident } from '../../src/model/incident.js';
import type { Observation } from '../../src/model/observation.js';
import type { MeasurementSummary } from '../../src/store/store.js';

export type { Incident, Observation, MeasurementSummary };

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'the collector does not answer');
  }
  if (!res.ok) {
    let reason = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { reason?: string };
      if (body.reason) reason = body.reason;
    } catch {}
    throw new ApiError(res.status, reason);
  }
  return (await res.json()) as T;
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export interface Window { since: number; until: number; range: string }

export interface CountryCount { cc: string; ok: number; anomaly: number; confirmed: number; failure: number; total: number; probes: number }

export interface Overview {
  window: Window;
  stats: { measurements: number; observations: number; incidents: number; minT: number | null; maxT: number | null };
  countries: CountryCount[];
  incidents: Incident[];
}

/** [t, asn, target, ok, anomaly, confirmed, failure, probes, top_layer] */
export type SeriesTuple = [number, number, string, number, number, number, number, number, string | null];

export interface CountryData {
  cc: string;
  window: Window & { bin: number };
  networks: Array<{ asn: number; network: string; total: number }>;
  targets: string[];
  rows: SeriesTuple[];
  incidents: Incident[];
}

export interface ReportJson {
  incident: Incident;
  headline: string;
  country: string;
  timezone: string;
  duration_s: number | null;
  facts: Record<string, string>;
  how: string[];
  unaffected_networks: Array<{ asn: number; network: string; measurements: number; okRatio: number }>;
  series: Array<{ target: string; name: string; networks: Array<{ asn: number; network: string; affected: boolean; points: Array<{ t: number; ok: number; total: number }> }> }>;
  methodology: string;
}

/** GET /api/v1/dashboard/bgp: per ASN with stored rows, points [t, slash24, peers] (at most 300;
 * step > 0 when downsampled to the lowest /24 count per step-second bucket). */
export interface BgpData {
  window: Window;
  asns: Array<{ asn: number; cc: string; rows: number; step: number; points: Array<[number, number, number]> }>;
}

/** The endpoint takes at most this many ASNs per request. */
export const BGP_MAX_ASNS = 20;

export interface AggregationRow { t: number; time: string; ok: number; anomaly: number; confirmed: number; failure: number; total: number; probes: number }

export const api = {
  overview: (range: string, s?: AbortSignal) => getJSON<Overview>(`/api/v1/dashboard/overview${qs({ range })}`, s),
  country: (cc: string, w: { range?: string; since?: string; until?: string }, s?: AbortSignal) =>
    getJSON<CountryData>(`/api/v1/dashboard/country/${encodeURIComponent(cc)}${qs(w)}`, s),
  incident: (id: string, s?: AbortSignal) => getJSON<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}`, s),
  report: (id: string, s?: AbortSignal) => getJSON<ReportJson>(`/api/v1/incidents/${encodeURIComponent(id)}/report.json`, s),
  evidence: (id: string, s?: AbortSignal) => getJSON<{ observations: Observation[] }>(`/api/v1/dashboard/incidents/${encodeURIComponent(id)}/evidence`, s),
  measurement: (uid: string, s?: AbortSignal) => getJSON<Record<string, unknown>>(`/api/v1/measurements/${encodeURIComponent(uid)}`, s),
  observations: (uid: string, s?: AbortSignal) => getJSON<{ observations: Observation[] }>(`/api/v1/measurements/${encodeURIComponent(uid)}/observations`, s),
  measurements: (q: Record<string, string | number | undefined>, s?: AbortSignal) =>
    getJSON<{ total: number; limit: number; offset: number; measurements: MeasurementSummary[] }>(`/api/v1/measurements${qs(q)}`, s),
  /** BGP visibility of any number of ASNs over [since, until): one request per 20 ASNs. */
  bgp: async (asns: number[], since: number, until: number, s?: AbortSignal): Promise<BgpData['asns']> => {
    const parts: number[][] = [];
    for (let i = 0; i < asns.length; i += BGP_MAX_ASNS) parts.push(asns.slice(i, i + BGP_MAX_ASNS));
    const answers = await Promise.all(parts.map((p) => getJSON<BgpData>(`/api/v1/dashboard/bgp${qs({ asn: p.join(','), since, until })}`, s)));
    return answers.flatMap((a) => a.asns);
  },
  aggregation: (q: Record<string, string | number | undefined>, s?: AbortSignal) =>
    getJSON<{ grain: number; rows: AggregationRow[] }>(`/api/v1/aggregation${qs(q)}`, s),
};
