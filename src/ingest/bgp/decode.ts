// Decodes MRT record bodies (RFC 6396 §4): TABLE_DUMP, TABLE_DUMP_V2 (PEER_INDEX_TABLE,
// RIB_IPV4/IPV6_UNICAST and RFC 8050 add-path forms), BGP4MP / BGP4MP_ET (MESSAGE, MESSAGE_AS4,
// _LOCAL, _ADDPATH forms, STATE_CHANGE, STATE_CHANGE_AS4). Anything else is skipped by its length
// and counted. Never throws: a malformed body yields null (or a partial entry) and a warning.
import { parseAttributes, readPrefixList, u32, type AttrContext } from './attributes.js';
import { ipv4ToString, ipv6ToString } from './ip.js';
import { MRT } from './types.js';
import type { MrtEntry, MrtRecord, MrtWarning, PeerEntry, PeerIndexTable, Prefix, RibEntry } from './types.js';

export interface DecodeState {
  peerTable: PeerIndexTable | null;
  /** records skipped per "type/subtype" key (unknown or not decoded) */
  skipped: Map<string, number>;
  /** clear NLRI host bits (default true; false prints them as bgpdump 1.6.2 does) */
  mask: boolean;
}

export function newDecodeState(opts: { mask?: boolean } = {}): DecodeState {
  return { peerTable: null, skipped: new Map(), mask: opts.mask ?? true };
}

function skip(state: DecodeState, rec: MrtRecord): null {
  const k = `${rec.type}/${rec.subtype}`;
  state.skipped.set(k, (state.skipped.get(k) ?? 0) + 1);
  return null;
}

function u16(b: Uint8Array, i: number, end: number): number {
  return i + 1 < end ? (b[i] << 8) | b[i + 1] : i < end ? b[i] << 8 : 0;
}
function u8(b: Uint8Array, i: number, end: number): number {
  return i < end ? b[i] : 0;
}
function ip4(b: Uint8Array, i: number, end: number): string {
  return i + 3 < end ? ipv4ToString(b, i) : ipv4ToString(padded(b, i, end, 4));
}
function ip6(b: Uint8Array, i: number, end: number): string {
  return i + 15 < end ? ipv6ToString(b, i) : ipv6ToString(padded(b, i, end, 16));
}
function padded(b: Uint8Array, i: number, end: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n && i + k < end; k++) out[k] = b[i + k];
  return out;
}

export function decodeRecord(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[]): MrtEntry | null {
  switch (rec.type) {
    case MRT.TABLE_DUMP_V2: return decodeTableDumpV2(rec, state, warnings);
    case MRT.BGP4MP:
    case MRT.BGP4MP_ET: return decodeBgp4mp(rec, state, warnings);
    case MRT.TABLE_DUMP: return decodeTableDump(rec, state, warnings);
    default: return skip(state, rec);
  }
}

// ---- TABLE_DUMP_V2 (RFC 6396 §4.3) ----

function decodeTableDumpV2(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[]): MrtEntry | null {
  const st = rec.subtype;
  if (st === 1) return decodePeerIndex(rec, state, warnings);
  if (st === 2 || st === 4 || st === 8 || st === 10) {
    return decodeRib(rec, state, warnings, st === 2 || st === 8 ? 1 : 2, st >= 8);
  }
  return skip(state, rec); // multicast, RIB_GENERIC: bgpdump does not print them either
}

function decodePeerIndex(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[]): PeerIndexTable | null {
  const b = rec.body;
  const end = b.length;
  const collectorId = u32(b, 0, end);
  const nameLen = u16(b, 4, end);
  let p = 6;
  const viewName = Buffer.from(b.buffer, b.byteOffset + Math.min(p, end), Math.max(0, Math.min(nameLen, end - p))).toString('latin1');
  p += nameLen;
  const count = u16(b, p, end);
  p += 2;
  const peers: PeerEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p >= end) {
      warnings.push({ offset: rec.offset, reason: `PEER_INDEX_TABLE announces ${count} peers but holds ${i}` });
      break;
    }
    const t = b[p];
    const afi: 1 | 2 = t & 1 ? 2 : 1;
    const bgpId = u32(b, p + 1, end);
    p += 5;
    const ip = afi === 1 ? ip4(b, p, end) : ip6(b, p, end);
    p += afi === 1 ? 4 : 16;
    const asn = t & 2 ? u32(b, p, end) : u16(b, p, end);
    p += t & 2 ? 4 : 2;
    peers.push({ afi, bgpId, ip, asn });
  }
  const table: PeerIndexTable = { kind: 'peer_index', record: rec, collectorId, viewName, peers };
  state.peerTable = table;
  return table;
}

function decodeRib(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[], afi: 1 | 2, addPath: boolean): MrtEntry | null {
  const b = rec.body;
  const end = b.length;
  const sequence = u32(b, 0, end);
  const plen = u8(b, 4, end);
  const nbytes = (plen + 7) >> 3;
  let p = 5;
  // The RIB prefix is printed as stored (bgpdump does not mask it).
  let prefix: Prefix;
  if (afi === 1) {
    let v = 0;
    for (let i = 0; i < 4; i++) v = (v << 8) | (i < nbytes ? u8(b, p + i, end) : 0);
    prefix = { afi: 1, len: plen, v4: v >>> 0, v6: null, pathId: 0 };
  } else {
    const a = new Uint8Array(16);
    for (let i = 0; i < 16 && i < nbytes; i++) a[i] = u8(b, p + i, end);
    prefix = { afi: 2, len: plen, v4: 0, v6: a, pathId: 0 };
  }
  p += nbytes;
  const count = u16(b, p, end);
  p += 2;
  const table = state.peerTable;
  if (count > 0 && !table) {
    warnings.push({ offset: rec.offset, reason: 'RIB record before any PEER_INDEX_TABLE: skipped' });
    return null;
  }
  const entries: RibEntry[] = [];
  const ctx: AttrContext = { asnLen: 4, addPath, mask: state.mask, offset: rec.offset, warnings };
  for (let i = 0; i < count; i++) {
    if (p + 6 > end) {
      warnings.push({ offset: rec.offset, reason: `RIB record announces ${count} entries but holds ${i}` });
      break;
    }
    const peerIndex = (b[p] << 8) | b[p + 1];
    const originated = u32(b, p + 2, end);
    p += 6;
    let pathId = 0;
    if (addPath) { pathId = u32(b, p, end); p += 4; }
    const alen = u16(b, p, end);
    p += 2;
    const aend = Math.min(end, p + alen);
    if (p + alen > end) warnings.push({ offset: rec.offset, reason: `RIB entry ${i}: attribute length ${alen} exceeds the record` });
    const attrs = parseAttributes(b, p, aend, ctx);
    p = aend;
    const peer = table!.peers[peerIndex];
    if (!peer) {
      warnings.push({ offset: rec.offset, reason: `RIB entry ${i}: peer index ${peerIndex} not in PEER_INDEX_TABLE (${table!.peers.length} peers): skipped` });
      continue;
    }
    entries.push({ peer, peerIndex, originated, pathId, attrs });
  }
  return { kind: 'rib', record: rec, addPath, sequence, prefix, entries };
}

// ---- BGP4MP / BGP4MP_ET (RFC 6396 §4.4, RFC 8050 §3) ----

function decodeBgp4mp(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[]): MrtEntry | null {
  const st = rec.subtype;
  if (st === 0 || st === 5) return decodeStateChange(rec, warnings, st === 5 ? 4 : 2);
  if (st === 1 || st === 4 || (st >= 6 && st <= 11)) {
    const as4 = st === 4 || st === 7 || st === 9 || st === 11;
    const local = st === 6 || st === 7 || st === 10 || st === 11;
    const addPath = st >= 8;
    return decodeMessage(rec, warnings, as4 ? 4 : 2, local, addPath, state.mask);
  }
  return skip(state, rec);
}

function decodeStateChange(rec: MrtRecord, warnings: MrtWarning[], asnLen: 2 | 4): MrtEntry | null {
  const b = rec.body;
  const end = b.length;
  const peerAs = asnLen === 4 ? u32(b, 0, end) : u16(b, 0, end);
  const localAs = asnLen === 4 ? u32(b, 4, end) : u16(b, 2, end);
  let p = 2 * asnLen;
  // Old Zebra wrote 8-byte state changes without addresses (bgpdump's workaround).
  if (end === 8) {
    return { kind: 'state', record: rec, afi: 1, peerAs, localAs, peerIp: '0.0.0.0', oldState: u16(b, p, end), newState: u16(b, p + 2, end) };
  }
  const afi = u16(b, p + 2, end);
  p += 4;
  if (afi === 1) {
    if (end !== 20 && end !== 24) { warnings.push({ offset: rec.offset, reason: `STATE_CHANGE: bad length ${end} for IPv4` }); return null; }
    const peerIp = ip4(b, p, end);
    p += 8;
    return { kind: 'state', record: rec, afi: 1, peerAs, localAs, peerIp, oldState: u16(b, p, end), newState: u16(b, p + 2, end) };
  }
  if (afi === 2) {
    if (end !== 44 && end !== 48) { warnings.push({ offset: rec.offset, reason: `STATE_CHANGE: bad length ${end} for IPv6` }); return null; }
    const peerIp = ip6(b, p, end);
    p += 32;
    return { kind: 'state', record: rec, afi: 2, peerAs, localAs, peerIp, oldState: u16(b, p, end), newState: u16(b, p + 2, end) };
  }
  warnings.push({ offset: rec.offset, reason: `STATE_CHANGE: unknown address family ${afi}` });
  return null;
}

function decodeMessage(rec: MrtRecord, warnings: MrtWarning[], asnLen: 2 | 4, local: boolean, addPath: boolean, mask: boolean): MrtEntry | null {
  const b = rec.body;
  const end = b.length;
  // RFC 6396 §4.4.2: Peer AS, Local AS, Interface Index, AFI, Peer IP, Local IP, BGP message.
  const peerAs = asnLen === 4 ? u32(b, 0, end) : u16(b, 0, end);
  const localAs = asnLen === 4 ? u32(b, 4, end) : u16(b, 2, end);
  let p = 2 * asnLen;
  const ifIndex = u16(b, p, end);
  const afiRaw = u16(b, p + 2, end);
  p += 4;
  let afi: 1 | 2;
  let peerIp: string;
  let localIp: string;
  if (afiRaw === 1) {
    afi = 1; peerIp = ip4(b, p, end); localIp = ip4(b, p + 4, end); p += 8;
  } else if (afiRaw === 2) {
    afi = 2; peerIp = ip6(b, p, end); localIp = ip6(b, p + 16, end); p += 32;
  } else if (afiRaw === 0xffff && ifIndex === 0xffff) {
    // Zebra OPEN dumps without addresses; the "AFI" bytes were the marker's first 4 bytes.
    afi = 1; peerIp = '0.0.0.0'; localIp = '0.0.0.0'; p -= 4;
  } else {
    warnings.push({ offset: rec.offset, reason: `BGP4MP message: unsupported address family ${afiRaw}` });
    return null;
  }
  for (let i = 0; i < 16; i++) {
    if (u8(b, p + i, end) !== 0xff) {
      warnings.push({ offset: rec.offset, reason: 'BGP4MP message: bad BGP marker: skipped' });
      return null;
    }
  }
  p += 16;
  const size = u16(b, p, end);
  p += 2;
  // The BGP length covers marker, length and type (RFC 4271 §4.1); trust the record if it says less.
  let mend = size >= 18 ? Math.min(end, p + size - 18) : end;
  if (size >= 18 && p + size - 18 > end) {
    warnings.push({ offset: rec.offset, reason: `BGP message length ${size} exceeds the MRT record by ${p + size - 18 - end} bytes` });
  }
  if (mend < p) mend = p;
  const bgpType = u8(b, p, mend);
  p++;
  if (bgpType !== 2) {
    if (bgpType < 1 || bgpType > 4) warnings.push({ offset: rec.offset, reason: `BGP message type ${bgpType} not decoded` });
    return { kind: 'message', record: rec, bgpType };
  }
  // UPDATE (RFC 4271 §4.3)
  const wlen = u16(b, p, mend);
  p += 2;
  const wend = Math.min(mend, p + wlen);
  const withdrawn: Prefix[] = [];
  if (!readPrefixList(b, p, wend, 1, addPath, withdrawn, mask)) warnings.push({ offset: rec.offset, reason: 'withdrawn routes truncated' });
  p = p + wlen;
  const alen = u16(b, p, mend);
  p += 2;
  const aend = Math.min(mend, p + alen);
  if (p + alen > mend) warnings.push({ offset: rec.offset, reason: `path attribute length ${alen} exceeds the message` });
  const attrs = parseAttributes(b, Math.min(p, mend), aend, { asnLen, addPath, mask, offset: rec.offset, warnings });
  p = p + alen;
  const announced: Prefix[] = [];
  if (p < mend && !readPrefixList(b, p, mend, 1, addPath, announced, mask)) warnings.push({ offset: rec.offset, reason: 'NLRI truncated' });
  return { kind: 'update', record: rec, afi, local, addPath, as4: asnLen === 4, peerAs, localAs, peerIp, localIp, withdrawn, announced, attrs };
}

// ---- legacy TABLE_DUMP (RFC 6396 §4.2) ----

function decodeTableDump(rec: MrtRecord, state: DecodeState, warnings: MrtWarning[]): MrtEntry | null {
  const st = rec.subtype;
  if (st < 1 || st > 4) return skip(state, rec);
  const v6 = st === 2 || st === 4;
  const asnLen: 2 | 4 = st >= 3 ? 4 : 2;
  const b = rec.body;
  const end = b.length;
  const view = u16(b, 0, end);
  const sequence = u16(b, 2, end);
  let p = 4;
  const w = v6 ? 16 : 4;
  const addr = padded(b, p, end, w);
  p += w;
  const len = u8(b, p, end);
  const status = u8(b, p + 1, end);
  const originated = u32(b, p + 2, end);
  p += 6;
  const peerBytes = padded(b, p, end, w);
  p += w;
  const peerAs = asnLen === 4 ? u32(b, p, end) : u16(b, p, end);
  p += asnLen;
  const alen = u16(b, p, end);
  p += 2;
  if (p + alen > end) warnings.push({ offset: rec.offset, reason: `TABLE_DUMP attribute length ${alen} exceeds the record` });
  const attrs = parseAttributes(b, Math.min(p, end), Math.min(end, p + alen), { asnLen, addPath: false, mask: state.mask, offset: rec.offset, warnings });
  // bgpdump formats addresses as IPv6 only for subtype 2 (AFI_IP6); subtype 4 prints the first
  // four bytes as IPv4. Kept, so the output matches.
  const prefix: Prefix = st === 2
    ? { afi: 2, len, v4: 0, v6: addr, pathId: 0 }
    : { afi: 1, len, v4: ((addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3]) >>> 0, v6: null, pathId: 0 };
  const peerIp = st === 2 ? ipv6ToString(peerBytes) : ipv4ToString(peerBytes);
  return { kind: 'table_dump', record: rec, afi: v6 ? 2 : 1, view, sequence, prefix, status, originated, peerIp, peerAs, attrs };
}
