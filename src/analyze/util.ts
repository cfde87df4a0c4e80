// Defensive readers for test_keys. Imported OONI data spans ten years of probes: keys go missing,
// change type (failure: false in 2016, headers as lists), or hold null. Analysis never throws on
// shape; a value of the wrong type reads as absent.
export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function objs(v: unknown): Obj[] {
  return arr(v).map(obj).filter((x): x is Obj => x !== null);
}
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
export function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}
/** A failure field: a non-empty string is a failure; null, false, "" and absent are success. */
export function failure(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Hostname of a URL (lowercased, brackets and trailing dot dropped); null if unparsable. */
export function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const h = new URL(url).hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
    return h || null;
  } catch {
    return null;
  }
}

/** Response body as text: a string, or {format:"base64", data} decoded as latin1 (byte-preserving). */
export function bodyText(v: unknown, cap = 1 << 20): string | null {
  if (typeof v === 'string') return v.length > cap ? v.slice(0, cap) : v;
  const o = obj(v);
  if (o && o.format === 'base64' && typeof o.data === 'string') {
    const b = Buffer.from(o.data.slice(0, Math.ceil((cap * 4) / 3)), 'base64');
    return b.toString('utf8');
  }
  return null;
}

/** Headers as a lowercased-name map; accepts a {name: value|[value]} map or a [[name, value]] list. */
export function headerMap(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(v)) {
    for (const pair of v) if (Array.isArray(pair) && typeof pair[0] === 'string') out.set(pair[0].toLowerCase(), String(pair[1] ?? ''));
    return out;
  }
  const o = obj(v);
  if (!o) return out;
  for (const [k, val] of Object.entries(o)) {
    const s = Array.isArray(val) ? val[0] : val;
    if (typeof s === 'string') out.set(k.toLowerCase(), s);
  }
  return out;
}

// ---- addresses -------------------------------------------------------------------------------
/** IPv4 literal to a 32-bit number, or null. */
function v4(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return null;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

// RFC 6890 special-purpose blocks that a public name never legitimately resolves to.
const BOGON_V4: Array<[number, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
].map(([a, bits]) => [v4(a as string)!, bits as number]);

export function isBogon(ip: string): boolean {
  const n = v4(ip);
  if (n !== null) return BOGON_V4.some(([net, bits]) => (n >>> (32 - bits)) === (net >>> (32 - bits)));
  const s = ip.toLowerCase();
  if (!s.includes(':')) return false;
  return s === '::' || s === '::1' || /^f[cd]/.test(s) || /^fe[89ab]/.test(s) || s.startsWith('::ffff:') && isBogon(s.slice(7)) || s.startsWith('2001:db8:');
}

export function isIp(s: string): boolean {
  return v4(s) !== null || /^[0-9a-f:.]+$/i.test(s) && s.includes(':');
}

export function isIPv6(s: string): boolean {
  return s.includes(':') && v4(s) === null;
}
