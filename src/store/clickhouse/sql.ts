// Literal quoting for ClickHouse SQL. ClickHouse 18.16 (Debian's package) has no query
// parameters ({name:Type} binding came in 19.x), so every value spliced into query text goes
// through one of these functions, which accept exactly strings and finite numbers and throw on
// anything else. Bulk rows never go through SQL text: they are sent as JSONEachRow bodies.
//
// String literal rules (ClickHouse docs, "Syntax › String literals"): single quotes; inside, a
// backslash starts an escape sequence and `\'` is a quote. Escaping `\` and `'` alone makes any
// string safe; NUL is additionally written as `\0` so the query text never holds a raw zero byte.
import { VigilError } from '../../model/errors.js';

function bad(what: string, v: unknown): never {
  const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
  throw new VigilError('BAD_INPUT', `${what}: cannot be used in a ClickHouse query (${shown})`);
}

/** True when a string has no lone UTF-16 surrogate (which would not survive UTF-8 encoding). */
export function wellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** 'text' with `\`, `'` and NUL escaped. Rejects non-strings and strings with lone surrogates. */
export function quoteString(s: unknown, what = 'value'): string {
  if (typeof s !== 'string') bad(what, s);
  if (!wellFormed(s)) bad(`${what} (lone UTF-16 surrogate)`, s);
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/\u0000/g, '\\0')}'`;
}

/** A finite number as a literal; integers must be safe integers (no silent rounding). */
export function quoteNumber(n: unknown, what = 'value'): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) bad(what, n);
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) bad(`${what} (beyond 2^53)`, n);
  // String() gives e.g. "1e-7" or "-0.125"; ClickHouse reads both. -0 prints as "0".
  return String(n);
}

/** An integer literal (rounded up like the DuckDB engine's int()), for t / asn / limits. */
export function quoteInt(n: unknown, what = 'value'): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) bad(what, n);
  return quoteNumber(Math.ceil(n), what);
}

export function quoteValue(v: unknown, what = 'value'): string {
  if (typeof v === 'string') return quoteString(v, what);
  if (typeof v === 'number') return quoteNumber(v, what);
  return bad(what, v);
}

/** (v1, v2, …) for IN; an empty list is refused (the caller decides what "in nothing" means). */
export function quoteList(values: readonly unknown[], what = 'list'): string {
  if (values.length === 0) bad(`${what} (empty)`, '');
  return `(${values.map((v) => quoteValue(v, what)).join(', ')})`;
}

/** A database or table name: plain identifiers only, back-quoted. */
export function quoteIdent(name: unknown, what = 'identifier'): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) bad(what, name);
  return `\`${name}\``;
}
