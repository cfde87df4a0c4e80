// JSON report: the incident plus everything the other formats show, for machines.
import type { ReportData } from '../report-data.js';
import { sections } from './sections.js';

export function renderJson(d: ReportData): string {
  const s = sections(d);
  return JSON.stringify({
    incident: d.incident,
    headline: s.headline,
    country: d.country,
    timezone: d.timezone,
    duration_s: d.durationS,
    facts: Object.fromEntries(s.facts.map((f) => [f.label.toLowerCase(), f.value])),
    how: s.how,
    unaffected_networks: d.unaffectedNetworks,
    evidence: { ...d.incident.evidence, links: s.samples },
    context: d.events,
    series: d.charts,
    bgp: d.bgp,
    methodology: s.methodology,
    generated_at: d.generatedAt,
  }, null, 2) + '\n';
}
