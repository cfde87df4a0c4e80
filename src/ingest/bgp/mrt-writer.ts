// A small MRT writer (RFC 6396) for tests and simulations: PEER_INDEX_TABLE, RIB_IPV4_UNICAST,
// BGP4MP_MESSAGE_AS4 UPDATEs and STATE_CHANGE_AS4, IPv4 only, 4-byte ASNs.
import { parseV4 } from './prefix-table.js';

function ip(s: string): number {
  const v = parseV4(s);
  if (v === null) throw new Error(`not an IPv4 address: ${s}`);
  return v;
}

function header(ts: number, type: number, subtype: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(ts >>> 0, 0);
  h.writeUInt16BE(type, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

/** NLRI encoding of "a.b.c.d/len" (RFC 4271 §4.3). */
export function encodePrefix(p: string): Buffer {
  const [a, l] = p.split('/');
  const len = Number(l);
  const v = ip(a);
  const n = (len + 7) >> 3;
  const b = Buffer.alloc(1 + n);
  b[0] = len;
  for (let i = 0; i < n; i++) b[1 + i] = (v >>> (24 - 8 * i)) & 0xff;
  return b;
}

export interface PathAttrs {
  asPath: number[];
  nextHop: string;
  origin?: number;
  communities?: number[];
}

export function encodeAttributes(a: PathAttrs): Buffer {
  const parts: Buffer[] = [];
  const attr = (flags: number, type: number, body: Buffer) => {
    const ext = body.length > 255;
    const h = Buffer.alloc(ext ? 4 : 3);
    h[0] = flags | (ext ? 0x10 : 0);
    h[1] = type;
    if (ext) h.writeUInt16BE(body.length, 2); else h[2] = body.length;
    parts.push(h, body);
  };
  attr(0x40, 1, Buffer.from([a.origin ?? 0]));
  const seg = Buffer.alloc(2 + 4 * a.asPath.length);
  seg[0] = 2;
  seg[1] = a.asPath.length;
  a.asPath.forEach((x, i) => seg.writeUInt32BE(x >>> 0, 2 + 4 * i));
  attr(0x40, 2, a.asPath.length ? seg : Buffer.alloc(0));
  const nh = Buffer.alloc(4);
  nh.writeUInt32BE(ip(a.nextHop), 0);
  attr(0x40, 3, nh);
  if (a.communities?.length) {
    const c = Buffer.alloc(4 * a.communities.length);
    a.communities.forEach((x, i) => c.writeUInt32BE(x >>> 0, 4 * i));
    attr(0xc0, 8, c);
  }
  return Buffer.concat(parts);
}

export interface WriterPeer { ip: string; asn: number; bgpId?: string }

export function peerIndexTable(ts: number, collectorId: string, peers: WriterPeer[], viewName = ''): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(6);
  h.writeUInt32BE(ip(collectorId), 0);
  h.writeUInt16BE(viewName.length, 4);
  parts.push(h, Buffer.from(viewName, 'latin1'));
  const c = Buffer.alloc(2);
  c.writeUInt16BE(peers.length, 0);
  parts.push(c);
  for (const p of peers) {
    const e = Buffer.alloc(13);
    e[0] = 2; // IPv4 address, 4-byte AS
    e.writeUInt32BE(ip(p.bgpId ?? p.ip), 1);
    e.writeUInt32BE(ip(p.ip), 5);
    e.writeUInt32BE(p.asn >>> 0, 9);
    parts.push(e);
  }
  return header(ts, 13, 1, Buffer.concat(parts));
}

export function ribIpv4(ts: number, seq: number, prefix: string, entries: Array<{ peerIndex: number; attrs: PathAttrs; originated?: number }>): Buffer {
  const parts: Buffer[] = [];
  const s = Buffer.alloc(4);
  s.writeUInt32BE(seq >>> 0, 0);
  parts.push(s, encodePrefix(prefix));
  const c = Buffer.alloc(2);
  c.writeUInt16BE(entries.length, 0);
  parts.push(c);
  for (const e of entries) {
    const attrs = encodeAttributes(e.attrs);
    const h = Buffer.alloc(8);
    h.writeUInt16BE(e.peerIndex, 0);
    h.writeUInt32BE((e.originated ?? ts) >>> 0, 2);
    h.writeUInt16BE(attrs.length, 6);
    parts.push(h, attrs);
  }
  return header(ts, 13, 2, Buffer.concat(parts));
}

export interface UpdateSpec {
  peer: WriterPeer;
  localAs?: number;
  localIp?: string;
  withdrawn?: string[];
  announced?: string[];
  attrs?: PathAttrs;
}

/** BGP4MP MESSAGE_AS4 carrying one UPDATE. */
export function bgp4mpUpdate(ts: number, u: UpdateSpec): Buffer {
  const w = Buffer.concat((u.withdrawn ?? []).map(encodePrefix));
  const a = u.announced?.length && u.attrs ? encodeAttributes(u.attrs) : Buffer.alloc(0);
  const n = Buffer.concat((u.announced ?? []).map(encodePrefix));
  const msg = Buffer.alloc(19 + 2 + w.length + 2 + a.length + n.length);
  msg.fill(0xff, 0, 16);
  msg.writeUInt16BE(msg.length, 16);
  msg[18] = 2;
  let p = 19;
  msg.writeUInt16BE(w.length, p); p += 2;
  w.copy(msg, p); p += w.length;
  msg.writeUInt16BE(a.length, p); p += 2;
  a.copy(msg, p); p += a.length;
  n.copy(msg, p);
  return header(ts, 16, 4, Buffer.concat([peerHead(u.peer, u.localAs ?? 64496, u.localIp ?? '192.0.2.254'), msg]));
}

function peerHead(peer: WriterPeer, localAs: number, localIp: string): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt32BE(peer.asn >>> 0, 0);
  h.writeUInt32BE(localAs >>> 0, 4);
  h.writeUInt16BE(0, 8);
  h.writeUInt16BE(1, 10);
  h.writeUInt32BE(ip(peer.ip), 12);
  h.writeUInt32BE(ip(localIp), 16);
  return h;
}

/** BGP4MP STATE_CHANGE_AS4 (RFC 6396 §4.4.8). */
export function stateChange(ts: number, peer: WriterPeer, oldState: number, newState: number): Buffer {
  const s = Buffer.alloc(4);
  s.writeUInt16BE(oldState, 0);
  s.writeUInt16BE(newState, 2);
  return header(ts, 16, 5, Buffer.concat([peerHead(peer, 64496, '192.0.2.254'), s]));
}
