// Incident: the report (the same content as `vigil report`, from report.json), its charts, the
// BGP visibility of its networks when stored, the evidence table linking to each measurement, and
// links to the JSON, the reports and the feed.
import { api, type Incident as Inc } from '../api.js';
import { useData } from '../use-data.js';
import { href, type Route } from '../router.js';
import { LineChart, PALETTE } from '../components/LineChart.js';
import { BgpChart, BGP_TITLE } from '../components/BgpChart.js';
import { LiveNote, Message, StatusBadge } from '../components/ui.js';
import { KIND_WORDS, countryName, sec, stamp, targetName, pct } from '../format.js';
import { statusWords } from '../explain.js';

/** The window the report uses (src/report/report-data.ts): the incident with at least 3 hours,
 * or its own length, on both sides; an ongoing one up to the detector's last update. */
function contextWindow(inc: Inc): { since: number; until: number } {
  const start = sec(inc.start);
  const end = inc.end ? sec(inc.end) : Math.max(start, inc.updated_at ? sec(inc.updated_at) : Math.floor(Date.now() / 1000));
  const pad = Math.max(3 * 3600, Math.max(end - start, 600));
  return { since: start - pad, until: end + pad };
}

function Links({ inc }: { inc: Inc }) {
  const base = `/api/v1/incidents/${encodeURIComponent(inc.id)}`;
  const mid = Math.floor((sec(inc.start) + (inc.end ? sec(inc.end) : sec(inc.start) + 3600)) / 2);
  const pad = Math.max(3 * 3600, (inc.end ? sec(inc.end) : mid) - sec(inc.start));
  return (
    <ul class="links">
      <li><a href={base} type="application/json">JSON</a></li>
      <li><a href={`${base}/report.md`} type="text/markdown">Report (Markdown)</a></li>
      <li><a href={`${base}/report.html`} type="text/html">Report (HTML)</a></li>
      <li><a href={`${base}/report.txt`} type="text/plain">Report (text)</a></li>
      <li><a href="/feed.atom" type="application/atom+xml">Atom feed</a></li>
      <li><a href={href(['country', inc.cc], { since: sec(inc.start) - pad, until: (inc.end ? sec(inc.end) : mid) + pad, at: mid })}>{countryName(inc.cc)} at that time</a></li>
    </ul>
  );
}

export function Incident({ route }: { route: Route }) {
  const id = route.parts[1] ?? '';
  const st = useData((s) => api.incident(id, s), `incident:${id}`);
  const inc = st.data;
  // The report and the evidence are re-read only when the incident itself changed.
  const ver = inc ? `${inc.updated_at ?? ''}:${inc.end ?? ''}:${inc.status}` : '';
  const rep = useData((s) => (inc ? api.report(id, s) : Promise.resolve(null)), `report:${id}:${ver}`, null);
  const ev = useData((s) => (inc ? api.evidence(id, s) : Promise.resolve(null)), `evidence:${id}:${ver}`, null);
  const cw = inc ? contextWindow(inc) : null;
  const bgp = useData((s) => (inc && cw && inc.asns.length ? api.bgp(inc.asns, cw.since, cw.until, s) : Promise.resolve(null)), `bgp:${id}:${ver}`, null);
  const r = rep.data;
  return (
    <>
      <p class="crumbs"><a href={href([])}>Overview</a> › {inc ? <><a href={href(['country', inc.cc])}>{countryName(inc.cc)}</a> › </> : null}Incident</p>
      <Message state={st} what="the incident" />
      {inc && (
        <article>
          <div class="incident-head"><StatusBadge inc={inc} /><span class="badge kind">{KIND_WORDS[inc.kind] ?? inc.kind}</span></div>
          <h1 class="headline-h">{inc.summary}</h1>
          <LiveNote state={st} />
          <Links inc={inc} />
          <section aria-labelledby="facts-h">
            <h2 id="facts-h">Facts</h2>
            <dl class="facts">
              {r ? Object.entries(r.facts).map(([k, v]) => <div key={k}><dt>{k[0].toUpperCase() + k.slice(1)}</dt><dd>{v}</dd></div>) : (
                <>
                  <div><dt>Start</dt><dd>{stamp(inc.start)} UTC</dd></div>
                  <div><dt>End</dt><dd>{inc.end ? `${stamp(inc.end)} UTC` : 'ongoing'}</dd></div>
                  <div><dt>Confidence</dt><dd>{pct(inc.confidence)}</dd></div>
                </>
              )}
            </dl>
            {r && r.how.length > 0 && <><h3>How</h3><ul>{r.how.map((h) => <li key={h}>{h}</li>)}</ul></>}
            {r && r.unaffected_networks.length > 0 && (
              <><h3>Other networks, same targets, same time</h3>
                <ul>{r.unaffected_networks.map((u) => <li key={u.asn}>{u.network || 'unknown'} (AS{u.asn}): {u.measurements} measurements, {pct(u.okRatio)} successful</li>)}</ul></>
            )}
          </section>
          <section aria-labelledby="charts-h">
            <h2 id="charts-h">Reachability</h2>
            <Message state={rep} what="the charts" />
            {r && r.series.map((c) => {
              const ts = c.networks.flatMap((n) => n.points.map((p) => p.t));
              if (!ts.length) return <p key={c.target} class="muted">{c.name}: no data around the incident.</p>;
              let ia = 0;
              let io = 1;
              return (
                <div key={c.target}>
                  <h3>{c.name}</h3>
                  <LineChart
                    title={`${c.name}: share of measurements that succeeded, per network`}
                    since={Math.min(...ts)}
                    until={Math.max(...ts)}
                    yMax={1}
                    yFormat={(v) => `${Math.round(v * 100)}%`}
                    shade={[{ start: sec(inc.start), end: inc.end ? sec(inc.end) : Math.max(...ts) }]}
                    lines={c.networks.map((n) => ({
                      label: `${n.network || 'AS' + n.asn} (AS${n.asn})${n.affected ? ' — affected' : ''}`,
                      color: n.affected ? ['#b3261e', '#b7620b', '#8a4fb0'][ia++ % 3] : PALETTE[io++ % PALETTE.length],
                      dashed: !n.affected,
                      width: n.affected ? 2.5 : 1.5,
                      points: n.points.filter((p) => p.total > 0).map((p) => ({ t: p.t, v: p.ok / p.total })),
                    }))}
                  />
                </div>
              );
            })}
          </section>
          {inc && cw && bgp.data && bgp.data.length > 0 && (
            <section aria-labelledby="bgp-h">
              <h2 id="bgp-h">BGP visibility</h2>
              <p class="small muted">{BGP_TITLE}, per affected network; the incident shaded. A drop means routes to part of the network's address space were withdrawn.</p>
              <BgpChart
                series={bgp.data}
                names={new Map(inc.asns.map((a, k) => [a, inc.networks[k] ?? '']))}
                since={cw.since}
                until={cw.until}
                height={180}
                shade={[{ start: sec(inc.start), end: inc.end ? sec(inc.end) : cw.until }]}
              />
            </section>
          )}
          <section aria-labelledby="ev-h">
            <h2 id="ev-h">Evidence</h2>
            <p>{inc.evidence.measurements.toLocaleString('en')} measurements, {inc.evidence.anomalies.toLocaleString('en')} anomalous, from {inc.evidence.probes} distinct probes. Sample measurements:</p>
            <Message state={ev} what="the evidence" />
            {ev.data && (
              <div class="table-wrap" tabIndex={0} role="region" aria-label="Evidence">
                <table class="evidence">
                  <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Network</th><th scope="col">Test</th><th scope="col">Target</th><th scope="col">Verdict</th><th scope="col">Failure</th><th scope="col">Measurement</th></tr></thead>
                  <tbody>
                    {ev.data.observations.map((o) => (
                      <tr key={`${o.uid}:${o.target}`} class={o.status}>
                        <td>{stamp(o.t)}</td>
                        <td>{o.network} <span class="muted">AS{o.asn}</span></td>
                        <td>{o.test_name}</td>
                        <td>{targetName(o.target)}</td>
                        <td>{statusWords(o.status)}{o.layer ? ` (${o.layer.toUpperCase()})` : ''}</td>
                        <td><code>{o.failure ?? '—'}</code></td>
                        <td><a href={href(['measurement', o.uid])} class="uid">{o.uid}</a></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {r && <section aria-labelledby="m-h"><h2 id="m-h">Method</h2><p class="small">{r.methodology}</p></section>}
        </article>
      )}
    </>
  );
}
