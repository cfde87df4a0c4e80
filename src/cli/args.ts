// Thin wrapper over node:util parseArgs that turns its errors into UsageError (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../model/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

/** Parses a duration such as 30s, 5m, 2h, 1d into milliseconds. */
export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration like 30s, 5m, 1h (got "${s}")`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

export function parseIntFlag(s: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s)) throw new UsageError(`${flag}: expected an integer (got "${s}")`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`${flag}: must be between ${min} and ${max} (got ${n})`);
  return n;
}

/** Parses a time flag: ISO 8601 or YYYY-MM-DD[ HH:MM:SS], always UTC. */
export function parseTime(s: string | undefined, flag: string): Date | undefined {
  if (s === undefined) return undefined;
  const norm = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s.replace(' ', 'T')}Z`;
  const d = new Date(norm);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: not a time: "${s}" (use ISO 8601, UTC)`);
  return d;
}
