// DNS lookups (df-002): through the system resolver (getaddrinfo via dns.lookup) or straight to a
// UDP resolver with dns-packet. The UDP path keeps listening after the first reply until the DNS
// deadline (or until the measurement closes its trace): an on-path injector's forged reply and
// the real one both land in x_all_replies, in arrival order. Answers come from the first reply,
// as a stub resolver would take them.
import dgram from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { DnsAnswer, DnsQuery } from '../model/measurement.js';
import type { Failure } from '../model/failures.js';
import { unknownFailure } from '../model/failures.js';
import { classifyDns, NetError } from './classify.js';
import type { NetEnv } from './env.js';
import { setExtra, type Trace } from './trace.js';

export interface DnsResult {
  /** unique addresses from the answers (A then AAAA) */
  addrs: string[];
  failure: Failure | null;
  queries: DnsQuery[];
}

function toAnswers(records: dnsPacket.Answer[] | undefined): DnsAnswer[] {
  const out: DnsAnswer[] = [];
  for (const r of records ?? []) {
    const ttl = typeof (r as { ttl?: number }).ttl === 'number' ? (r as { ttl: number }).ttl : null;
    if (r.type === 'A') out.push({ answer_type: 'A', ipv4: String(r.data), ttl });
    else if (r.type === 'AAAA') out.push({ answer_type: 'AAAA', ipv6: String(r.data), ttl });
    else if (r.type === 'CNAME') out.push({ answer_type: 'CNAME', hostname: String(r.data), ttl });
  }
  return out;
}

function rcodeFailure(rcode: string, answers: DnsAnswer[], qtype: string): Failure | null {
  switch (rcode) {
    case 'NOERROR':
      return answers.some((a) => a.answer_type === qtype) ? null : 'dns_no_answer';
    case 'NXDOMAIN':
      return 'dns_nxdomain_error';
    case 'SERVFAIL':
      return 'dns_servfail_error';
    case 'REFUSED':
      return 'dns_refused_error';
    default:
      return unknownFailure(`dns_rcode_${rcode}`);
  }
}

export interface UdpQueryOptions {
  /** resolves once listening stops (deadline reached or trace closed); for tests and tools */
  onSettled?: (entry: DnsQuery) => void;
}

/** One query over UDP; resolves at the first reply (or the deadline), keeps listening after. */
export function queryUdp(host: string, qtype: 'A' | 'AAAA', env: NetEnv, trace: Trace, server: { address: string; port: number }, opts: UdpQueryOptions = {}): Promise<DnsQuery> {
  const entry: DnsQuery = {
    answers: null,
    engine: 'udp',
    failure: null,
    hostname: host,
    query_type: qtype,
    resolver_address: `${server.address.includes(':') ? `[${server.address}]` : server.address}:${server.port}`,
    resolver_hostname: null,
    resolver_port: String(server.port),
    t0: trace.now(),
    t: 0,
    transaction_id: trace.nextTx(),
    x_all_replies: [],
  };
  trace.queries.push(entry);
  const id = randomInt(0, 65536);
  const wire = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype, name: host, class: 'IN' }] });
  const family = isIP(server.address) === 6 ? 'udp6' : 'udp4';
  const sock = dgram.createSocket(family);
  const qname = host.toLowerCase().replace(/\.$/, '');
  return new Promise<DnsQuery>((resolve) => {
    let answered = false;
    let closed = false;
    const finish = (failure: Failure | null) => {
      if (answered) return;
      answered = true;
      if (failure) entry.failure = failure;
      entry.t = trace.now();
      resolve(entry);
    };
    const stop = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      unregister();
      try {
        sock.close();
      } catch {}
      opts.onSettled?.(entry);
    };
    const timer = setTimeout(() => {
      finish(classifyDns(new NetError('VIGIL_TIMEOUT')));
      stop();
    }, env.timeouts.dns);
    const unregister = trace.onClose(() => {
      finish(classifyDns(new NetError('VIGIL_TIMEOUT')));
      stop();
    });
    sock.on('error', (e) => {
      finish(classifyDns(e));
      stop();
    });
    sock.on('message', (msg, rinfo) => {
      let p: dnsPacket.Packet;
      try {
        p = dnsPacket.decode(msg);
      } catch {
        return; // garbage on our port is not a reply
      }
      if (p.id !== id || p.type !== 'response') return;
      const q = p.questions?.[0];
      if (!q || q.name.toLowerCase().replace(/\.$/, '') !== qname) return;
      const rcode = (p as { rcode?: string }).rcode ?? 'NOERROR';
      const answers = toAnswers(p.answers);
      entry.x_all_replies!.push(setExtra({ t: trace.now(), rcode, answers }, 'source', `${rinfo.address}:${rinfo.port}`));
      if (!answered) {
        entry.answers = answers.length ? answers : null;
        finish(rcodeFailure(rcode, answers, qtype));
      }
    });
    const send = () => sock.send(wire, server.port, server.address, (e) => {
      if (e) {
        finish(classifyDns(e));
        stop();
      }
    });
    if (env.localAddress && (isIP(env.localAddress) === 6) === (family === 'udp6')) {
      sock.bind({ address: env.localAddress, port: 0, exclusive: true }, send);
    } else send();
  });
}

/** getaddrinfo through dns.lookup; it cannot be cancelled, so the deadline races it. */
export function querySystem(host: string, env: NetEnv, trace: Trace): Promise<DnsQuery> {
  const entry: DnsQuery = {
    answers: null,
    engine: 'getaddrinfo',
    failure: null,
    hostname: host,
    query_type: 'ANY',
    resolver_address: '',
    resolver_hostname: null,
    resolver_port: null,
    t0: trace.now(),
    t: 0,
    transaction_id: trace.nextTx(),
  };
  trace.queries.push(entry);
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      entry.failure = classifyDns(new NetError('VIGIL_TIMEOUT'));
      entry.t = trace.now();
      resolve(entry);
    }, env.timeouts.dns);
    lookup(host, { all: true, family: 0 }, (err, addrs) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      entry.t = trace.now();
      if (err) entry.failure = classifyDns(err);
      else {
        const answers: DnsAnswer[] = addrs.map((a) => (a.family === 6 ? { answer_type: 'AAAA', ipv6: a.address, ttl: null } : { answer_type: 'A', ipv4: a.address, ttl: null }));
        entry.answers = answers.length ? answers : null;
        if (!answers.length) entry.failure = 'dns_no_answer';
      }
      resolve(entry);
    });
  });
}

export function addrsOf(queries: DnsQuery[]): string[] {
  const out: string[] = [];
  for (const q of queries) for (const a of q.answers ?? []) {
    const ip = a.ipv4 ?? a.ipv6;
    if (ip && !out.includes(ip)) out.push(ip);
  }
  return out;
}

/**
 * Resolves a host the way the env says. An IP literal needs no query. Over UDP only A is asked:
 * the lab and the platforms Vigil measures are reached over IPv4, and an AAAA query that a
 * censor drops would otherwise cost a full DNS deadline.
 */
export async function resolveHost(host: string, env: NetEnv, trace: Trace): Promise<DnsResult> {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h)) return { addrs: [h], failure: null, queries: [] };
  const r = env.resolver;
  const q = r.kind === 'udp' ? await queryUdp(h, 'A', env, trace, r) : await querySystem(h, env, trace);
  const addrs = addrsOf([q]);
  return { addrs, failure: addrs.length ? null : ((q.failure as Failure | null) ?? 'dns_no_answer'), queries: [q] };
}
