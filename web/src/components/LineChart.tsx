// A small SVG line chart: time on x, a value on y, one line per series, shaded windows
// (incidents) and an optional marker. Used for the incident's reachability charts and for
// measurement volume.
import type { ComponentChildren } from 'preact';
import { niceTicks, tick } from '../format.js';

export interface Line { label: string; color: string; dashed?: boolean; width?: number; points: Array<{ t: number; v: number }>; /** extra class on its path */ cls?: string }

export interface LineChartProps {
  title: string;
  lines: Line[];
  since: number;
  until: number;
  shade?: Array<{ start: number; end: number; label?: string }>;
  /** fixed y maximum (1 for shares); default: the data's max */
  yMax?: number;
  yFormat?: (v: number) => string;
  height?: number;
  /** left margin in viewBox units (default 48; 112 lines the x axis up with a LaneChart) */
  left?: number;
  /** extra class on the figure (e.g. "bgp") */
  class?: string;
  children?: ComponentChildren;
}

const W = 720;

export function LineChart({ title, lines, since, until, shade = [], yMax, yFormat = (v) => String(Math.round(v)), height = 200, left = 48, class: cls }: LineChartProps) {
  const m = { l: left, r: 10, t: 10, b: 24 };
  const iw = W - m.l - m.r;
  const ih = height - m.t - m.b;
  const span = Math.max(1, until - since);
  const top = yMax ?? Math.max(1, ...lines.flatMap((l) => l.points.map((p) => p.v)));
  const x = (t: number) => m.l + ((t - since) / span) * iw;
  const y = (v: number) => m.t + (1 - v / top) * ih;
  const ticks = niceTicks(since, until);
  return (
    <figure class={cls ? `chart ${cls}` : 'chart'}>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        {shade.map((s, i) => {
          const a = Math.max(since, s.start);
          const b = Math.min(until, s.end);
          return b > a ? <rect key={i} class="shade" x={x(a)} y={m.t} width={Math.max(1, x(b) - x(a))} height={ih} /> : null;
        })}
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={m.l} x2={m.l + iw} y1={y(top * f)} y2={y(top * f)} class="grid" />
            <text x={m.l - 6} y={y(top * f) + 4} text-anchor="end" class="axis">{yFormat(top * f)}</text>
          </g>
        ))}
        {ticks.map((t) => <text key={t} x={x(t)} y={height - 6} text-anchor={x(t) > W - 30 ? 'end' : 'middle'} class="axis">{tick(t, span)}</text>)}
        {lines.map((l) => {
          const pts = l.points.filter((p) => p.t >= since && p.t <= until);
          if (!pts.length) return null;
          const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
          return <path key={l.label} class={l.cls ? `series ${l.cls}` : 'series'} d={d} fill="none" stroke={l.color} stroke-width={l.width ?? 2} stroke-dasharray={l.dashed ? '5 3' : undefined}><title>{l.label}</title></path>;
        })}
      </svg>
      <figcaption class="legend">
        {lines.map((l) => <span key={l.label}><i style={{ background: l.color }} aria-hidden="true" /> {l.label}</span>)}
        {shade.length > 0 && <span><i class="shade-key" aria-hidden="true" /> incident</span>}
      </figcaption>
    </figure>
  );
}

export const PALETTE = ['#b3261e', '#1f5fa8', '#1e7f5c', '#8a4fb0', '#b7620b', '#4a5562', '#0f7b8a'];
