// The control helper's HTTP server: POST a ControlQuery as JSON, get the control answer. Small
// request bodies only (16 KiB), bounded work per request (16 endpoints), a cap on requests in
// flight (503 beyond it); bad requests get 400 with a one-line reason.
import http from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { VigilError } from '../model/errors.js';
import { defaultNetEnv, splitEndpoint, type NetEnv } from '../netx/env.js';
import { performControl, type ControlQuery } from './control.js';
import { ControlCache } from './control-cache.js';

export interface HelperOptions {
  host?: string;
  port?: number;
  env?: NetEnv;
  /** requests measured at once; more get 503 */
  maxInFlight?: number;
  /** reuse a control answer for identical requests this long, ms (default 0: off); see control-cache.ts */
  cacheMs?: number;
}

export interface Helper {
  url: string;
  close(): Promise<void>;
}

export const MAX_BODY = 16 * 1024;

/** Checks a parsed request body; returns the query or a reason. */
export function parseControlQuery(v: unknown): ControlQuery | string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'body must be a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.http_request !== 'string') return 'http_request: expected a URL string';
  let u: URL;
  try {
    u = new URL(o.http_request);
  } catch {
    return 'http_request: not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'http_request: only http and https URLs';
  const tc = o.tcp_connect ?? [];
  if (!Array.isArray(tc) || tc.length > 64) return 'tcp_connect: expected an array of at most 64 "ip:port" strings';
  for (const e of tc) {
    const s = typeof e === 'string' ? splitEndpoint(e) : null;
    if (!s || !isIP(s.ip)) return `tcp_connect: not an "ip:port" endpoint: ${JSON.stringify(e).slice(0, 80)}`;
  }
  const h = o.http_request_headers ?? {};
  if (h === null || typeof h !== 'object' || Array.isArray(h)) return 'http_request_headers: expected an object of string arrays';
  for (const [k, val] of Object.entries(h)) {
    if (!Array.isArray(val) || !val.every((x) => typeof x === 'string' && x.length < 2048 && !/[\r\n]/.test(x))) return `http_request_headers.${k.slice(0, 40)}: expected an array of strings`;
  }
  return { http_request: o.http_request, tcp_connect: tc as string[], http_request_headers: h as Record<string, string[]> };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function startHelper(opts: HelperOptions = {}): Promise<Helper> {
  const env = opts.env ?? defaultNetEnv();
  const maxInFlight = opts.maxInFlight ?? 256;
  const cache = new ControlCache(opts.cacheMs ?? 0);
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/')) return send(res, 200, { ok: true, service: 'vigil-helper' });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST with a JSON control request' });
    if (inFlight >= maxInFlight) return send(res, 503, { error: 'busy, retry later' });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        tooBig = true;
        send(res, 413, { error: `request body over ${MAX_BODY} bytes` });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {});
    req.on('end', () => {
      if (tooBig) return;
      let v: unknown;
      try {
        v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return send(res, 400, { error: `invalid JSON: ${(e as Error).message.slice(0, 120)}` });
      }
      const q = parseControlQuery(v);
      if (typeof q === 'string') return send(res, 400, { error: q });
      inFlight++;
      cache.get(q, () => performControl(q, env))
        .then((ans) => send(res, 200, ans), (e) => send(res, 500, { error: `control measurement failed: ${(e as Error).message.slice(0, 200)}` }))
        .finally(() => inFlight--);
    });
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10000;
  server.requestTimeout = 60000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new VigilError('NETWORK', `helper cannot listen on ${opts.host ?? '127.0.0.1'}:${opts.port ?? 0}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
