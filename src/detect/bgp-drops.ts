// Outages seen from the routing table: a network's /24 visibility falling well below its own
// recent baseline (DESIGN.md §4: compare each series with its own baseline). Pure: rows in,
// drops out. The detection engine takes these as `bgpDrops` to open or support a network_outage.
import type { BgpVisibilityRow } from '../store/store.js';

export interface BgpDrop {
  asn: number;
  cc: string;
  /** first bin below the threshold (Unix seconds) */
  start: number;
  /** first bin back at or above the recovery level; null while ongoing */
  end: number | null;
  /** baseline /24 count (median of the bins before the drop) */
  baseline: number;
  /** lowest /24 count during the drop */
  min: number;
}

export interface DropOptions {
  /** bin width in seconds (default 300) */
  binSeconds?: number;
  /** baseline window in bins before a bin (default 24 = 2 h of 5-minute bins) */
  baselineBins?: number;
  /** at least this many earlier bins are needed for a baseline (default 3) */
  minBaselineBins?: number;
  /** a bin below baseline × dropRatio opens a drop (default 0.5) */
  dropRatio?: number;
  /** a drop ends at the first bin back at or above baseline × recoverRatio (default 0.8) */
  recoverRatio?: number;
  /** ignore networks whose baseline is below this many /24s (default 1) */
  minBaseline?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Drops per (asn, cc) series. Rows may come in any order; missing bins inside a series are read
 * as "no data" (skipped), not as zero — the importer writes explicit zeros for dark networks.
 * The baseline is frozen while a drop is open, so a long outage does not become its own baseline.
 */
export function detectBgpDrops(rows: BgpVisibilityRow[], opts: DropOptions = {}): BgpDrop[] {
  const window = opts.baselineBins ?? 24;
  const minBins = opts.minBaselineBins ?? 3;
  const dropRatio = opts.dropRatio ?? 0.5;
  const recoverRatio = opts.recoverRatio ?? 0.8;
  const minBaseline = opts.minBaseline ?? 1;
  const series = new Map<string, BgpVisibilityRow[]>();
  for (const r of rows) {
    const k = `${r.asn}|${r.cc}`;
    let s = series.get(k);
    if (!s) { s = []; series.set(k, s); }
    s.push(r);
  }
  const out: BgpDrop[] = [];
  for (const s of series.values()) {
    s.sort((a, b) => a.t - b.t);
    const hist: number[] = [];
    let open: BgpDrop | null = null;
    for (const r of s) {
      if (open) {
        if (r.slash24 >= open.baseline * recoverRatio) {
          open.end = r.t;
          out.push(open);
          open = null;
        } else {
          open.min = Math.min(open.min, r.slash24);
          continue;
        }
      }
      if (hist.length >= minBins) {
        const base = median(hist.slice(-window));
        if (base >= minBaseline && r.slash24 < base * dropRatio) {
          open = { asn: r.asn, cc: r.cc, start: r.t, end: null, baseline: base, min: r.slash24 };
          continue;
        }
      }
      hist.push(r.slash24);
    }
    if (open) out.push(open);
  }
  return out.sort((a, b) => a.start - b.start || a.asn - b.asn || (a.cc < b.cc ? -1 : a.cc > b.cc ? 1 : 0));
}
