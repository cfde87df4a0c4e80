// The Atom feed (RFC 4287): one entry per incident, its <updated> moving as the incident changes,
// so feed readers show revisions. Pure: incidents in, XML out.
import type { Incident } from '../../model/incident.js';
import { escapeXml as e } from '../charts/xml.js';
import { utc } from '../format.js';
import { formatDuration } from '../format.js';
import { targetName } from '../../model/platforms.js';

export interface FeedOptions {
  baseUrl: string;       // absolute, e.g. http://127.0.0.1:8080
  title?: string;
  now: number;           // ms, used when there is no incident
}

function updatedOf(i: Incident): string {
  return i.updated_at ?? i.end ?? i.start;
}

export function atomFeed(incidents: Incident[], o: FeedOptions): string {
  const base = o.baseUrl.replace(/\/$/, '');
  const sorted = [...incidents].sort((a, b) => updatedOf(b).localeCompare(updatedOf(a)));
  const feedUpdated = sorted.length ? updatedOf(sorted[0]) : new Date(o.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const entries = sorted.map((i) => {
    const url = `${base}/#/incident/${encodeURIComponent(i.id)}`;
    const dur = i.end ? formatDuration((Date.parse(i.end) - Date.parse(i.start)) / 1000) : 'ongoing';
    const text = [
      i.summary,
      `Kind: ${i.kind}. Status: ${i.status}. Start: ${utc(i.start)}. End: ${i.end ? utc(i.end) : 'ongoing'} (${dur}).`,
      `Networks: ${i.asns.map((a, k) => `${i.networks[k] ?? ''} AS${a}`.trim()).join(', ')}. Targets: ${i.targets.map(targetName).join(', ') || '—'}.`,
      `Layers: ${i.layers.join(', ') || '—'}. Confidence: ${Math.round(i.confidence * 100)}%. Evidence: ${i.evidence.measurements} measurements from ${i.evidence.probes} probes.`,
    ].join('\n');
    return `  <entry>
    <id>urn:vigil:incident:${e(i.id)}</id>
    <title>${e(i.summary)}</title>
    <updated>${e(updatedOf(i))}</updated>
    <published>${e(i.detected_at ?? i.start)}</published>
    <link rel="alternate" type="text/html" href="${e(url)}"/>
    <link rel="related" type="application/json" href="${e(`${base}/api/v1/incidents/${encodeURIComponent(i.id)}`)}"/>
    <category term="${e(i.kind)}"/>
    <category term="${e(i.status)}"/>
    <summary type="text">${e(text)}</summary>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${e(`${base}/feed.atom`)}</id>
  <title>${e(o.title ?? 'Vigil: internet disruptions')}</title>
  <updated>${e(feedUpdated)}</updated>
  <author><name>Vigil</name></author>
  <generator>vigil</generator>
  <link rel="self" type="application/atom+xml" href="${e(`${base}/feed.atom`)}"/>
  <link rel="alternate" type="text/html" href="${e(`${base}/`)}"/>
${entries.join('\n')}
</feed>
`;
}
