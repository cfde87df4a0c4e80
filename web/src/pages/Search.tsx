// Search: measurements by country, ASN, target, test and time range, as a table with a CSV
// download. The form state lives in the URL, so a search is a shareable link.
import { useState } from 'preact/hooks';
import { api, type MeasurementSummary } from '../api.js';
import { useData } from '../use-data.js';
import { href, navigate, type Route } from '../router.js';
import { Message } from '../components/ui.js';
import { fromInput, stamp, toInput, targetName } from '../format.js';
import { PLATFORMS } from '../../../src/model/platforms.js';
import { toCsv, download } from '../csv.js';

const PAGE = 100;
const FIELDS = ['cc', 'asn', 'target', 'test_name', 'since', 'until'] as const;
const TESTS = ['web_connectivity', 'whatsapp', 'facebook_messenger', 'telegram', 'signal', 'vigil_throughput'];

const HEADER = ['uid', 'time_utc', 'cc', 'asn', 'network', 'test_name', 'input', 'probe_id'];
const csvRow = (m: MeasurementSummary) => [m.uid, new Date(m.t * 1000).toISOString(), m.cc, m.asn, m.network, m.test_name, m.input, m.probe_id];

export function Search({ route }: { route: Route }) {
  const q = Object.fromEntries(FIELDS.map((f) => [f, route.query.get(f) ?? undefined])) as Record<(typeof FIELDS)[number], string | undefined>;
  const page = Math.max(0, Number(route.query.get('page') ?? 0) || 0);
  const asked = FIELDS.some((f) => q[f]);
  const key = JSON.stringify([q, page]);
  const st = useData((s) => (asked ? api.measurements({ ...q, limit: PAGE, offset: page * PAGE }, s) : Promise.resolve(null)), key, null);
  const [busy, setBusy] = useState(false);
  const [csvError, setCsvError] = useState<string | null>(null);

  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (k: string) => String(f.get(k) ?? '').trim();
    navigate(href(['search'], {
      cc: v('cc').toUpperCase(), asn: v('asn').replace(/^AS/i, ''), target: v('target').toLowerCase(), test_name: v('test_name'),
      since: fromInput(v('since')), until: fromInput(v('until')),
    }));
  };

  const csv = async () => {
    setBusy(true);
    setCsvError(null);
    try {
      const all = await api.measurements({ ...q, limit: 10_000, order: 'asc' });
      download(`vigil-measurements${q.cc ? '-' + q.cc : ''}${q.asn ? '-AS' + q.asn : ''}${q.target ? '-' + q.target : ''}.csv`, toCsv(HEADER, all.measurements.map(csvRow)));
    } catch (e) {
      setCsvError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const d = st.data;
  const num = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : undefined);
  return (
    <>
      <p class="crumbs"><a href={href([])}>Overview</a> › Search</p>
      <h1>Search measurements</h1>
      <form class="search" onSubmit={submit} key={key}>
        <label>Country <input name="cc" defaultValue={q.cc ?? ''} placeholder="VE" maxLength={2} pattern="[A-Za-z]{2}" autoComplete="off" /></label>
        <label>ASN <input name="asn" defaultValue={q.asn ?? ''} placeholder="8048" inputMode="numeric" pattern="(AS|as)?[0-9]{1,10}" /></label>
        <label>Target <input name="target" defaultValue={q.target ?? ''} placeholder="twitter" list="targets" /></label>
        <datalist id="targets">{PLATFORMS.map((p) => <option key={p} value={p}>{targetName(p)}</option>)}</datalist>
        <label>Test
          <select name="test_name" defaultValue={q.test_name ?? ''}>
            <option value="">any</option>
            {TESTS.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>From (UTC) <input type="datetime-local" name="since" defaultValue={toInput(num(q.since))} /></label>
        <label>Until (UTC) <input type="datetime-local" name="until" defaultValue={toInput(num(q.until))} /></label>
        <button type="submit">Search</button>
      </form>
      {!asked && <p class="muted">Give at least one criterion.</p>}
      {asked && <Message state={st} what="the results" />}
      {d && (
        <section aria-labelledby="res-h">
          <h2 id="res-h">{d.total.toLocaleString('en')} measurement{d.total === 1 ? '' : 's'}</h2>
          <p class="toolbar">
            {d.total > 0 && <span>Showing {d.offset + 1}–{d.offset + d.measurements.length}, newest first.</span>}
            <button type="button" onClick={csv} disabled={busy || d.total === 0}>{busy ? 'Preparing…' : `Download CSV${d.total > 10_000 ? ' (first 10,000)' : ''}`}</button>
            {csvError && <span class="error"> {csvError}</span>}
          </p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Search results">
            <table class="results">
              <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Country</th><th scope="col">Network</th><th scope="col">Test</th><th scope="col">Input</th><th scope="col">Measurement</th></tr></thead>
              <tbody>
                {d.measurements.map((m) => (
                  <tr key={m.uid}>
                    <td>{stamp(m.t)}</td>
                    <td>{m.cc}</td>
                    <td>{m.network} <span class="muted">AS{m.asn}</span></td>
                    <td>{m.test_name}</td>
                    <td class="input">{m.input ?? '—'}</td>
                    <td><a class="uid" href={href(['measurement', m.uid])}>{m.uid}</a></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Result pages">
            {page > 0 && <a href={href(['search'], { ...q, page: page - 1 || undefined })}>← Newer</a>}
            {d.offset + d.measurements.length < d.total && <a href={href(['search'], { ...q, page: page + 1 })}>Older →</a>}
          </nav>
        </section>
      )}
    </>
  );
}
