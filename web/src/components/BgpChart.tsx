// BGP visibility beside the probes' signal (issue 7): /24 blocks of a network seen by at least
// half of the full-feed route collector peers, from GET /api/v1/dashboard/bgp. Drawn with the
// dashboard's own LineChart; the caller draws nothing at all when there are no rows.
import type { BgpData } from '../api.js';
import { LineChart } from './LineChart.js';

export const BGP_TITLE = 'BGP visibility (/24s seen by half the full-feed peers)';
const COLORS = ['#6c3483', '#1f5fa8', '#b7620b', '#0f7b8a'];

interface Props {
  series: BgpData['asns'];
  /** network names by ASN, for the legend */
  names: Map<number, string>;
  since: number;
  until: number;
  shade?: Array<{ start: number; end: number }>;
  height?: number;
  /** left margin (LineChart's `left`) */
  left?: number;
}

export function BgpChart({ series, names, since, until, shade, height = 140, left }: Props) {
  if (!series.length) return null;
  const nets = series.map((s) => `${names.get(s.asn) || 'AS' + s.asn} (AS${s.asn})`);
  return (
    <LineChart
      class="bgp"
      title={`${BGP_TITLE}: ${nets.join(', ')}`}
      since={since}
      until={until}
      height={height}
      left={left}
      shade={shade}
      yFormat={(v) => String(Math.round(v))}
      lines={series.map((s, i) => ({
        label: `${nets[i]}, /24s visible${s.step ? ` (lowest per ${s.step / 60} min)` : ''}`,
        color: COLORS[i % COLORS.length],
        cls: 'bgp-line',
        points: s.points.map(([t, v]) => ({ t, v })),
      }))}
    />
  );
}
