// Test and bench support: a tiny lab on 127.0.0.1 — a UDP resolver, an HTTPS and an HTTP server
// that answer every name in `sites` with its page (by Host), the control helper, and an
// ExperimentContext for a probe behind an optional "censor" resolver plan. Real sockets only.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makePki, type Pki } from '../../netx/testing/pki.js';
import { startDns, type DnsPlan } from '../../netx/testing/dns-server.js';
import { defaultNetEnv, type NetEnv } from '../../netx/env.js';
import { startHelper } from '../../helper/server.js';
import type { ExperimentContext } from '../context.js';
import type { Targets } from '../targets.js';

export interface MiniLab {
  pki: Pki;
  httpPort: number;
  httpsPort: number;
  helperUrl: string;
  /** the probe's resolver: `plan` overrides per name */
  probeEnv(plan?: (name: string) => DnsPlan | undefined): Promise<NetEnv>;
  cleanEnv: NetEnv;
  ctx(env: NetEnv, targets: Targets, over?: Partial<ExperimentContext>): ExperimentContext;
  /** page served per host (mutable) */
  pages: Map<string, { status: number; body: string; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startMiniLab(names: string[], opts: { timeouts?: NetEnv['timeouts'] } = {}): Promise<MiniLab> {
  const pki = makePki(names);
  const pages = new Map<string, { status: number; body: string; headers?: Record<string, string> }>();
  for (const n of names) pages.set(n, { status: 200, body: `<html><head><title>Welcome to ${n}</title></head><body>${'content '.repeat(50)}</body></html>`, headers: { 'X-Served-By': 'minilab' } });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (req.method === 'POST') {
      req.resume();
      return res.end('ok');
    }
    const p = pages.get(host);
    if (!p) {
      res.statusCode = 404;
      return res.end('unknown host');
    }
    res.writeHead(p.status, { 'Content-Type': 'text/html', ...(p.headers ?? {}) });
    res.end(p.body);
  };
  const hs = http.createServer(handler);
  const ss = https.createServer({ cert: pki.certPem, key: pki.keyPem }, handler);
  for (const s of [hs, ss]) {
    s.keepAliveTimeout = 1000;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  }
  const httpPort = (hs.address() as AddressInfo).port;
  const httpsPort = (ss.address() as AddressInfo).port;
  const clean = await startDns((name) => (pages.has(name) || names.includes(name) ? { addrs: ['127.0.0.1'] } : { rcode: 'NXDOMAIN' }));
  const base = {
    ports: { http: httpPort, https: httpsPort },
    ca: [pki.caPem],
    loopbackIsNormal: true,
    timeouts: opts.timeouts ?? { dns: 1000, connect: 1000, tls: 1000, http: 2000 },
    caps: { body: 1 << 20, headers: 65536 },
  };
  const cleanEnv = defaultNetEnv({ ...base, resolver: { kind: 'udp', address: clean.address, port: clean.port } });
  const helper = await startHelper({ host: '127.0.0.1', port: 0, env: cleanEnv });
  const resolvers: Array<{ close(): Promise<void> }> = [];
  return {
    pki, httpPort, httpsPort, helperUrl: helper.url, pages, cleanEnv,
    async probeEnv(plan) {
      if (!plan) return cleanEnv;
      const d = await startDns((name) => plan(name) ?? (names.includes(name) ? { addrs: ['127.0.0.1'] } : { rcode: 'NXDOMAIN' }));
      resolvers.push(d);
      return defaultNetEnv({ ...base, resolver: { kind: 'udp', address: d.address, port: d.port } });
    },
    ctx(env, targets, over = {}) {
      return {
        env, targets, helperUrl: helper.url, reportId: 'test-report',
        identity: { cc: 'ZZ', asn: 64512, network: 'Test Net', probeId: 'probe-test' },
        clock: { now: () => Date.UTC(2026, 0, 5, 15, 5, 0) },
        ...over,
      };
    },
    async close() {
      await helper.close();
      for (const d of resolvers) await d.close();
      await clean.close();
      for (const s of [hs, ss]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}
