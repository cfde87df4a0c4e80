// The "whoami" DNS name (issue 10 §3): a tiny authoritative UDP DNS server (RFC 1035, dns-packet)
// for one zone that answers every name under it with the address the query came from. A probe
// resolves <nonce>.whoami.<zone> through its ISP's resolver; that resolver, not the probe, asks
// this server, so the answer is the resolver's egress address: the resolver_ip OONI records.
// The random label defeats resolver caches (a TTL of 0 is not honoured by every resolver).
//
//   A     → the source address when it is IPv4 (IPv4-mapped IPv6 included)
//   AAAA  → the source address when it is IPv6
//   TXT   → the source address as text, either family
//   other types, or A/AAAA of the other family → NOERROR, no data (RFC 2308 NODATA)
//   a name outside the zone → REFUSED (we are authoritative for the zone only)
// Nothing is logged or kept: the server holds no state between queries.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { VigilError } from '../model/errors.js';

export const DEFAULT_WHOAMI_ZONE = 'whoami.vigil.invalid';

export interface WhoamiDnsOptions {
  host: string;
  /** 0 or absent: an ephemeral port */
  port?: number;
  zone?: string;
}

export interface WhoamiDnsServer {
  address: string;
  port: number;
  zone: string;
  close(): Promise<void>;
}

const NOERROR = 0;
const FORMERR = 1;
const REFUSED = 5;

/** Is `name` the zone itself or under it (case-insensitive, trailing dot ignored)? */
export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  return n === z || n.endsWith('.' + z);
}

/** The reply to one query packet from `source`; null when the packet is not a query worth a reply. */
export function whoamiReply(msg: Buffer, source: string, zone: string): Buffer | null {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    // Undecodable: answer FORMERR when at least the 12-byte header (and its id) is there.
    if (msg.length < 12 || (msg[2] & 0x80) !== 0) return null;
    return dnsPacket.encode({ type: 'response', id: msg.readUInt16BE(0), flags: FORMERR, questions: [] });
  }
  if (q.type !== 'query') return null; // never answer a response: no reflection loops
  const questions = q.questions ?? [];
  const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const head = { type: 'response' as const, id: q.id, questions };
  if (questions.length !== 1) return dnsPacket.encode({ ...head, flags: rd | FORMERR });
  const question = questions[0];
  if (!inZone(question.name, zone)) return dnsPacket.encode({ ...head, flags: rd | REFUSED });
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(source);
  const addr = mapped ? mapped[1] : source;
  const fam = isIP(addr);
  const answers: dnsPacket.Answer[] = [];
  const base = { name: question.name, class: 'IN' as const, ttl: 0 };
  if (question.type === 'A' && fam === 4) answers.push({ ...base, type: 'A', data: addr });
  else if (question.type === 'AAAA' && fam === 6) answers.push({ ...base, type: 'AAAA', data: addr });
  else if (question.type === 'TXT' && fam !== 0) answers.push({ ...base, type: 'TXT', data: addr });
  return dnsPacket.encode({ ...head, flags: rd | dnsPacket.AUTHORITATIVE_ANSWER | NOERROR, answers });
}

export function startWhoamiDns(opts: WhoamiDnsOptions): Promise<WhoamiDnsServer> {
  const zone = (opts.zone ?? DEFAULT_WHOAMI_ZONE).toLowerCase().replace(/\.$/, '');
  if (!/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(zone) || zone.length > 200) {
    return Promise.reject(new VigilError('CONFIG', `whoami zone: not a domain name: "${zone.slice(0, 80)}"`));
  }
  const sock = dgram.createSocket(isIP(opts.host) === 6 ? 'udp6' : 'udp4');
  sock.on('message', (msg, rinfo) => {
    const out = whoamiReply(msg, rinfo.address, zone);
    if (out) sock.send(out, rinfo.port, rinfo.address, () => {});
  });
  return new Promise((resolve, reject) => {
    sock.once('error', (e) => {
      try {
        sock.close();
      } catch {}
      reject(new VigilError('NETWORK', `whoami DNS server on ${opts.host}:${opts.port ?? 0}: ${e.message}`, { cause: e }));
    });
    sock.bind(opts.port ?? 0, opts.host, () => {
      sock.removeAllListeners('error');
      sock.on('error', () => {}); // a send to a vanished client must not crash the helper
      let closed: Promise<void> | null = null;
      resolve({
        address: sock.address().address,
        port: sock.address().port,
        zone,
        close: () => (closed ??= new Promise<void>((r) => sock.close(() => r()))),
      });
    });
  });
}
