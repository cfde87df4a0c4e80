// Formatting shared by every report format: durations, UTC and local times.
import { countryTimezone } from '../model/countries.js';

// the same words for a duration as the incident's summary (src/model/time.ts)
export { formatDuration } from '../model/time.js';

/** "2020-01-05 15:05 UTC" */
export function utc(iso: string | number): string {
  const d = new Date(typeof iso === 'number' ? iso * 1000 : iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** "2020-01-05 11:05 (America/Caracas, UTC-04:00)" */
export function local(iso: string | number, cc: string): string {
  const tz = countryTimezone(cc);
  const d = new Date(typeof iso === 'number' ? iso * 1000 : iso);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', 'UTC') || 'UTC';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${tz}, ${offset === 'UTC' ? 'UTC+00:00' : offset})`;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
