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

const STEPS = [600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400];

/** Axis ticks at round UTC times (multiples of 10 min … 4 weeks), at most `max` of them. */
export function niceTicks(since: number, until: number, max = 7): number[] {
  const span = Math.max(1, until - since);
  const step = STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / 86400) * 86400;
  const out: number[] = [];
  for (let t = Math.ceil(since / step) * step; t <= until; t += step) out.push(t);
  return out;
}

/** "15:05" or "01-05 12h" for axis ticks, by span */
export function tick(t: number, span: number): string {
  const s = iso(t);
  if (span <= 2 * 86400) return s.slice(11, 16);
  return `${s.slice(5, 10)}${span <= 8 * 86400 ? ` ${s.slice(11, 13)}h` : ''}`;
}

export const sec = (isoTime: string) => Math.floor(Date.parse(isoTime) / 1000);

export function incidentEnd(i: Incident, now: number): number {
  return i.end ? sec(i.end) : now;
}

/** An incident's length; an ongoing one is measured up to the detector's last update (its
 * clock, which for archived data is not the wall clock), else up to now. */
export function durationOf(i: Incident, now = Date.now() / 1000): string {
  const asOf = !i.end && i.updated_at ? Math.max(sec(i.updated_at), sec(i.start)) : now;
  return formatDuration(incidentEnd(i, asOf) - sec(i.start));
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
