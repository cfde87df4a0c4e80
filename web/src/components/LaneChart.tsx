// Per network: one lane per target, each bin split into the share of measurements that reached
// the target (green, bottom) and the share that did not (red, top); incidents of this network
// outlined across the lanes of their targets; the chosen time as a vertical rule. Clicking a
// bin chooses that time (the status grid follows).
import type { Incident } from '../api.js';
import { niceTicks, targetName, tick, sec } from '../format.js';
import type { Cell } from './series.js';

interface Props {
  title: string;
  targets: string[];
  data: Map<string, Map<number, Cell>>;
  since: number;
  until: number;
  bin: number;
  incidents: Incident[];
  at: number | null;
  onPick?: (t: number) => void;
}

const W = 720;
const LABEL = 112;
const LANE = 20;
const GAP = 4;

export function LaneChart({ title, targets, data, since, until, bin, incidents, at, onPick }: Props) {
  const top = 6;
  const H = top + targets.length * (LANE + GAP) + 22;
  const iw = W - LABEL - 10;
  const span = Math.max(1, until - since);
  const x = (t: number) => LABEL + ((Math.min(Math.max(t, since), until) - since) / span) * iw;
  const bw = Math.max(0.5, (bin / span) * iw);
  const laneY = (i: number) => top + i * (LANE + GAP);
  const ticks = niceTicks(since, until);
  const pick = (e: MouseEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const r = svg.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * W;
    if (px < LABEL || !onPick) return;
    const t = since + ((px - LABEL) / iw) * span;
    onPick(Math.floor(t / bin) * bin);
  };
  return (
    <figure class="chart lanes">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} onClick={pick}>
        <title>{title}</title>
        {targets.map((target, i) => {
          const cells = data.get(target);
          let ok = '';
          let bad = '';
          const y0 = laneY(i);
          if (cells) {
            for (const [t, c] of cells) {
              const n = c.ok + c.bad;
              if (!n || t < since || t >= until) continue;
              const hOk = (c.ok / n) * LANE;
              const xx = x(t).toFixed(1);
              const w = bw.toFixed(2);
              if (c.bad) bad += `M${xx},${y0}h${w}v${(LANE - hOk).toFixed(1)}h-${w}Z`;
              if (c.ok) ok += `M${xx},${(y0 + LANE - hOk).toFixed(1)}h${w}v${hOk.toFixed(1)}h-${w}Z`;
            }
          }
          return (
            <g key={target}>
              <text x={LABEL - 6} y={y0 + LANE / 2 + 4} text-anchor="end" class="lane-label">{targetName(target)}</text>
              <rect x={LABEL} y={y0} width={iw} height={LANE} class="lane-bg" />
              {ok && <path class="lane-ok" d={ok} />}
              {bad && <path class="lane-bad" d={bad} />}
            </g>
          );
        })}
        {incidents.map((inc) => {
          const s = sec(inc.start);
          const e = inc.end ? sec(inc.end) : until;
          if (e <= since || s >= until) return null;
          // one outline per lane of the incident's targets (every lane for an outage)
          const rows = targets.map((t, i) => (!inc.targets.length || inc.targets.includes(t) ? i : -1)).filter((i) => i >= 0);
          if (!rows.length) return null;
          const x1 = x(s);
          const w = Math.max(2, x(e) - x1);
          return (
            <a key={inc.id} href={`#/incident/${encodeURIComponent(inc.id)}`} aria-label={`Incident: ${inc.summary}`}>
              <title>{inc.summary}</title>
              {rows.map((i) => <rect key={i} class="incident-box" x={x1} y={laneY(i) - 1} width={w} height={LANE + 2} />)}
            </a>
          );
        })}
        {at !== null && at >= since && at < until && <rect class="at" x={x(at)} y={top - 4} width={Math.max(1.5, bw)} height={targets.length * (LANE + GAP) + 2} />}
        {ticks.map((t) => <text key={t} x={x(t)} y={H - 6} text-anchor={x(t) > W - 30 ? 'end' : 'middle'} class="axis">{tick(t, span)}</text>)}
      </svg>
    </figure>
  );
}
