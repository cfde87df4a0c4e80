// For the lab's per-network resolvers (src/lab/dns-server.ts): a real ISP resolver resolving
// <nonce>.whoami.vigil.invalid would ask the zone's authoritative server from its own address;
// the lab's resolvers answer from a table instead, so they call this to do what a recursive
// resolver does for that one zone: send the query on to the whoami server from a socket bound to
// the resolver's own address, and hand the reply back. The whoami server then sees, and answers
// with, the resolver's address, exactly as on the internet.
//
// Usage inside the lab resolver's 'message' handler, before its own table lookup:
//   if (isWhoamiQuery(msg, zone)) {
//     const r = await forwardWhoami(msg, whoami, opts.address);  // whoami = {address, port}
//     if (r) sock.send(r, rinfo.port, rinfo.address);              // null: timeout → no reply,
//     return;                                                       // the probe records a timeout
//   }
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { DEFAULT_WHOAMI_ZONE, inZone } from './whoami-dns.js';

/** True when `query` is a DNS query for a name in the whoami zone (cheap; never throws). */
export function isWhoamiQuery(query: Buffer, zone: string = DEFAULT_WHOAMI_ZONE): boolean {
  try {
    const p = dnsPacket.decode(query);
    const q = p.questions?.[0];
    return p.type === 'query' && !!q && inZone(q.name, zone);
  } catch {
    return false;
  }
}

/**
 * Sends `query` to the whoami server `upstream` from `localAddress` (port 0) and resolves with
 * the raw reply (same transaction id, so it can be relayed as is), or null after `timeoutMs`
 * or on a socket error. Replies from anyone but `upstream`, or with another id, are ignored.
 */
export function forwardWhoami(query: Buffer, upstream: { address: string; port: number }, localAddress: string, timeoutMs = 2000): Promise<Buffer | null> {
  if (query.length < 12) return Promise.resolve(null);
  const id = query.readUInt16BE(0);
  const sock = dgram.createSocket(isIP(upstream.address) === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Buffer | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {}
      resolve(r);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port !== upstream.port || rinfo.address.replace(/^::ffff:/, '') !== upstream.address.replace(/^::ffff:/, '')) return;
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      finish(msg);
    });
    sock.bind({ address: localAddress, port: 0 }, () => {
      sock.send(query, upstream.port, upstream.address, (e) => {
        if (e) finish(null);
      });
    });
  });
}
