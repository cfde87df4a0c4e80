// HTTP GET (df-001) over Vigil's own DNS → TCP → TLS steps, following up to 10 redirects. Each
// hop resolves, connects and handshakes afresh and is traced; entries made for redirect hops
// carry tags ["depth=N"] (as OONI's v0.5 does) so analyses can tell them from the first hop.
// requests[0] is the last response, as in OONI's archival format.
import type net from 'node:net';
import zlib from 'node:zlib';
import type { HttpRequestEntry } from '../model/measurement.js';
import type { Failure } from '../model/failures.js';
import { classifyHttp, NetError } from './classify.js';
import { resolveHost } from './dns.js';
import { endpoint, type NetEnv } from './env.js';
import { headerValue, readResponse, type RawResponse } from './http1.js';
import { tcpConnect } from './tcp.js';
import { tlsHandshake } from './tls.js';
import { setExtra, type Trace } from './trace.js';

export const DEFAULT_HEADERS: Record<string, string> = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
  'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
};

export interface HttpOptions {
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** redirects to follow; default 10 */
  maxRedirects?: number;
  /** CA list for this request (Signal's pinned CA), replaces env.ca */
  ca?: string[];
  /** first hop only: an already-established connection (TCP, or TLS for https) */
  socket?: net.Socket;
  /** first hop only: addresses already resolved (skips DNS) */
  addrs?: string[];
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  /** performance.now() at the first and last response byte (throughput) */
  firstByteAt: number;
  lastByteAt: number;
}

export interface HttpResult {
  failure: Failure | null;
  /** the final response; null when no response arrived */
  response: HttpResponse | null;
  /** this call's entries, last hop first */
  requests: HttpRequestEntry[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function bodyField(b: Buffer): string | { format: string; data: string } {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return { format: 'base64', data: b.toString('base64') };
  }
}

function decode(r: RawResponse, cap: number): Buffer {
  const enc = (headerValue(r.headers, 'content-encoding') ?? '').trim().toLowerCase();
  const opts = { maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(r.body, opts);
    if (enc === 'deflate') return zlib.inflateSync(r.body, opts);
    if (enc === 'br') return zlib.brotliDecompressSync(r.body, { maxOutputLength: cap });
  } catch {
    return r.body; // keep the bytes as sent rather than lose them
  }
  return r.body;
}

function tagSince(trace: Trace, marks: number[], depth: number) {
  if (depth === 0) return;
  const lists = [trace.queries, trace.tcp, trace.tls] as Array<Array<{ tags?: string[] }>>;
  lists.forEach((l, i) => {
    for (let j = marks[i]; j < l.length; j++) l[j].tags = [`depth=${depth}`];
  });
}

/** Connects to `host:port` (logical port): DNS, then each address in turn, TLS when https. */
export async function connectTo(u: URL, env: NetEnv, trace: Trace, o: { ca?: string[]; addrs?: string[] } = {}): Promise<{ socket: net.Socket | null; failure: Failure | null }> {
  const https = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addrs = o.addrs;
  if (!addrs) {
    const d = await resolveHost(host, env, trace);
    if (d.failure) return { socket: null, failure: d.failure };
    addrs = d.addrs;
  }
  let failure: Failure | null = 'dns_no_answer';
  for (const ip of addrs) {
    const c = await tcpConnect(ip, port, env, trace);
    if (!c.socket) {
      failure = c.failure;
      continue;
    }
    if (!https) return { socket: c.socket, failure: null };
    const t = await tlsHandshake(c.socket, host, env, trace, { ca: o.ca, address: endpoint(ip, port) });
    if (t.socket) return { socket: t.socket, failure: null };
    failure = t.failure;
  }
  return { socket: null, failure };
}

function requestText(u: URL, method: string, headers: Record<string, string>, body: string | undefined): string {
  const path = (u.pathname || '/') + u.search;
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('Accept-Encoding: identity', 'Connection: close');
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n' + (body ?? '');
}

/** GET (or POST/HEAD) with redirects; network failures come back as data, never thrown. */
export async function httpRequest(url: string, env: NetEnv, trace: Trace, opts: HttpOptions = {}): Promise<HttpResult> {
  const method = opts.method ?? 'GET';
  const headers = opts.headers ?? DEFAULT_HEADERS;
  const maxRedirects = opts.maxRedirects ?? 10;
  const requests: HttpRequestEntry[] = [];
  let current = url;
  for (let depth = 0; ; depth++) {
    const marks = [trace.queries.length, trace.tcp.length, trace.tls.length];
    const entry: HttpRequestEntry = {
      failure: null,
      request: { body: opts.body ?? '', headers: { ...headers }, method: depth === 0 ? method : 'GET', tor: { exit_ip: null, exit_name: null, is_tor: false }, url: current },
      response: null,
      t0: trace.now(),
      t: 0,
      transaction_id: trace.nextTx(),
    };
    if (depth > 0) setExtra(entry, 'tags', [`depth=${depth}`]);
    const fail = (f: Failure): HttpResult => {
      entry.failure = f;
      entry.t = trace.now();
      requests.unshift(entry);
      trace.requests.unshift(entry);
      return { failure: f, response: null, requests };
    };
    let u: URL;
    try {
      u = new URL(current);
    } catch {
      return fail(classifyHttp(new NetError('VIGIL_BAD_REDIRECT')));
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail(classifyHttp(new NetError('VIGIL_UNSUPPORTED_SCHEME')));
    let socket: net.Socket | null = null;
    if (depth === 0 && opts.socket) socket = opts.socket;
    else {
      const c = await connectTo(u, env, trace, { ca: opts.ca, addrs: depth === 0 ? opts.addrs : undefined });
      tagSince(trace, marks, depth);
      if (!c.socket) return fail(c.failure ?? 'generic_timeout_error');
      socket = c.socket;
    }
    const sock = socket;
    let raw: RawResponse;
    try {
      const reading = readResponse(sock, { head: method === 'HEAD' && depth === 0, maxHeaders: env.caps.headers, maxBody: env.caps.body, deadlineMs: env.timeouts.http });
      sock.on('error', () => {}); // errors are reported through readResponse
      sock.write(requestText(u, entry.request.method, headers, depth === 0 ? opts.body : undefined));
      raw = await reading;
    } catch (e) {
      sock.destroy();
      return fail(classifyHttp(e));
    } finally {
      sock.destroy();
    }
    const body = decode(raw, env.caps.body);
    entry.response = { body: bodyField(body), body_is_truncated: raw.truncated, code: raw.status, headers: raw.headers };
    if (raw.bodyError) entry.failure = classifyHttp(raw.bodyError);
    entry.t = trace.now();
    requests.unshift(entry);
    trace.requests.unshift(entry);
    const location = headerValue(raw.headers, 'location');
    if (!entry.failure && REDIRECTS.has(raw.status) && location && method !== 'HEAD') {
      if (depth >= maxRedirects) {
        const f = classifyHttp(new NetError('VIGIL_TOO_MANY_REDIRECTS'));
        entry.failure = f;
        return { failure: f, response: null, requests };
      }
      try {
        current = new URL(location, u).toString();
      } catch {
        const f = classifyHttp(new NetError('VIGIL_BAD_REDIRECT'));
        entry.failure = f;
        return { failure: f, response: null, requests };
      }
      continue;
    }
    return { failure: entry.failure as Failure | null, response: { url: current, status: raw.status, headers: raw.headers, body, truncated: raw.truncated, firstByteAt: raw.firstByteAt, lastByteAt: raw.lastByteAt }, requests };
  }
}

export const httpGet = (url: string, env: NetEnv, trace: Trace, opts: Omit<HttpOptions, 'method'> = {}) => httpRequest(url, env, trace, { ...opts, method: 'GET' });
