// HTML report: one self-contained file (no external assets), charts as inline SVG.
import type { ReportData } from '../report-data.js';
import { sections } from './sections.js';
import { reachabilityChart } from '../charts/reachability-chart.js';
import { visibilityChart } from '../charts/visibility-chart.js';
import { escapeXml as e } from '../charts/xml.js';

const CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:800px;padding:16px;color:#1b1b1b;background:#fff}
h1{font-size:1.4em;line-height:1.3}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td{padding:2px 10px 2px 0;vertical-align:top}td:first-child{color:#555;white-space:nowrap}
svg{max-width:100%;height:auto;display:block;margin:8px 0}code,a{word-break:break-all}a{color:#0b57d0}
.muted{color:#555;font-size:.9em}`;

export function renderHtml(d: ReportData): string {
  const s = sections(d);
  const i = d.incident;
  const shade = { start: Math.floor(Date.parse(i.start) / 1000), end: i.end ? Math.floor(Date.parse(i.end) / 1000) : null };
  const charts = d.charts.map((c) => reachabilityChart(c.networks, {
    title: `${c.name}: share of successful measurements per network`, since: d.window.since, until: d.window.until, shade, events: d.events,
  }));
  if (d.bgp.length) charts.push(visibilityChart(d.bgp, { title: 'BGP visibility (/24 blocks seen by half the full-feed peers)', since: d.window.since, until: d.window.until, shade }));
  const rows = (fs: Array<{ label: string; value: string }>) => fs.map((f) => `<tr><td>${e(f.label)}</td><td>${e(f.value)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(s.headline)}</title><style>${CSS}</style></head>
<body>
<h1>${e(s.headline)}</h1>
<table>${rows(s.facts)}</table>
<h2>Reachability</h2>
${charts.join('\n') || '<p>No series in the window.</p>'}
<h2>How</h2><ul>${s.how.map((h) => `<li>${e(h)}</li>`).join('')}</ul>
<h2>Measured and not affected</h2>
${s.unaffected.length ? `<ul>${s.unaffected.map((u) => `<li>${e(u)}</li>`).join('')}</ul>` : '<p>No other network of this country was measured in the window.</p>'}
<h2>Evidence</h2><table>${rows(s.evidence)}</table>
${s.samples.length ? `<p>Sample measurements:</p><ul>${s.samples.map((m) => `<li><a href="${e(m.href)}">${e(m.uid)}</a></li>`).join('')}</ul>` : ''}
${s.context.length ? `<h2>Context</h2><ul>${s.context.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` : ''}
<h2>Method</h2><p>${e(s.methodology)}</p>
<p class="muted">Incident id <code>${e(i.id)}</code> · generated ${e(d.generatedAt)} · <a href="${e(`/api/v1/incidents/${encodeURIComponent(i.id)}`)}">JSON</a></p>
</body></html>
`;
}
