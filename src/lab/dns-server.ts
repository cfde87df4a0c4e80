// A lab resolver (RFC 1035 over UDP, dns-packet): answers the platforms' real hostnames with lab
// addresses, like a recursive resolver would. One runs per simulated network on its own address
// (the ISP resolver) and one outside (clean, for the control helper). An ISP resolver applies its
// network's DNS policies for the querying address: NXDOMAIN, bogon; DNS injection is on-path, so
// every resolver honours it: the forged reply goes out first and the real one a moment later.
import dgram from 'node:dgram';
import { forwardWhoami, isWhoamiQuery } from '../helper/whoami-forward.js';
import dnsPacket from 'dns-packet';
import type { Censor } from './censor.js';
import { LOOPBACK_HOSTING, relocate, siteOfHost } from './sites.js';
import { BOGON_ADDRESS, INJECTED_ADDRESS } from './techniques.js';
import { VigilError } from '../model/errors.js';

export interface DnsServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface DnsServerOptions {
  address: string;
  port?: number;
  censor?: Censor | null;
  /** an ISP resolver lies itself (NXDOMAIN, bogon); an outside one is subject to injection only */
  isp: boolean;
  /** delay of the real answer behind an injected one, ms (default 0: sent right after it) */
  injectLagMs?: number;
  /** first two octets of the sites' addresses (default "127.100"; the netns lab uses another /16) */
  hosting?: string;
  /** the helper's whoami DNS server: queries in its zone are forwarded there from this resolver's
   *  own address, as a recursive resolver would, so probes learn which resolver they really use */
  whoami?: { address: string; port: number; zone?: string } | null;
}

const NOERROR = 0;
const NXDOMAIN = 3;
const FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
const TTL = 300;

function reply(q: dnsPacket.DecodedPacket, rcode: number, a: string | null): Buffer {
  const question = q.questions![0];
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: FLAGS | rcode,
    questions: [question],
    answers: a ? [{ type: 'A', class: 'IN', name: question.name, ttl: TTL, data: a }] : [],
  });
}

/** The truthful answer: (rcode, A address or null). */
export function truthfulAnswer(name: string, type: string, hosting = LOOPBACK_HOSTING): [number, string | null] {
  const site = siteOfHost(name);
  if (!site) return [NXDOMAIN, null];
  return [NOERROR, type === 'A' ? relocate(site.address, hosting) : null]; // AAAA etc.: NOERROR, no data (IPv4-only lab)
}

export function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const sock = dgram.createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  // The forged answer goes first and the real one right behind it (back to back by default): on a
  // loaded machine a timer-delayed real answer could arrive after a fast measurement had ended.
  const lag = opts.injectLagMs ?? 0;
  const hosting = opts.hosting ?? LOOPBACK_HOSTING;
  const injected = relocate(INJECTED_ADDRESS, hosting);
  sock.on('message', (msg, rinfo) => {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: a real resolver drops it too
    }
    const question = q.questions?.[0];
    if (q.type !== 'query' || !question) return;
    const send = (b: Buffer) => sock.send(b, rinfo.port, rinfo.address, () => {});
    const who = opts.whoami;
    if (who && isWhoamiQuery(msg, who.zone)) {
      // null (timeout): no reply, the probe records a DNS timeout as it would on the internet
      void forwardWhoami(msg, who, opts.address).then((r) => { if (r) send(r); });
      return;
    }
    const [rcode, addr] = truthfulAnswer(question.name, question.type, hosting);
    const d = opts.censor?.decide(rinfo.address, 'dns', { host: question.name }) ?? null;
    if (d?.technique === 'dns_inject' && question.type === 'A') {
      send(reply(q, NOERROR, injected));
      if (lag <= 0) {
        send(reply(q, rcode, addr));
        return;
      }
      const t = setTimeout(() => { timers.delete(t); send(reply(q, rcode, addr)); }, lag);
      timers.add(t);
      return;
    }
    if (opts.isp && d?.technique === 'dns_nxdomain') return send(reply(q, NXDOMAIN, null));
    if (opts.isp && d?.technique === 'dns_bogon') return send(reply(q, NOERROR, question.type === 'A' ? BOGON_ADDRESS : null));
    send(reply(q, rcode, addr));
  });
  return new Promise((resolve, reject) => {
    sock.once('error', (e) => reject(new VigilError('NETWORK', `lab DNS server on ${opts.address}: ${e.message}`, { cause: e })));
    sock.bind(opts.port ?? 0, opts.address, () => {
      sock.removeAllListeners('error');
      sock.on('error', () => {});
      resolve({
        address: opts.address,
        port: sock.address().port,
        close: () => new Promise<void>((r) => {
          for (const t of timers) clearTimeout(t);
          sock.close(() => r());
        }),
      });
    });
  });
}
