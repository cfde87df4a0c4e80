// Country: its networks × targets as a status grid at a chosen time, per network a timeline of
// each target's reachability with incidents outlined and, when stored, its BGP visibility, and the
// volume of measurements.
import { api, type CountryData } from '../api.js';
import { useData } from '../use-data.js';
import { href, navigate, type Route } from '../router.js';
import { LaneChart } from '../components/LaneChart.js';
import { LineChart, PALETTE } from '../components/LineChart.js';
import { BgpChart, BGP_TITLE } from '../components/BgpChart.js';
import { StatusGrid } from '../components/StatusGrid.js';
import { bins, byTarget } from '../components/series.js';
import { IncidentItem, LiveNote, Message, TimeFilter } from '../components/ui.js';
import { countryName, stamp, sec } from '../format.js';

/** The newest bin with data, the default "chosen time". */
function latestBin(d: CountryData): number | null {
  let m: number | null = null;
  for (const r of d.rows) if (m === null || r[0] > m) m = r[0];
  return m;
}

/** Measurements per network in coarser bins (about 48 over the window): volume is noisy per 10 min. */
function Volume({ d }: { d: CountryData }) {
  const w = d.window;
  const k = Math.max(1, Math.round((w.until - w.since) / 48 / w.bin));
  const coarse = w.bin * k;
  const starts: number[] = [];
  for (let t = w.since; t < w.until; t += coarse) starts.push(t);
  const unit = coarse >= 86400 ? `${coarse / 86400} d` : coarse >= 3600 ? `${coarse / 3600} h` : `${coarse / 60} min`;
  return (
    <>
    <p class="small muted">Observations (one per measurement and target) per {unit}, per network; network outages shaded.</p>
    <LineChart
      title={`Observations per ${unit}, per network`}
      since={w.since}
      until={w.until}
      height={180}
      shade={d.incidents.filter((i) => i.kind === 'network_outage').map((i) => ({ start: sec(i.start), end: i.end ? sec(i.end) : w.until }))}
      lines={d.networks.map((n, j) => {
        const per = new Map<number, number>();
        for (const r of d.rows) {
          if (r[1] !== n.asn) continue;
          const b = w.since + Math.floor((r[0] - w.since) / coarse) * coarse;
          per.set(b, (per.get(b) ?? 0) + r[3] + r[4] + r[5] + r[6]);
        }
        return { label: `${n.network} (AS${n.asn})`, color: PALETTE[(j + 1) % PALETTE.length], points: starts.map((t) => ({ t: t + coarse / 2, v: per.get(t) ?? 0 })) };
      })}
    />
    </>
  );
}

export function Country({ route }: { route: Route }) {
  const cc = (route.parts[1] ?? '').toUpperCase();
  const q = route.query;
  const w = { range: q.get('range') ?? undefined, since: q.get('since') ?? undefined, until: q.get('until') ?? undefined };
  const st = useData((s) => api.country(cc, w, s), `country:${cc}:${w.range}:${w.since}:${w.until}`);
  const d = st.data;
  // BGP visibility of the networks shown, over the same window (polled like the rest).
  const asns = d ? d.networks.map((n) => n.asn) : [];
  const bgp = useData((s) => (d && asns.length ? api.bgp(asns, d.window.since, d.window.until, s) : Promise.resolve(null)),
    `bgp:${cc}:${asns.join(',')}:${d?.window.since}:${d?.window.until}`);
  const bgpOf = new Map((bgp.data ?? []).map((b) => [b.asn, b]));
  const keep = { range: w.range, since: w.since, until: w.until };
  const atParam = q.get('at');
  let at: number | null = null;
  if (d) {
    const b = d.window.bin;
    const want = atParam !== null && /^\d+$/.test(atParam) ? Math.floor(Number(atParam) / b) * b : latestBin(d);
    at = want !== null && want >= d.window.since && want < d.window.until ? want : latestBin(d);
  }
  const setAt = (t: number) => navigate(href(['country', cc], { ...keep, at: t }), true);
  const allBins = d ? bins(d) : [];
  const idx = at !== null ? allBins.indexOf(at) : -1;
  return (
    <>
      <p class="crumbs"><a href={href([])}>Overview</a> › {countryName(cc)}</p>
      <h1>{countryName(cc)} ({cc})</h1>
      <TimeFilter parts={['country', cc]} query={{}} current={d?.window.range ?? w.range ?? '24h'} />
      <LiveNote state={st} />
      <Message state={st} what="the country" />
      {d && d.rows.length === 0 && <p class="muted">No measurements from {countryName(cc)} in this period.</p>}
      {d && d.rows.length > 0 && at !== null && (
        <>
          <p class="summary">{stamp(d.window.since)} – {stamp(d.window.until)} UTC, {d.networks.length} network{d.networks.length === 1 ? '' : 's'}, {d.targets.length} targets, bins of {d.window.bin / 60} min.</p>
          {d.incidents.length > 0 && (
            <section aria-labelledby="ci-h">
              <h2 id="ci-h">Incidents</h2>
              <ul class="incidents">{d.incidents.map((i) => <IncidentItem key={i.id} inc={i} />)}</ul>
            </section>
          )}
          <section aria-labelledby="grid-h">
            <h2 id="grid-h">Status grid</h2>
            <div class="at-picker">
              <button type="button" onClick={() => idx > 0 && setAt(allBins[idx - 1])} disabled={idx <= 0} aria-label="Earlier bin">◀</button>
              <label>
                <span class="sr-only">Chosen time</span>
                <input type="range" min={0} max={allBins.length - 1} value={idx} aria-valuetext={`${stamp(at)} UTC`}
                  onInput={(e) => setAt(allBins[Number((e.currentTarget as HTMLInputElement).value)])} />
              </label>
              <button type="button" onClick={() => idx < allBins.length - 1 && setAt(allBins[idx + 1])} disabled={idx >= allBins.length - 1} aria-label="Later bin">▶</button>
              <span>{stamp(at)} UTC</span>
            </div>
            <StatusGrid d={d} at={at} />
          </section>
          <section aria-labelledby="tl-h">
            <h2 id="tl-h">Reachability per network</h2>
            <p class="muted small">Each lane: green = share of measurements that reached the target, red = share that did not; outlined = a detected incident (click it). Click a time to see it in the grid.</p>
            {d.networks.map((n) => (
              <div key={n.asn} class="network">
                <h3>{n.network || 'Unknown network'} <span class="muted">AS{n.asn}</span></h3>
                <LaneChart
                  title={`Reachability of each target on ${n.network} (AS${n.asn})`}
                  targets={d.targets}
                  data={byTarget(d.rows, n.asn)}
                  since={d.window.since}
                  until={d.window.until}
                  bin={d.window.bin}
                  incidents={d.incidents.filter((i) => i.asns.includes(n.asn))}
                  at={at}
                  onPick={setAt}
                />
                {bgpOf.has(n.asn) && (
                  <>
                    <p class="small muted bgp-caption">{BGP_TITLE}; incidents of this network shaded.</p>
                    <BgpChart
                      series={[bgpOf.get(n.asn)!]}
                      names={new Map([[n.asn, n.network]])}
                      since={d.window.since}
                      until={d.window.until}
                      left={112}
                      shade={d.incidents.filter((i) => i.asns.includes(n.asn)).map((i) => ({ start: sec(i.start), end: i.end ? sec(i.end) : d.window.until }))}
                    />
                  </>
                )}
              </div>
            ))}
          </section>
          <section aria-labelledby="vol-h">
            <h2 id="vol-h">Volume of measurements</h2>
            <Volume d={d} />
          </section>
        </>
      )}
    </>
  );
}
