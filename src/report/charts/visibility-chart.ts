// BGP visibility of the affected networks over time as inline SVG: /24 blocks seen by at least
// half of the full-feed peers, per 5-minute bin (issue 7 §4: the BGP signal beside the probes').
import type { BgpVisibilityRow } from '../../store/store.js';
import { escapeXml } from './xml.js';

export function visibilityChart(rows: BgpVisibilityRow[], o: { title: string; since: number; until: number; shade?: { start: number; end: number | null } | null; width?: number; height?: number }): string {
  const W = o.width ?? 720;
  const H = o.height ?? 180;
  const m = { l: 52, r: 12, t: 26, b: 28 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const span = Math.max(1, o.until - o.since);
  const max = Math.max(1, ...rows.map((r) => r.slash24));
  const x = (t: number) => m.l + ((t - o.since) / span) * iw;
  const y = (v: number) => m.t + (1 - v / max) * ih;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`, `<text x="${m.l}" y="16" font-weight="600">${escapeXml(o.title)}</text>`];
  if (o.shade) {
    const s = Math.max(o.since, o.shade.start);
    const e = Math.min(o.until, o.shade.end ?? o.until);
    if (e > s) out.push(`<rect x="${x(s).toFixed(1)}" y="${m.t}" width="${(x(e) - x(s)).toFixed(1)}" height="${ih}" fill="#f5b7b1" fill-opacity="0.45"/>`);
  }
  out.push(`<text x="${m.l - 6}" y="${m.t + 4}" text-anchor="end">${max}</text><text x="${m.l - 6}" y="${m.t + ih}" text-anchor="end">0</text>`);
  const byAsn = new Map<number, BgpVisibilityRow[]>();
  for (const r of rows) byAsn.set(r.asn, [...(byAsn.get(r.asn) ?? []), r]);
  for (const [asn, rs] of byAsn) {
    const d = rs.sort((a, b) => a.t - b.t).filter((r) => r.t >= o.since && r.t <= o.until)
      .map((r, i) => `${i ? 'L' : 'M'}${x(r.t).toFixed(1)},${y(r.slash24).toFixed(1)}`).join('');
    if (d) out.push(`<path d="${d}" fill="none" stroke="#6c3483" stroke-width="2"><title>AS${asn}</title></path>`);
  }
  out.push('</svg>');
  return out.join('');
}
