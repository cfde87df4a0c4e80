// Reachability over time as an inline SVG (issue 5: charts as inline SVG; a pure function in
// the manner of Observable Plot: data in, markup out). One line per network: the share of
// measurements of a target that succeeded, per bin; the incident window shaded; context events
// as labelled vertical rules.
import type { NetworkSeries } from '../report-data.js';
import type { ContextEvent } from '../events.js';
import { escapeXml } from './xml.js';

export interface ChartOptions {
  title: string;
  since: number;
  until: number;
  shade?: { start: number; end: number | null } | null;
  events?: ContextEvent[];
  width?: number;
  height?: number;
}

const COLORS_AFFECTED = ['#c0392b', '#e67e22', '#8e44ad'];
const COLORS_OTHER = ['#2471a3', '#148f77', '#7d8c8d', '#2e4053'];

function hhmm(t: number): string {
  return new Date(t * 1000).toISOString().slice(11, 16);
}

/** Ticks on round UTC times (every 1, 2, 3, 6 or 12 hours), about six across, inside the span. */
export function timeTicks(since: number, until: number): number[] {
  const span = Math.max(1, until - since);
  const step = [1800, 3600, 7200, 10800, 21600, 43200, 86400].find((s) => span / s <= 7) ?? 86400;
  const out: number[] = [];
  for (let t = Math.ceil(since / step) * step; t <= until; t += step) out.push(t);
  return out;
}

export function reachabilityChart(series: NetworkSeries[], o: ChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 220;
  const m = { l: 44, r: 12, t: 26, b: 40 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const span = Math.max(1, o.until - o.since);
  const x = (t: number) => m.l + ((t - o.since) / span) * iw;
  const y = (v: number) => m.t + (1 - v) * ih;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<title>${escapeXml(o.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  if (o.shade) {
    const s = Math.max(o.since, o.shade.start);
    const e = Math.min(o.until, o.shade.end ?? o.until);
    if (e > s) parts.push(`<rect class="incident" x="${x(s).toFixed(1)}" y="${m.t}" width="${(x(e) - x(s)).toFixed(1)}" height="${ih}" fill="#f5b7b1" fill-opacity="0.45"/>`);
  }
  for (const v of [0, 0.5, 1]) {
    parts.push(`<line x1="${m.l}" x2="${m.l + iw}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${Math.round(v * 100)}%</text>`);
  }
  for (const t of timeTicks(o.since, o.until)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${m.t + ih}" y2="${m.t + ih + 4}" stroke="#999"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${m.t + ih + 15}" text-anchor="middle" fill="#555">${hhmm(t)}</text>`);
  }
  parts.push(`<text x="${m.l}" y="16" font-weight="600" fill="#222">${escapeXml(o.title)}</text>`);
  let ia = 0;
  let io = 0;
  const legend: string[] = [];
  for (const s of series) {
    const color = s.affected ? COLORS_AFFECTED[ia++ % COLORS_AFFECTED.length] : COLORS_OTHER[io++ % COLORS_OTHER.length];
    const pts = s.points.filter((p) => p.total > 0 && p.t >= o.since && p.t <= o.until);
    if (pts.length > 0) {
      const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.ok / p.total).toFixed(1)}`).join('');
      parts.push(`<path class="series" data-asn="${s.asn}" d="${d}" fill="none" stroke="${color}" stroke-width="${s.affected ? 2 : 1.5}"${s.affected ? '' : ' stroke-dasharray="4 2"'}/>`);
    }
    legend.push(`<tspan fill="${color}">■ ${escapeXml(s.network || `AS${s.asn}`)} (AS${s.asn})${s.affected ? ' — affected' : ''}</tspan>`);
  }
  parts.push(`<text x="${m.l}" y="${H - 6}">${legend.join('<tspan>   </tspan>')}</text>`);
  for (const e of o.events ?? []) {
    if (e.t < o.since || e.t > o.until) continue;
    parts.push(`<line class="event" x1="${x(e.t).toFixed(1)}" x2="${x(e.t).toFixed(1)}" y1="${m.t}" y2="${m.t + ih}" stroke="#333" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${(x(e.t) + 3).toFixed(1)}" y="${m.t + 10}" fill="#333">${escapeXml(e.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
