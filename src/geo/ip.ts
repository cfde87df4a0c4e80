// IP address parsing for geolocation: IPv4 as an unsigned 32-bit number, IPv6 as a bigint, so the
// prefix tables can mask and compare without strings. IPv4-mapped IPv6 (::ffff:a.b.c.d, what a
// dual-stack socket reports for an IPv4 peer) is turned back into IPv4 (RFC 4291 §2.5.5.2).
import { isIP } from 'node:net';

export type ParsedIp = { v: 4; n: number } | { v: 6; n: bigint };

/** Parses an IPv4 or IPv6 address (an IPv6 zone "%eth0" is dropped); null when it is not one. */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== 'string') return null;
  const s = input.trim().replace(/%[^%]*$/, '');
  const fam = isIP(s);
  if (fam === 4) return { v: 4, n: v4ToInt(s) };
  if (fam !== 6) return null;
  const n = v6ToBigInt(s);
  if (n >> 32n === 0xffffn) return { v: 4, n: Number(n & 0xffffffffn) };
  return { v: 6, n };
}

function v4ToInt(s: string): number {
  const p = s.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

// Only called on strings node:net.isIP accepted, so the shape is known to be valid.
function v6ToBigInt(s: string): bigint {
  let str = s.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4) {
    const n = v4ToInt(v4[1]);
    str = str.slice(0, v4.index) + ((n >>> 16) & 0xffff).toString(16) + ':' + (n & 0xffff).toString(16);
  }
  const [head, tail] = str.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16));
  return n;
}

export function v4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

// Special-purpose blocks (RFC 6890 and its IANA registries): addresses no public database can
// place, so geolocation answers ZZ/AS0 for them as OONI does (probe-cli geolocate: "ZZ", "AS0").
const SPECIAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const SPECIAL_V4_MASKS = SPECIAL_V4.map(([a, len]) => {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { net: (v4ToInt(a) & mask) >>> 0, mask };
});
// IPv6: everything outside global unicast 2000::/3 is special; inside it, documentation (RFC 3849),
// ORCHID/benchmarking and 6to4/Teredo relays are not a vantage point's address either.
const SPECIAL_V6: Array<[string, number]> = [['2001:db8::', 32], ['2001::', 23], ['2002::', 16], ['3fff::', 20]];
const SPECIAL_V6_MASKS = SPECIAL_V6.map(([a, len]) => {
  const mask = ((1n << BigInt(len)) - 1n) << BigInt(128 - len);
  return { net: v6ToBigInt(a) & mask, mask };
});

/** True for private, loopback, link-local, CGNAT, documentation, multicast, reserved addresses. */
export function isSpecialPurpose(ip: ParsedIp): boolean {
  if (ip.v === 4) return SPECIAL_V4_MASKS.some(({ net, mask }) => ((ip.n & mask) >>> 0) === net);
  if (ip.n >> 125n !== 1n) return true; // not in 2000::/3
  return SPECIAL_V6_MASKS.some(({ net, mask }) => (ip.n & mask) === net);
}
