// Steps the IM experiments share: "connect to host:port" (resolve, then each address until one
// answers) and the keys every IM test carries.
import type { Failure } from '../../model/failures.js';
import { VigilError } from '../../model/errors.js';
import { resolveHost } from '../../netx/dns.js';
import { splitEndpoint, type NetEnv } from '../../netx/env.js';
import { tcpConnect } from '../../netx/tcp.js';
import type { Trace } from '../../netx/trace.js';

export function imKeys(trace: Trace) {
  return { queries: trace.queries, tcp_connect: trace.tcp, tls_handshakes: trace.tls, requests: trace.requests };
}

/** Splits "host:port" (a targets entry). */
export function hostPort(s: string): { host: string; port: number } {
  const e = splitEndpoint(s);
  if (!e) throw new VigilError('BAD_INPUT', `not host:port: ${s}`);
  return { host: e.ip, port: e.port };
}

/** DNS then TCP to each address until one connects; the socket is closed (reachability only). */
export async function tcpReach(host: string, port: number, env: NetEnv, trace: Trace): Promise<{ addrs: string[]; failure: Failure | null; dnsFailure: Failure | null }> {
  const d = await resolveHost(host, env, trace);
  if (d.failure) return { addrs: [], failure: d.failure, dnsFailure: d.failure };
  let failure: Failure | null = 'dns_no_answer';
  for (const ip of d.addrs) {
    const c = await tcpConnect(ip, port, env, trace);
    if (c.socket) {
      c.socket.destroy();
      return { addrs: d.addrs, failure: null, dnsFailure: null };
    }
    failure = c.failure;
  }
  return { addrs: d.addrs, failure, dnsFailure: null };
}

/** Runs async jobs with at most `n` in flight, results in input order. */
export async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
