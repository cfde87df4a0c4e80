// Terminal text report.
import type { ReportData } from '../report-data.js';
import { sections } from './sections.js';

export function renderText(d: ReportData): string {
  const s = sections(d);
  const w = Math.max(...s.facts.map((f) => f.label.length), ...s.evidence.map((f) => f.label.length));
  const out: string[] = [s.headline, '='.repeat(Math.min(s.headline.length, 100)), ''];
  for (const f of s.facts) out.push(`${f.label.padEnd(w)}  ${f.value}`);
  out.push('', 'How:');
  for (const h of s.how) out.push(`  - ${h}`);
  out.push('', 'Measured and not affected:');
  out.push(...(s.unaffected.length ? s.unaffected.map((u) => `  - ${u}`) : ['  (no other network of this country was measured in the window)']));
  out.push('', 'Evidence:');
  for (const f of s.evidence) out.push(`  ${f.label.padEnd(w)}  ${f.value}`);
  for (const m of s.samples) out.push(`  ${m.href}`);
  if (s.context.length) {
    out.push('', 'Context:');
    for (const c of s.context) out.push(`  - ${c}`);
  }
  out.push('', `Method: ${s.methodology}`, `Incident id: ${d.incident.id}`, '');
  return out.join('\n');
}
