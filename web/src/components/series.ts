// Shapes the country endpoint's compact rows for the charts and the grid.
import type { CountryData, SeriesTuple } from '../api.js';

export interface Cell { ok: number; bad: number; failure: number; probes: number; layer: string | null }

/** rows of one network: target → bin start → counts */
export function byTarget(rows: SeriesTuple[], asn: number): Map<string, Map<number, Cell>> {
  const out = new Map<string, Map<number, Cell>>();
  for (const [t, a, target, ok, anomaly, confirmed, failure, probes, layer] of rows) {
    if (a !== asn) continue;
    let m = out.get(target);
    if (!m) out.set(target, (m = new Map()));
    m.set(t, { ok, bad: anomaly + confirmed, failure, probes, layer });
  }
  return out;
}

/** the bin starts of the window */
export function bins(d: CountryData): number[] {
  const out: number[] = [];
  for (let t = d.window.since; t < d.window.until; t += d.window.bin) out.push(t);
  return out;
}

/** share of usable observations that were ok, or null without data */
export function okShare(c: Cell | undefined): number | null {
  if (!c) return null;
  const n = c.ok + c.bad;
  return n ? c.ok / n : null;
}

export type Level = 'ok' | 'degraded' | 'blocked' | 'nodata';

export function level(share: number | null): Level {
  if (share === null) return 'nodata';
  return share >= 0.8 ? 'ok' : share >= 0.5 ? 'degraded' : 'blocked';
}
