// Networks × targets at one chosen bin: the share of measurements that reached each target,
// with a word and a symbol as well as a colour (readable without colour vision).
import type { CountryData } from '../api.js';
import { targetName, stamp } from '../format.js';
import { byTarget, level, okShare, type Level } from './series.js';

const SYMBOL: Record<Level, string> = { ok: '✓', degraded: '!', blocked: '✗', nodata: '·' };
const WORD: Record<Level, string> = { ok: 'reachable', degraded: 'degraded', blocked: 'blocked', nodata: 'no data' };

export function StatusGrid({ d, at }: { d: CountryData; at: number }) {
  const per = new Map(d.networks.map((n) => [n.asn, byTarget(d.rows, n.asn)]));
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Status grid">
      <table class="grid-table">
        <caption>Status at {stamp(at)}–{stamp(at + d.window.bin).slice(11)} UTC (share of measurements that reached the target)</caption>
        <thead>
          <tr><th scope="col">Network</th>{d.targets.map((t) => <th scope="col" key={t}>{targetName(t)}</th>)}</tr>
        </thead>
        <tbody>
          {d.networks.map((n) => (
            <tr key={n.asn}>
              <th scope="row">{n.network || '—'} <span class="muted">AS{n.asn}</span></th>
              {d.targets.map((t) => {
                const c = per.get(n.asn)?.get(t)?.get(at);
                const share = okShare(c);
                const lv = level(share);
                const label = `${n.network} ${targetName(t)}: ${WORD[lv]}${c ? `, ${c.ok} ok of ${c.ok + c.bad}${c.layer && c.bad ? `, failing at ${c.layer}` : ''}` : ''}`;
                return (
                  <td key={t} class={`cell ${lv}`} title={label} aria-label={label}>
                    <span aria-hidden="true">{SYMBOL[lv]}</span> {share === null ? '' : `${Math.round(share * 100)}%`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
