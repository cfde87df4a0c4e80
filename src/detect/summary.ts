// Words and ids for incidents: the one-line summary (DESIGN.md §4) and the stable id.
import { createHash } from 'node:crypto';
import type { IncidentKind } from '../model/incident.js';
import { countryName } from '../model/countries.js';
import { formatDuration } from '../model/time.js';
import { byTargetOrder, targetName } from '../model/platforms.js';

/** "A", "A and B", "A, B and C" */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** 9000 → "2 h 30 min"; 2700 → "45 min"; 90000 → "1 d 1 h" */
export { formatDuration };

function hhmm(t: number): string {
  return new Date(t * 1000).toISOString().slice(11, 16);
}
function day(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** "15:05–17:35 UTC (2 h 30 min)", across days with dates, or "since 15:05 UTC" while ongoing. */
export function formatWindow(start: number, end: number | null, now?: number): string {
  if (end === null) {
    const sameDay = now === undefined || day(start) === day(now);
    return sameDay ? `since ${hhmm(start)} UTC` : `since ${day(start)} ${hhmm(start)} UTC`;
  }
  const dur = formatDuration(end - start);
  if (day(start) === day(end) || (end - start < 86400 && hhmm(end) === '00:00' && end - start > 0 && day(start) === day(end - 1))) {
    return `${hhmm(start)}–${hhmm(end)} UTC (${dur})`;
  }
  return `${day(start)} ${hhmm(start)} – ${day(end)} ${hhmm(end)} UTC (${dur})`;
}

export function networkLabel(name: string, asn: number): string {
  return name && name !== `AS${asn}` ? `${name} (AS${asn})` : `AS${asn}`;
}

/** Target names for a summary: platforms by their names, control sites as hostnames. */
export function targetWords(targets: string[]): string {
  const names = [...targets].sort(byTargetOrder).map(targetName);
  if (names.length > 6) return `${names.slice(0, 5).join(', ')} and ${names.length - 5} other sites`;
  return listWords(names);
}

export function summarize(i: { kind: IncidentKind; cc: string; asns: number[]; networks: string[]; targets: string[]; start: number; end: number | null }, now?: number): string {
  const nets = i.asns.map((a, k) => networkLabel(i.networks[k] ?? '', a));
  const netWords = nets.length > 4 ? `${nets.slice(0, 3).join(', ')} and ${nets.length - 3} other networks` : listWords(nets);
  const where = `${netWords}, ${countryName(i.cc)}, ${formatWindow(i.start, i.end, now)}`;
  switch (i.kind) {
    case 'platform_block':
      return `${targetWords(i.targets)} restricted on ${where}`;
    case 'throttling':
      return `${targetWords(i.targets)} throttled on ${where}`;
    case 'network_outage':
      return `Network outage on ${where}`;
  }
}

/** Stable id: a hash of what identifies the incident when first seen (kind, cc, first asn, sorted targets, start bin). */
export function incidentId(kind: IncidentKind, cc: string, asn: number, targets: string[], startBin: number): string {
  const h = createHash('sha256').update(`${kind}|${cc}|${asn}|${[...targets].sort().join(',')}|${startBin}`).digest('hex');
  return `inc_${h.slice(0, 20)}`;
}
