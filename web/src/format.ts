// Display helpers: the same names and durations the reports use (src/model, src/report/format.ts
// are pure and bundle as they are), plus short UTC stamps for tables and axes.
import { countryName } from '../../src/model/countries.js';
import { targetName } from '../../src/model/platforms.js';
import { formatDuration, utc, local, pct } from '../../src/report/format.js';
import type { Incident } from './api.js';

export { countryName, targetName, formatDuration, utc, local, pct };

const iso = (t: number) => new Date(t * 1000).toISOString();

/** "2020-01-05 15:05" (UTC implied by the column header) */
export function stamp(t: number | string): string {
  const s = typeof t === 'number' ? iso(t) : new Date(t).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** "15:05" or "Jan 5" for axis ticks, by span */
export function tick(t: number, span: number): string {
  const s = iso(t);
  if (span <= 2 * 86400) return s.slice(11, 16);
  return `${s.slice(5, 10)}${span <= 8 * 86400 ? ` ${s.slice(11, 13)}h` : ''}`;
}

export const sec = (isoTime: string) => Math.floor(Date.parse(isoTime) / 1000);

export function incidentEnd(i: Incident, now: number): number {
  return i.end ? sec(i.end) : now;
}

export function durationOf(i: Incident, now = Date.now() / 1000): string {
  return formatDuration(incidentEnd(i, now) - sec(i.start));
}

export const KIND_WORDS: Record<string, string> = {
  platform_block: 'Platform block',
  network_outage: 'Network outage',
  throttling: 'Throttling',
};

export function networksText(i: Incident): string {
  return i.asns.map((a, k) => `${i.networks[k] || 'AS' + a} (AS${a})`).join(', ');
}

/** "2020-01-05T15:05" ↔ Unix seconds, for <input type="datetime-local"> read as UTC */
export function toInput(t: number | undefined): string {
  return t === undefined ? '' : iso(t).slice(0, 16);
}
export function fromInput(s: string): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.length === 16 ? `${s}:00Z` : `${s}Z`);
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
}
