// Overview: ongoing and recent incidents (newest first, with the headline sentence), a world map
// shaded by them, the countries measured, and a time filter. All from one aggregate query.
import { api } from '../api.js';
import { useData } from '../use-data.js';
import type { Route } from '../router.js';
import { href } from '../router.js';
import { WorldMap, type MapState } from '../components/WorldMap.js';
import { IncidentItem, LiveNote, Message, TimeFilter } from '../components/ui.js';
import { countryName, stamp, pct } from '../format.js';

export function Overview({ route }: { route: Route }) {
  const range = route.query.get('range') ?? '24h';
  const st = useData((s) => api.overview(range, s), `overview:${range}`);
  const d = st.data;
  const states = new Map<string, MapState>();
  const counts = new Map<string, number>();
  if (d) {
    for (const c of d.countries) states.set(c.cc, 'measured');
    for (const i of d.incidents) {
      counts.set(i.cc, (counts.get(i.cc) ?? 0) + 1);
      if (i.status === 'ongoing') states.set(i.cc, 'ongoing');
      else if (states.get(i.cc) !== 'ongoing') states.set(i.cc, 'recent');
    }
  }
  const ongoing = d?.incidents.filter((i) => i.status === 'ongoing').length ?? 0;
  return (
    <>
      <h1>Internet disruptions</h1>
      <TimeFilter parts={[]} query={{}} current={d?.window.range ?? range} />
      <LiveNote state={st} />
      <Message state={st} what="the overview" />
      {d && (
        <>
          <p class="summary">
            {d.window && <>From {stamp(d.window.since)} to {stamp(d.window.until)} UTC: </>}
            <strong>{d.incidents.length}</strong> incident{d.incidents.length === 1 ? '' : 's'}
            {ongoing > 0 && <> (<strong>{ongoing} ongoing</strong>)</>} in {d.countries.length} measured countr{d.countries.length === 1 ? 'y' : 'ies'}.
            {d.stats.maxT !== null && <span class="muted"> Newest measurement {stamp(d.stats.maxT)} UTC; {d.stats.measurements.toLocaleString('en')} measurements stored.</span>}
          </p>
          <div class="two">
            <section aria-labelledby="inc-h">
              <h2 id="inc-h">Incidents, newest first</h2>
              {d.incidents.length === 0 ? <p class="muted">No incident in this period.</p> : (
                <ul class="incidents">{d.incidents.map((i) => <IncidentItem key={i.id} inc={i} />)}</ul>
              )}
            </section>
            <section aria-labelledby="map-h">
              <h2 id="map-h">Where</h2>
              <WorldMap states={states} counts={counts} />
            </section>
          </div>
          <section aria-labelledby="cc-h">
            <h2 id="cc-h">Countries measured</h2>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Countries measured">
              <table>
                <thead><tr><th scope="col">Country</th><th scope="col" class="num">Observations</th><th scope="col" class="num">Anomalous</th><th scope="col" class="num">Probes</th><th scope="col" class="num">Incidents</th></tr></thead>
                <tbody>
                  {d.countries.map((c) => {
                    const usable = c.ok + c.anomaly + c.confirmed;
                    return (
                      <tr key={c.cc}>
                        <th scope="row"><a href={href(['country', c.cc], { range: d.window.range === 'custom' ? undefined : d.window.range })}>{countryName(c.cc)} ({c.cc})</a></th>
                        <td class="num">{c.total.toLocaleString('en')}</td>
                        <td class="num">{usable ? pct((c.anomaly + c.confirmed) / usable) : '—'}</td>
                        <td class="num">{c.probes}</td>
                        <td class="num">{counts.get(c.cc) ?? 0}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
