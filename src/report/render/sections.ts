// The content every format shares (issue 5 §1), as plain data: each renderer only lays it out.
import type { ReportData } from '../report-data.js';
import { LAYER_WORDS, METHODOLOGY_NOTE, durationText, measurementLink } from '../report-data.js';
import { local, utc, pct } from '../format.js';
import { byTargetOrder, targetName } from '../../model/platforms.js';

export interface Fact { label: string; value: string }

export interface Sections {
  headline: string;
  facts: Fact[];
  how: string[];
  unaffected: string[];
  evidence: Fact[];
  samples: Array<{ uid: string; href: string }>;
  context: string[];
  methodology: string;
}

export function sections(d: ReportData): Sections {
  const i = d.incident;
  const facts: Fact[] = [
    { label: 'Kind', value: i.kind.replace('_', ' ') },
    { label: 'Status', value: i.status },
    { label: 'Country', value: `${d.country} (${i.cc})` },
    { label: 'Networks', value: i.asns.map((a, k) => `${i.networks[k] ?? ''} (AS${a})`.trim()).join(', ') },
    { label: 'Targets', value: [...i.targets].sort(byTargetOrder).map(targetName).join(', ') || '—' },
    { label: 'Start', value: `${utc(i.start)} — local ${local(i.start, i.cc)} (± ${Math.round(i.start_uncertainty_s / 60)} min)` },
    { label: 'End', value: i.end ? `${utc(i.end)} — local ${local(i.end, i.cc)} (± ${Math.round((i.end_uncertainty_s ?? 0) / 60)} min)` : 'ongoing' },
    { label: 'Duration', value: durationText(d) },
    { label: 'Confidence', value: pct(i.confidence) },
  ];
  const how = i.layers.map((l) => {
    const fs = i.failures?.[l] ?? [];
    return `${LAYER_WORDS[l] ?? l}${fs.length ? `; typical failures: ${fs.join(', ')}` : ''}`;
  });
  const unaffected = d.unaffectedNetworks.map((u) => `${u.network || 'unknown'} (AS${u.asn}): ${u.measurements} measurements of the same targets, ${pct(u.okRatio)} successful`);
  const ev = i.evidence;
  const evidence: Fact[] = [
    { label: 'Measurements', value: String(ev.measurements) },
    { label: 'Anomalous', value: String(ev.anomalies) },
    { label: 'Distinct probes', value: String(ev.probes) },
  ];
  if (ev.bgp) evidence.push({ label: 'BGP visibility', value: `${ev.bgp.min_slash24} /24s at the lowest vs ${ev.bgp.baseline_slash24} before` });
  const samples = ev.sample_uids.map((uid) => ({ uid, href: measurementLink(d, uid) }));
  const context = d.events.map((e) => `${utc(e.t)} (local ${local(e.t, i.cc)}): ${e.label}`);
  return { headline: i.summary, facts, how, unaffected, evidence, samples, context, methodology: METHODOLOGY_NOTE };
}
