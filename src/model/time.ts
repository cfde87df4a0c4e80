// Time helpers. OONI writes "YYYY-MM-DD HH:MM:SS" in UTC; Vigil stores Unix seconds.
export function ooniTime(d: Date | number): string {
  const iso = new Date(d).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Parses OONI's "YYYY-MM-DD HH:MM:SS" (UTC); NaN if malformed. */
export function parseOoniTime(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(s)) return NaN;
  return Date.parse(`${s.slice(0, 10)}T${s.slice(11, 19)}Z`);
}

/** ISO 8601 without milliseconds: 2020-01-05T15:05:00Z */
export function isoSeconds(d: Date | number): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A clock that can be injected: real time in production, virtual time in the lab and tests. */
export interface Clock {
  now(): number; // ms since epoch
}
export const systemClock: Clock = { now: () => Date.now() };

/** "2 h 30 min", "45 min", "1 d 6 h": one way of saying how long, for summaries, reports and the dashboard. */
export function formatDuration(seconds: number): string {
  const mins = Math.max(0, Math.round(seconds / 60));
  const d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m && !d) parts.push(`${m} min`);
  return parts.length ? parts.join(' ') : '0 min';
}
