// The control measurement itself (ts-017's test helper): given the probe's URL and the endpoints
// it resolved, do DNS, TCP (and TLS for https) to each endpoint and an HTTP GET, from here.
// Answers in OONI's control shape: {tcp_connect, tls_handshake, http_request, dns}.
import type net from 'node:net';
import type { WebConnectivityControl } from '../model/measurement.js';
import { resolveHost } from '../netx/dns.js';
import { endpoint, splitEndpoint, type NetEnv } from '../netx/env.js';
import { httpGet } from '../netx/http.js';
import { tcpConnect } from '../netx/tcp.js';
import { tlsHandshake } from '../netx/tls.js';
import { Trace } from '../netx/trace.js';
import { extractTitle } from '../netx/title.js';

export interface ControlQuery {
  http_request: string;
  tcp_connect: string[];
  http_request_headers?: Record<string, string[]>;
}

/** Headers a probe may ask the helper to send (others are ignored). */
const FORWARDED = ['accept', 'accept-language', 'user-agent'];

export async function performControl(q: ControlQuery, env: NetEnv, maxEndpoints = 16): Promise<WebConnectivityControl> {
  const trace = new Trace();
  try {
    const u = new URL(q.http_request);
    const https = u.protocol === 'https:';
    const port = u.port ? Number(u.port) : https ? 443 : 80;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const dns = await resolveHost(host, env, trace);
    // the probe's endpoints first, then the ones we resolved ourselves
    const eps: string[] = [];
    for (const e of [...q.tcp_connect, ...dns.addrs.map((a) => endpoint(a, port))]) if (!eps.includes(e) && eps.length < maxEndpoints) eps.push(e);
    const tcp: NonNullable<WebConnectivityControl['tcp_connect']> = {};
    const tls: NonNullable<WebConnectivityControl['tls_handshake']> = {};
    const sockets = new Map<string, net.Socket>();
    await Promise.all(eps.map(async (ep) => {
      const e = splitEndpoint(ep)!;
      const c = await tcpConnect(e.ip, e.port, env, trace);
      tcp[ep] = { status: c.socket !== null, failure: c.failure };
      if (!c.socket) return;
      if (!https) {
        sockets.set(ep, c.socket);
        return;
      }
      const t = await tlsHandshake(c.socket, host, env, trace, { address: ep, certificates: false });
      tls[ep] = { server_name: host, status: t.socket !== null, failure: t.failure };
      if (t.socket) sockets.set(ep, t.socket);
    }));
    // fetch over a connection to an address we resolved ourselves (never over one the probe named)
    const own = dns.addrs.map((a) => endpoint(a, port)).find((ep) => sockets.has(ep));
    const socket = own ? sockets.get(own) : undefined;
    for (const [ep, s] of sockets) if (ep !== own) s.destroy();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(q.http_request_headers ?? {})) {
      if (FORWARDED.includes(k.toLowerCase()) && Array.isArray(v) && typeof v[0] === 'string') headers[k] = v[0];
    }
    let http: WebConnectivityControl['http_request'];
    if (dns.failure) http = { body_length: -1, failure: dns.failure, title: '', headers: {}, status_code: -1 };
    else {
      const r = await httpGet(q.http_request, env, trace, { socket, addrs: socket ? undefined : dns.addrs, ...(Object.keys(headers).length ? { headers } : {}) });
      http = r.response && !r.failure
        ? { body_length: r.response.body.length, failure: null, title: extractTitle(r.response.body.toString('utf8')), headers: r.response.headers, status_code: r.response.status }
        : { body_length: -1, failure: r.failure, title: '', headers: {}, status_code: -1 };
    }
    return { tcp_connect: tcp, tls_handshake: tls, http_request: http, dns: { failure: dns.failure, addrs: dns.addrs } };
  } finally {
    trace.close();
  }
}
