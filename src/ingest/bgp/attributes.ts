// BGP path attributes (RFC 4271 §4.3, §5) and NLRI prefix lists, decoded the way bgpdump reads
// them so `vigil bgp dump` prints identical lines: reads past an attribute's end yield zeros
// (bgpdump's mstream), a truncated attribute ends the list, MP_REACH keeps only AFI 1..2 /
// SAFI 1..3, and AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.3) are merged only for 2-byte sessions.
import type { Attributes, AsPath, AsPathSegment, MpNlri, Prefix, MrtWarning } from './types.js';

export const ATTR = {
  ORIGIN: 1, AS_PATH: 2, NEXT_HOP: 3, MED: 4, LOCAL_PREF: 5, ATOMIC_AGGREGATE: 6, AGGREGATOR: 7,
  COMMUNITIES: 8, ORIGINATOR_ID: 9, CLUSTER_LIST: 10, MP_REACH: 14, MP_UNREACH: 15,
  EXT_COMMUNITIES: 16, AS4_PATH: 17, AS4_AGGREGATOR: 18, LARGE_COMMUNITIES: 32,
} as const;

const AS_TRANS = 23456; // RFC 6793 §9
/** An update has at most 4 KiB (RFC 4271) or 64 KiB (RFC 8654) of attributes; more entries than
 * this in one list means a flood or garbage: stop decoding it and say so. */
const MAX_ATTRS = 4096;

export function flagBit(type: number): number {
  return type >= 1 && type <= 32 ? (1 << (type - 1)) >>> 0 : 0;
}

export function hasAttr(a: Attributes, type: number): boolean {
  return (a.flags & flagBit(type)) !== 0;
}

function u8(b: Uint8Array, i: number, end: number): number {
  return i < end ? b[i] : 0;
}
function u16(b: Uint8Array, i: number, end: number): number {
  return i + 1 < end ? (b[i] << 8) | b[i + 1] : (u8(b, i, end) << 8);
}
export function u32(b: Uint8Array, i: number, end: number): number {
  if (i + 3 < end) return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  return ((u8(b, i, end) << 24) | (u8(b, i + 1, end) << 16) | (u8(b, i + 2, end) << 8) | u8(b, i + 3, end)) >>> 0;
}

const MASK = [0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe, 0xff];

/**
 * Reads an NLRI prefix list (RFC 4271 §4.3; RFC 7911 §3 path id first when add-path) from
 * b[start, end) into `out`. With `mask`, host bits past the length are cleared ("the value of
 * trailing bits is irrelevant", RFC 4271 §4.3; bgpdump since 2020); without, they are kept as
 * bgpdump 1.6.2 (Debian's) prints them. Returns false when the last prefix was cut short.
 */
export function readPrefixList(b: Uint8Array, start: number, end: number, afi: 1 | 2, addPath: boolean, out: Prefix[], mask = true): boolean {
  let p = start;
  const width = afi === 1 ? 4 : 16;
  while (p < end) {
    let pathId = 0;
    if (addPath) { pathId = u32(b, p, end); p += 4; }
    const len = u8(b, p, end); p++;
    const nbytes = (len + 7) >> 3;
    if (end - p < nbytes || p > end) return false;
    const copy = nbytes < width ? nbytes : width;
    // bgpdump copies an over-long prefix (length > 128) into a 16-byte address field, so its
    // byte 16 lands in the length field; kept so that garbage prints as bgpdump prints it.
    const shown = nbytes > 16 ? b[p + 16] & (mask && nbytes === 17 && (len & 7) ? MASK[(len & 7) - 1] : 0xff) : len;
    if (afi === 1) {
      let v = 0;
      for (let i = 0; i < 4; i++) v = (v << 8) | (i < copy ? b[p + i] : 0);
      v >>>= 0;
      const rem = len & 7;
      if (mask && rem && nbytes - 1 < 4) {
        const shift = (3 - (nbytes - 1)) * 8;
        v = (v & ~((~MASK[rem - 1] & 0xff) << shift)) >>> 0;
      }
      out.push({ afi: 1, len: shown, v4: v, v6: null, pathId });
    } else {
      const a = new Uint8Array(16);
      for (let i = 0; i < copy; i++) a[i] = b[p + i];
      const rem = len & 7;
      if (mask && rem && nbytes - 1 < 16) a[nbytes - 1] &= MASK[rem - 1];
      out.push({ afi: 2, len: shown, v4: 0, v6: a, pathId });
    }
    p += nbytes;
  }
  return true;
}

/** AS_PATH / AS4_PATH segments (RFC 4271 §4.3 b, RFC 6793 §3). */
export function parseAsPath(b: Uint8Array, start: number, end: number, asnLen: 2 | 4): AsPath {
  const segments: AsPathSegment[] = [];
  let count = 0;
  let p = start;
  while (p < end) {
    const type = b[p];
    const n = u8(b, p + 1, end);
    if (type < 1 || type > 4 || p + 2 + n * asnLen > end) return { segments, count: 0, error: true };
    const asns: number[] = new Array(n);
    let q = p + 2;
    if (asnLen === 4) {
      for (let i = 0; i < n; i++, q += 4) asns[i] = ((b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]) >>> 0;
    } else {
      for (let i = 0; i < n; i++, q += 2) asns[i] = (b[q] << 8) | b[q + 1];
    }
    segments.push({ type, asns });
    count += type === 2 || type === 3 ? n : 1;
    p = q;
  }
  return { segments, count, error: false };
}

/** RFC 6793 §4.2.3 reconstruction as bgpdump does it (asn32_merge_paths). */
function mergeAs4(path: AsPath, as4: AsPath): AsPath {
  const want = path.count - as4.count;
  const segments: AsPathSegment[] = [];
  let count = 0;
  for (const seg of path.segments) {
    if (count >= want) break;
    if (seg.type === 1 || seg.type === 4) {
      segments.push({ type: seg.type, asns: seg.asns.slice() });
      count += 1;
    } else {
      const take = Math.min(seg.asns.length, want - count);
      segments.push({ type: seg.type, asns: seg.asns.slice(0, take) });
      count += seg.asns.length;
    }
  }
  let total = 0;
  for (const s of segments) total += s.type === 2 || s.type === 3 ? s.asns.length : 1;
  for (const s of as4.segments) segments.push(s);
  return { segments, count: total + as4.count, error: as4.error };
}

export function emptyAttributes(): Attributes {
  return {
    flags: 0, origin: -1, asPath: null, as4Path: null, nextHop: null, med: null, localPref: null,
    atomicAggregate: false, aggregator: null, communities: null, largeCommunities: null,
    extCommunities: null, mpReach: null, mpUnreach: null, unknown: null,
  };
}

export interface AttrContext {
  asnLen: 2 | 4;
  addPath: boolean;
  /** clear host bits of NLRI prefixes (see readPrefixList) */
  mask: boolean;
  offset: number;
  warnings: MrtWarning[] | null;
}

function warn(ctx: AttrContext, reason: string): void {
  if (ctx.warnings) ctx.warnings.push({ offset: ctx.offset, reason });
}

function readNextHop(b: Uint8Array, p: number, end: number, mp: MpNlri): number {
  const len = u8(b, p, end);
  p++;
  mp.nextHopLen = len;
  if (len === 4 || len === 16 || len === 32) {
    const nh = new Uint8Array(len === 4 ? 4 : 16);
    for (let i = 0; i < nh.length; i++) nh[i] = u8(b, p + i, end);
    mp.nextHop = nh;
  }
  // bgpdump consumes nothing for other lengths; skipping by length keeps the NLRI readable.
  return p + len;
}

function mpReach(b: Uint8Array, p: number, end: number, a: Attributes, ctx: AttrContext): void {
  const map = a.mpReach ?? (a.mpReach = new Map());
  // MRT's abbreviated form in TABLE_DUMP_V2 RIB entries (RFC 6396 §4.3.4): next hop only.
  if (p < end && b[p] !== 0) {
    if (map.has(2 * 256 + 1)) return;
    const mp: MpNlri = { afi: 2, safi: 1, nextHopLen: 0, nextHop: null, prefixes: [] };
    readNextHop(b, p, end, mp);
    map.set(2 * 256 + 1, mp);
    return;
  }
  const afi = u16(b, p, end);
  const safi = u8(b, p + 2, end);
  p += 3;
  if (afi > 2 || safi > 3) { warn(ctx, `MP_REACH_NLRI for AFI ${afi} SAFI ${safi} not decoded`); return; }
  const key = afi * 256 + safi;
  if (map.has(key)) { warn(ctx, `second MP_REACH_NLRI for AFI ${afi} SAFI ${safi} ignored`); return; }
  const mp: MpNlri = { afi, safi, nextHopLen: 0, nextHop: null, prefixes: [] };
  map.set(key, mp);
  p = readNextHop(b, p, end, mp);
  let snpa = u8(b, p, end);
  p++;
  for (; snpa > 0 && p < end; snpa--) p += 1 + u8(b, p, end);
  if (afi === 1 || afi === 2) {
    if (!readPrefixList(b, p, end, afi, ctx.addPath, mp.prefixes, ctx.mask)) warn(ctx, 'MP_REACH_NLRI prefix list truncated');
  }
}

function mpUnreach(b: Uint8Array, p: number, end: number, a: Attributes, ctx: AttrContext): void {
  const map = a.mpUnreach ?? (a.mpUnreach = new Map());
  const afi = u16(b, p, end);
  const safi = u8(b, p + 2, end);
  p += 3;
  if (afi > 2 || safi > 3) { warn(ctx, `MP_UNREACH_NLRI for AFI ${afi} SAFI ${safi} not decoded`); return; }
  const key = afi * 256 + safi;
  if (map.has(key)) { warn(ctx, `second MP_UNREACH_NLRI for AFI ${afi} SAFI ${safi} ignored`); return; }
  const mp: MpNlri = { afi, safi, nextHopLen: 0, nextHop: null, prefixes: [] };
  map.set(key, mp);
  if (afi === 1 || afi === 2) {
    if (!readPrefixList(b, p, end, afi, ctx.addPath, mp.prefixes, ctx.mask)) warn(ctx, 'MP_UNREACH_NLRI prefix list truncated');
  }
}

/**
 * Decodes the path attributes in b[start, end). Never throws: malformed input ends the list with
 * a warning. The AS4 merge is applied for 2-byte sessions (asnLen 2).
 */
export function parseAttributes(b: Uint8Array, start: number, end: number, ctx: AttrContext): Attributes {
  const a = emptyAttributes();
  let p = start;
  let n = 0;
  let as4Agg: { asn: number; addr: number } | null = null;
  while (p < end) {
    if (++n > MAX_ATTRS) { warn(ctx, `more than ${MAX_ATTRS} path attributes: rest ignored`); break; }
    const flag = b[p];
    const type = u8(b, p + 1, end);
    let len: number;
    if (flag & 0x10) { len = u16(b, p + 2, end); p += 4; } else { len = u8(b, p + 2, end); p += 3; }
    if (p > end || end - p < len) {
      warn(ctx, `attribute ${type} truncated: length ${len}, ${Math.max(0, end - p)} bytes left`);
      break;
    }
    const s = p;
    const e = p + len;
    p = e;
    a.flags = (a.flags | flagBit(type)) >>> 0;
    switch (type) {
      case ATTR.ORIGIN: a.origin = u8(b, s, e); break;
      case ATTR.AS_PATH: a.asPath = parseAsPath(b, s, e, ctx.asnLen); break;
      case ATTR.NEXT_HOP: a.nextHop = u32(b, s, e); break;
      case ATTR.MED: a.med = u32(b, s, e); break;
      case ATTR.LOCAL_PREF: a.localPref = u32(b, s, e); break;
      case ATTR.ATOMIC_AGGREGATE: a.atomicAggregate = true; break;
      case ATTR.AGGREGATOR:
        a.aggregator = ctx.asnLen === 4
          ? { asn: u32(b, s, e), addr: u32(b, s + 4, e) }
          : { asn: u16(b, s, e), addr: u32(b, s + 2, e) };
        break;
      case ATTR.COMMUNITIES: {
        const c: number[] = [];
        for (let q = s; q + 4 <= e; q += 4) c.push(u32(b, q, e));
        a.communities = c;
        break;
      }
      case ATTR.LARGE_COMMUNITIES: {
        const c: Array<[number, number, number]> = [];
        for (let q = s; q + 12 <= e; q += 12) c.push([u32(b, q, e), u32(b, q + 4, e), u32(b, q + 8, e)]);
        a.largeCommunities = c;
        break;
      }
      case ATTR.EXT_COMMUNITIES: {
        const c: Uint8Array[] = [];
        for (let q = s; q + 8 <= e; q += 8) c.push(b.slice(q, q + 8));
        a.extCommunities = c;
        break;
      }
      case ATTR.MP_REACH: mpReach(b, s, e, a, ctx); break;
      case ATTR.MP_UNREACH: mpUnreach(b, s, e, a, ctx); break;
      case ATTR.AS4_PATH: a.as4Path = parseAsPath(b, s, e, 4); break;
      case ATTR.AS4_AGGREGATOR: as4Agg = { asn: u32(b, s, e), addr: u32(b, s + 4, e) }; break;
      case ATTR.ORIGINATOR_ID: case ATTR.CLUSTER_LIST: break;
      default: (a.unknown ??= []).push(type);
    }
  }
  if (ctx.asnLen === 2) {
    // RFC 6793 §4.2.3 as bgpdump applies it: an AGGREGATOR that is not AS_TRANS next to an
    // AS4_AGGREGATOR means the AS4 attributes are stale, and the AS path is left alone too.
    if (a.aggregator && as4Agg) {
      if (a.aggregator.asn !== AS_TRANS) return a;
      a.aggregator = as4Agg;
    }
    if (a.as4Path && a.asPath && !a.asPath.error && a.asPath.count >= a.as4Path.count) {
      a.asPath = mergeAs4(a.asPath, a.as4Path);
    } else if (a.as4Path && a.asPath && a.asPath.error && a.as4Path.count === 0) {
      a.asPath = a.as4Path;
    }
  }
  return a;
}

/** bgpdump's AS path text (process_attr_aspath_string): sequences space-separated, {a,b} sets,
 * (a b) confederation sequences, [a,b] confederation sets; cut with "..." past 7900 characters. */
export function asPathToString(p: AsPath): string {
  if (p.error) return '! Error !';
  let s = '';
  let prevType = 2;
  let space = false;
  const segs = p.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (prevType !== 2) s += closeChar(prevType);
    if (space) s += ' ';
    if (seg.type !== 2) s += openChar(seg.type);
    space = false;
    const sep = seg.type === 1 || seg.type === 4 ? ',' : ' ';
    const asns = seg.asns;
    for (let j = 0; j < asns.length; j++) {
      if (space) s += sep; else space = true;
      s += asns[j];
      if (s.length > 7900) return s + '...';
    }
    prevType = seg.type;
  }
  if (segs.length > 0 && segs[segs.length - 1].type !== 2) s += closeChar(segs[segs.length - 1].type);
  return s;
}

function openChar(t: number): string {
  return t === 1 ? '{' : t === 3 ? '(' : t === 4 ? '[' : ' ';
}
function closeChar(t: number): string {
  return t === 1 ? '}' : t === 3 ? ')' : t === 4 ? ']' : ' ';
}

/** The origin AS: the last AS of the last AS_SEQUENCE segment; null when the path ends in a set. */
export function originAsn(p: AsPath | null): number | null {
  if (!p || p.error) return null;
  const segs = p.segments;
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i];
    if (seg.asns.length === 0) continue;
    if (seg.type !== 2) return null;
    return seg.asns[seg.asns.length - 1];
  }
  return null;
}
