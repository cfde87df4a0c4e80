// Markdown report (GitHub-flavoured): same content as the text report, with links.
import type { ReportData } from '../report-data.js';
import { sections } from './sections.js';

const esc = (s: string) => s.replace(/([\\`*_[\]|<>])/g, '\\$1');

export function renderMarkdown(d: ReportData): string {
  const s = sections(d);
  const out: string[] = [`# ${esc(s.headline)}`, '', '| | |', '|---|---|'];
  for (const f of s.facts) out.push(`| ${f.label} | ${esc(f.value)} |`);
  out.push('', '## How', '', ...s.how.map((h) => `- ${esc(h)}`));
  out.push('', '## Measured and not affected', '');
  out.push(...(s.unaffected.length ? s.unaffected.map((u) => `- ${esc(u)}`) : ['No other network of this country was measured in the window.']));
  out.push('', '## Evidence', '');
  for (const f of s.evidence) out.push(`- ${f.label}: ${esc(f.value)}`);
  if (s.samples.length) {
    out.push('', 'Sample measurements:', '');
    for (const m of s.samples) out.push(`- [${esc(m.uid)}](${m.href})`);
  }
  if (s.context.length) out.push('', '## Context', '', ...s.context.map((c) => `- ${esc(c)}`));
  out.push('', '## Method', '', s.methodology, '', `Incident id: \`${d.incident.id}\` · generated ${d.generatedAt}`, '');
  return out.join('\n');
}
