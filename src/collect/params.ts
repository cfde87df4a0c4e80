// Query-string validation for the API: every parameter is checked against a narrow pattern and
// range and turned into a typed value, or the request gets 400 with a one-line reason naming the
// parameter. Unknown parameters are refused too, so a typo never silently widens a query.
import { GRAINS, type Grain } from '../store/store.js';
import { INCIDENT_KINDS } from '../model/incident.js';

export class ParamError extends Error {
  readonly statusCode = 400;
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ParamError';
  }
}

type Raw = Record<string, unknown>;

/** Times accepted: 1970-01-01 … 2100-01-01, so bins and arithmetic stay far from overflow. */
const MIN_T = 0;
const MAX_T = 4102444800;

function one(q: Raw, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new ParamError(`${name}: give it once`);
  if (typeof v !== 'string') throw new ParamError(`${name}: expected a string`);
  if (v.length > 300) throw new ParamError(`${name}: too long`);
  return v;
}

function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function onlyKnown(q: Raw, known: readonly string[]): void {
  for (const k of Object.keys(q)) {
    if (!known.includes(k)) throw new ParamError(`unknown parameter ${show(k)} (known: ${known.join(', ')})`);
  }
}

export function cc(q: Raw): string | undefined {
  const v = one(q, 'cc');
  if (v === undefined) return undefined;
  if (!/^[A-Za-z]{2}$/.test(v)) throw new ParamError(`cc: expected a two-letter country code, got ${show(v)}`);
  return v.toUpperCase();
}

export function asn(q: Raw): number | undefined {
  const v = one(q, 'asn');
  if (v === undefined) return undefined;
  const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!m || n > 4294967295) throw new ParamError(`asn: expected an AS number 0..4294967295 (e.g. 8048 or AS8048), got ${show(v)}`);
  return n;
}

export function testName(q: Raw): string | undefined {
  const v = one(q, 'test_name');
  if (v === undefined) return undefined;
  if (!/^[a-z0-9_]{1,64}$/.test(v)) throw new ParamError(`test_name: expected lowercase letters, digits and _, got ${show(v)}`);
  return v;
}

export function target(q: Raw): string | undefined {
  const v = one(q, 'target');
  if (v === undefined) return undefined;
  // a platform id or a hostname
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$/.test(v)) throw new ParamError(`target: expected a platform id or a hostname, got ${show(v)}`);
  return v.toLowerCase();
}

/** ISO 8601 (UTC if no offset), YYYY-MM-DD, or Unix seconds; within 1970–2100. */
export function time(q: Raw, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  let t: number;
  if (/^\d{1,12}$/.test(v)) t = Number(v);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) t = Date.parse(`${v}T00:00:00Z`) / 1000;
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v)) {
    const s = v.replace(' ', 'T');
    t = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`) / 1000;
  } else throw new ParamError(`${name}: expected ISO 8601 time, YYYY-MM-DD or Unix seconds, got ${show(v)}`);
  if (!Number.isFinite(t)) throw new ParamError(`${name}: not a valid date: ${show(v)}`);
  if (t < MIN_T || t > MAX_T) throw new ParamError(`${name}: out of range (1970-01-01 … 2100-01-01): ${show(v)}`);
  return Math.floor(t);
}

export function int(q: Raw, name: string, min: number, max: number): number | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v) || Number(v) < min || Number(v) > max) throw new ParamError(`${name}: expected an integer ${min}..${max}, got ${show(v)}`);
  return Number(v);
}

export function oneOf<T extends string>(q: Raw, name: string, allowed: readonly T[]): T | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ParamError(`${name}: expected one of ${allowed.join(', ')}, got ${show(v)}`);
  return v as T;
}

/** grain: 5m, 10m, 1h, 1d, or a whole number of seconds from 60 to 366 days. */
export function grain(q: Raw, dflt: Grain): Grain | number {
  const v = one(q, 'grain');
  if (v === undefined) return dflt;
  if (v in GRAINS) return v as Grain;
  if (/^\d{1,8}$/.test(v) && Number(v) >= 60 && Number(v) <= 366 * 86400) return Number(v);
  throw new ParamError(`grain: expected ${Object.keys(GRAINS).join(', ')} or seconds (60..31622400), got ${show(v)}`);
}

const BY = ['cc', 'asn', 'target', 'test_name'] as const;
export function by(q: Raw): Array<(typeof BY)[number]> | undefined {
  const v = one(q, 'by');
  if (v === undefined || v === '') return undefined;
  const parts = v.split(',');
  for (const p of parts) {
    if (!(BY as readonly string[]).includes(p)) throw new ParamError(`by: expected a comma-separated list of ${BY.join(', ')}, got ${show(v)}`);
  }
  return [...new Set(parts)] as Array<(typeof BY)[number]>;
}

export function range(since: number | undefined, until: number | undefined): void {
  if (since !== undefined && until !== undefined && until <= since) throw new ParamError('until must be after since');
}

export const incidentKind = (q: Raw) => oneOf(q, 'kind', INCIDENT_KINDS);
export const incidentStatus = (q: Raw) => oneOf(q, 'status', ['ongoing', 'resolved'] as const);

/** Path ids (measurement uid, incident id): any text without control characters, bounded; it only
 * ever reaches the store as a bound parameter. */
export function id(v: string, what: string): string {
  if (v.length < 1 || v.length > 256 || /[\u0000-\u001f\u007f]/.test(v)) throw new ParamError(`${what}: expected 1–256 printable characters`);
  return v;
}
