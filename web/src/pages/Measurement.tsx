// Measurement: the raw measurement (OONI format) pretty-printed, Vigil's verdict for each of its
// observations, and the failing step explained in words.
import { api } from '../api.js';
import { useData } from '../use-data.js';
import { href, type Route } from '../router.js';
import { Message } from '../components/ui.js';
import { countryName, targetName } from '../format.js';
import { explain, statusWords, steps } from '../explain.js';

const STEP_MARK = { ok: '✓', failed: '✗', 'not reached': '–', unknown: '?' } as const;

export function Measurement({ route }: { route: Route }) {
  const uid = route.parts[1] ?? '';
  const m = useData((s) => api.measurement(uid, s), `m:${uid}`, null);
  const o = useData((s) => api.observations(uid, s), `o:${uid}`, null);
  const raw = m.data;
  const field = (k: string) => (raw && typeof raw[k] === 'string' ? (raw[k] as string) : '—');
  const cc = raw && typeof raw.probe_cc === 'string' ? raw.probe_cc : '';
  return (
    <>
      <p class="crumbs"><a href={href([])}>Overview</a> › {cc && <><a href={href(['country', cc])}>{countryName(cc)}</a> › </>}Measurement</p>
      <h1>Measurement</h1>
      <p class="uid-line"><code>{uid}</code> · <a href={`/api/v1/measurements/${encodeURIComponent(uid)}`} type="application/json">JSON</a></p>
      <Message state={m} what="the measurement" />
      {raw && (
        <>
          <dl class="facts">
            <div><dt>Time</dt><dd>{field('measurement_start_time')} UTC</dd></div>
            <div><dt>Country</dt><dd>{cc ? `${countryName(cc)} (${cc})` : '—'}</dd></div>
            <div><dt>Network</dt><dd>{field('probe_network_name')} ({field('probe_asn')})</dd></div>
            <div><dt>Test</dt><dd>{field('test_name')} {field('test_version')}</dd></div>
            <div><dt>Input</dt><dd>{field('input')}</dd></div>
            <div><dt>Software</dt><dd>{field('software_name')} {field('software_version')}</dd></div>
          </dl>
          <section aria-labelledby="v-h">
            <h2 id="v-h">Vigil's verdict</h2>
            <Message state={o} what="the verdict" />
            {o.data && o.data.observations.length === 0 && <p class="muted">No observation was derived from this measurement.</p>}
            {o.data && o.data.observations.map((ob) => (
              <div key={ob.target} class={`verdict ${ob.status}`}>
                <h3>{targetName(ob.target)}: {statusWords(ob.status)}</h3>
                <p class="small muted">status <code>{ob.status}</code>{ob.layer && <> · layer <code>{ob.layer}</code></>}{ob.failure && <> · failure <code>{ob.failure}</code></>}{ob.value !== null && <> · rate ratio {ob.value}</>}</p>
                <ol class="steps" aria-label="Steps">
                  {steps(ob).map((x) => <li key={x.name} class={`step ${x.state.replace(' ', '-')}`}><span aria-hidden="true">{STEP_MARK[x.state]}</span> {x.name} <span class="sr-only">{x.state}</span></li>)}
                </ol>
                <p class="explain">{explain(raw, ob)}</p>
              </div>
            ))}
          </section>
          <section aria-labelledby="r-h">
            <h2 id="r-h">Raw measurement</h2>
            <pre class="raw" tabIndex={0} aria-label="Raw measurement JSON">{JSON.stringify(raw, null, 2)}</pre>
          </section>
        </>
      )}
    </>
  );
}
