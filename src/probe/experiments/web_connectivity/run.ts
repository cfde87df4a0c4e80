// web_connectivity (ts-017): DNS → TCP to every address → TLS with SNI on each (https) → HTTP GET
// over the first established connection, while the control helper does the same from outside;
// then analysis.ts compares the two.
import type net from 'node:net';
import type { HttpRequestEntry, Measurement, WebConnectivityKeys } from '../../../model/measurement.js';
import type { Failure } from '../../../model/failures.js';
import { VigilError } from '../../../model/errors.js';
import { resolveHost } from '../../../netx/dns.js';
import { endpoint } from '../../../netx/env.js';
import { DEFAULT_HEADERS, httpGet } from '../../../netx/http.js';
import { tcpConnect } from '../../../netx/tcp.js';
import { tlsHandshake } from '../../../netx/tls.js';
import type { Trace } from '../../../netx/trace.js';
import { askControl, type ControlResult } from '../../control.js';
import type { ExperimentContext } from '../../context.js';
import { measure } from '../../envelope.js';
import { analyze, extractTitle } from './analysis.js';

export const TEST_NAME = 'web_connectivity';
export const TEST_VERSION = '0.4.3';

function parseInput(input: string): URL {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new VigilError('BAD_INPUT', `web_connectivity: not a URL: ${input.slice(0, 200)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VigilError('BAD_INPUT', `web_connectivity: not an http(s) URL: ${input.slice(0, 200)}`);
  return u;
}

async function body(ctx: ExperimentContext, input: string, trace: Trace): Promise<WebConnectivityKeys> {
  const u = parseInput(input);
  const env = ctx.env;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const https = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : https ? 443 : 80;

  const dns = await resolveHost(host, env, trace);
  const endpoints = dns.addrs.map((a) => endpoint(a, port));
  const controlP: Promise<ControlResult> = ctx.helperUrl
    ? askControl(ctx.helperUrl, { http_request: input, http_request_headers: Object.fromEntries(Object.entries(DEFAULT_HEADERS).map(([k, v]) => [k, [v]])), tcp_connect: endpoints }, env)
    : Promise.resolve({ control: null, failure: 'unknown_failure: no control helper configured' as Failure });

  // TCP (and TLS) to every address at once; keep the first established one, in address order.
  const conns = await Promise.all(dns.addrs.map(async (ip) => {
    const c = await tcpConnect(ip, port, env, trace);
    if (!c.socket) return { ip, socket: null as net.Socket | null, failure: c.failure, tls: false };
    if (!https) return { ip, socket: c.socket as net.Socket | null, failure: null as Failure | null, tls: false };
    const t = await tlsHandshake(c.socket, host, env, trace, { address: endpoint(ip, port) });
    return { ip, socket: t.socket as net.Socket | null, failure: t.failure, tls: t.socket !== null };
  }));
  const chosen = conns.find((c) => c.socket);
  for (const c of conns) if (c !== chosen) c.socket?.destroy();

  let httpFailure: Failure | null = null;
  let response: Parameters<typeof analyze>[0]['response'] = null;
  if (chosen?.socket) {
    const r = await httpGet(input, env, trace, { socket: chosen.socket });
    httpFailure = r.failure;
    if (r.response) {
      const text = r.response.body.toString('utf8');
      response = { status: r.response.status, headers: r.response.headers, bodyLength: r.response.body.length, title: extractTitle(text), truncated: r.response.truncated };
    }
  } else if (!dns.failure) {
    // No connection could be made: the HTTP transaction fails with the first address's failure,
    // recorded as OONI's probe records its failed GET.
    httpFailure = conns[0]?.failure ?? 'generic_timeout_error';
    const entry: HttpRequestEntry = {
      failure: httpFailure,
      request: { body: '', headers: { ...DEFAULT_HEADERS }, method: 'GET', tor: { exit_ip: null, exit_name: null, is_tor: false }, url: input },
      response: null,
      t0: trace.now(),
      t: trace.now(),
      transaction_id: trace.nextTx(),
    };
    trace.requests.unshift(entry);
  }
  const control = await controlP;
  const depth0 = trace.tcp.filter((t) => !(t as { tags?: string[] }).tags);
  const verdict = analyze({
    url: input,
    dnsFailure: dns.failure,
    addrs: dns.addrs,
    tlsVerifiedAddrs: conns.filter((c) => c.tls).map((c) => c.ip),
    tcpAttempts: depth0.length,
    tcpSuccesses: depth0.filter((t) => t.status.success).length,
    httpFailure,
    response,
    control: control.control,
    controlFailure: control.failure,
    loopbackIsNormal: env.loopbackIsNormal,
  });
  // Per ts-017, tcp_connect.status.blocked says whether the control reached that endpoint.
  for (const t of depth0) {
    const c = control.control?.tcp_connect?.[endpoint(t.ip, t.port)];
    t.status.blocked = c ? !t.status.success && c.status : null;
  }
  return {
    client_resolver: env.resolver.kind === 'udp' ? env.resolver.address : (ctx.identity.resolverIp ?? null),
    queries: trace.queries,
    tcp_connect: trace.tcp,
    tls_handshakes: trace.tls,
    requests: trace.requests,
    control: control.control,
    control_failure: control.failure,
    dns_experiment_failure: dns.failure,
    http_experiment_failure: httpFailure,
    x_control_request: { http_request: input, tcp_connect: endpoints },
    ...verdict,
  } as WebConnectivityKeys;
}

export function webConnectivity(ctx: ExperimentContext, input: string): Promise<Measurement<WebConnectivityKeys>> {
  return measure(ctx, TEST_NAME, TEST_VERSION, input, (trace) => body(ctx, input, trace));
}

