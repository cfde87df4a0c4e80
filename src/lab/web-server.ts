// The lab's platform servers: HTTP and HTTPS on every site address, sharing one port pair so a
// NetEnv's `ports` override maps 80/443 for all of them. Each HTTPS connection goes through a
// front that acts as the on-path censor does: it sees the source address, the destination
// address and the ClientHello's SNI, and only then hands the bytes to a TLS server (the lab CA's,
// or the interceptor's). Plain HTTP requests can be answered with a block page or rewritten.
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Censor, Decision } from './censor.js';
import type { LabCa } from './ca.js';
import { parseClientHello } from './sni.js';
import { SITES, TELEGRAM_DCS, LOOPBACK_HOSTING, relocate, siteOfHost, siteOfRelocated, type LabSite } from './sites.js';
import { BLOCK_PAGE, largeObjectBytes, largeObjectChunk, rewrittenPage, sitePage, type Response } from './content.js';
import { DEFAULT_THROTTLE_KBPS } from './techniques.js';
import { VigilError } from '../model/errors.js';

export interface WebServersOptions {
  ca: LabCa;
  /** issues the interceptor's certificates (tls_intercept) */
  rogueCa: LabCa;
  censor?: Censor | null;
  /** first two octets of the sites' addresses (default "127.100", the loopback plan) */
  hosting?: string;
  /** fixed ports (netns: 80/443); default: one free port pair shared by every address */
  ports?: { http: number; https: number };
  /** how long a blackholed or stalled connection is held before the lab lets go, ms */
  holdMs?: number;
}

export interface WebServers {
  ports: { http: number; https: number };
  close(): Promise<void>;
}

const HELLO_TIMEOUT_MS = 10_000;
const HELLO_MAX_BYTES = 32 << 10;

function hostOf(req: http.IncomingMessage): string {
  return (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
}

export async function startWebServers(opts: WebServersOptions): Promise<WebServers> {
  const hosting = opts.hosting ?? LOOPBACK_HOSTING;
  const censor = opts.censor ?? null;
  const holdMs = opts.holdMs ?? 120_000;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  // Certificates: one per site (its hostnames and address), from the lab CA and from the rogue CA.
  const good = new Map<string, tls.SecureContext>();
  const rogue = new Map<string, tls.SecureContext>();
  for (const site of SITES) {
    const ips = [relocate(site.address, hosting)];
    const a = opts.ca.issue(site.hostnames, ips);
    const b = opts.rogueCa.issue(site.hostnames, ips);
    const ga = tls.createSecureContext({ key: a.keyPem, cert: a.certPem });
    const rb = tls.createSecureContext({ key: b.keyPem, cert: b.certPem });
    for (const h of site.hostnames) { good.set(h, ga); rogue.set(h, rb); }
  }
  const fallback = opts.ca.issue(['unknown.lab.invalid']);
  const fallbackRogue = opts.rogueCa.issue(['unknown.lab.invalid']);
  const sni = (map: Map<string, tls.SecureContext>) => (name: string, cb: (e: Error | null, c?: tls.SecureContext) => void) =>
    cb(null, map.get(name.toLowerCase()));

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume(); // bodies (Telegram's POSTs) are read and ignored
    const host = hostOf(req);
    const local = req.socket.localAddress ?? '';
    const site = siteOfHost(host) ?? siteOfRelocated(local, hosting);
    if (!site) {
      send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('no such lab site\n') }, null);
      return;
    }
    const encrypted = Boolean((req.socket as tls.TLSSocket).encrypted);
    const d = censor?.decide(req.socket.remoteAddress ?? '', 'http', { host, address: relocateBack(local) }) ?? null;
    // An on-path box sees plain HTTP only: block pages and rewrites cannot touch HTTPS.
    if (!encrypted && d?.technique === 'http_blockpage') return send(res, BLOCK_PAGE, null);
    if (!encrypted && d?.technique === 'http_rewrite') return send(res, rewrittenPage(site), null);
    const rate = d?.technique === 'throttle' ? rateOf(d) : null;
    const large = largeObjectBytes(req.url ?? '/');
    if (large !== null) return streamLarge(res, large, rate, site);
    send(res, answerFor(site, req), rate);
  };

  const relocateBack = (addr: string) => {
    const s = siteOfRelocated(addr, hosting);
    return s ? s.address : addr;
  };

  const send = (res: http.ServerResponse, r: Response, rate: number | null) => {
    res.writeHead(r.status, { ...r.headers, 'content-length': String(r.body.length) });
    if (rate === null || res.req.method === 'HEAD') res.end(res.req.method === 'HEAD' ? undefined : r.body);
    else throttled(res, r.body.length, (off, n) => r.body.subarray(off, off + n), rate);
  };

  const streamLarge = (res: http.ServerResponse, total: number, rate: number | null, site: LabSite) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total), server: `lab-${site.target}` });
    const chunk = largeObjectChunk();
    const piece = (off: number, n: number) => chunk.subarray(off % chunk.length, (off % chunk.length) + Math.min(n, chunk.length - (off % chunk.length)));
    if (rate !== null) return throttled(res, total, piece, rate);
    let off = 0;
    const pump = () => {
      while (off < total) {
        const p = piece(off, total - off);
        off += p.length;
        if (!res.write(p)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };

  // Rate limiting as a token bucket drained every 20 ms: the probe sees a slow, steady stream.
  const throttled = (res: http.ServerResponse, total: number, piece: (off: number, n: number) => Buffer, kbps: number) => {
    const perTick = Math.max(1, Math.floor((kbps * 1000) / 8 / 50));
    let off = 0;
    const t = setInterval(() => {
      if (res.destroyed) return stop();
      let budget = perTick;
      while (budget > 0 && off < total) {
        const p = piece(off, Math.min(budget, total - off));
        off += p.length;
        budget -= p.length;
        res.write(p);
      }
      if (off >= total) { res.end(); stop(); }
    }, 20);
    timers.add(t);
    const stop = () => { clearInterval(t); timers.delete(t); };
    res.once('close', stop);
  };

  const httpServer = http.createServer({ keepAliveTimeout: 5000, headersTimeout: 10_000, requestTimeout: 30_000 }, handler);
  const httpsServer = https.createServer({ SNICallback: sni(good), key: fallback.keyPem, cert: fallback.certPem, keepAliveTimeout: 5000, headersTimeout: 10_000, requestTimeout: 30_000 }, handler);
  const interceptor = https.createServer({ SNICallback: sni(rogue), key: fallbackRogue.keyPem, cert: fallbackRogue.certPem, keepAliveTimeout: 5000 }, handler);
  for (const s of [httpServer, httpsServer, interceptor]) s.on('clientError', (_e, sock) => sock.destroy());
  httpsServer.on('tlsClientError', () => {});
  interceptor.on('tlsClientError', () => {});

  /** Keeps a connection open and silent: what a dropped flow looks like from the client's side. */
  const hold = (sock: net.Socket) => {
    sock.removeAllListeners('data');
    sock.on('data', () => {});
    sock.resume();
    const t = setTimeout(() => { timers.delete(t); sock.destroy(); }, holdMs);
    timers.add(t);
    sock.once('close', () => { clearTimeout(t); timers.delete(t); });
  };

  /** TCP-layer policies, at accept time: true when the connection was taken over by the censor. */
  const tcpPolicy = (sock: net.Socket): boolean => {
    if (!censor) return false;
    const d = censor.decide(sock.remoteAddress ?? '', 'tcp', { address: relocateBack(sock.localAddress ?? '') });
    if (!d) return false;
    if (d.technique === 'tcp_blackhole') hold(sock);
    else sock.resetAndDestroy(); // tcp_rst, down
    return true;
  };

  const track = (sock: net.Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    sock.on('error', () => {});
  };

  const onHttp = (sock: net.Socket) => {
    track(sock);
    if (!tcpPolicy(sock)) httpServer.emit('connection', sock);
  };

  const onHttps = (sock: net.Socket) => {
    track(sock);
    if (tcpPolicy(sock)) return;
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => sock.destroy(), HELLO_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const r = parseClientHello(buf);
      if (r.kind === 'need_more' && buf.length < HELLO_MAX_BYTES) return;
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.pause();
      const name = r.kind === 'hello' ? r.sni : null;
      const d = censor && name ? censor.decide(sock.remoteAddress ?? '', 'tls', { host: name, address: relocateBack(sock.localAddress ?? '') }) : null;
      if (d?.technique === 'sni_reset') return sock.resetAndDestroy();
      if (d?.technique === 'sni_stall') return hold(sock);
      sock.unshift(buf);
      (d?.technique === 'tls_intercept' ? interceptor : httpsServer).emit('connection', sock);
    };
    sock.on('data', onData);
    sock.once('close', () => clearTimeout(timer));
  };

  // Listeners: every site address (and Telegram's DCs, plain HTTP on both ports) on one port pair.
  const tlsAddrs = SITES.map((s) => relocate(s.address, hosting));
  const dcAddrs = TELEGRAM_DCS.map((a) => relocate(a, hosting));
  const listeners: net.Server[] = [];
  const listenAll = async (port: number, addrs: string[], onConn: (s: net.Socket) => void): Promise<number> => {
    let p = port;
    for (const a of addrs) {
      const srv = net.createServer({ noDelay: true }, onConn); // Nagle + delayed ACK would add 40 ms a response
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port: p, host: a, backlog: 1024 }, () => { srv.removeListener('error', reject); resolve(); });
      });
      listeners.push(srv);
      if (p === 0) p = (srv.address() as net.AddressInfo).port;
    }
    return p;
  };

  const closeAll = async () => {
    for (const t of timers) { clearTimeout(t); clearInterval(t); }
    timers.clear();
    for (const s of sockets) s.destroy();
    await Promise.all(listeners.splice(0).map((l) => new Promise<void>((r) => l.close(() => r()))));
    httpServer.close(); httpsServer.close(); interceptor.close();
  };

  for (let attempt = 0; ; attempt++) {
    try {
      const httpPort = await listenAll(opts.ports?.http ?? 0, [...tlsAddrs, ...dcAddrs], onHttp);
      const httpsPort = await listenAll(opts.ports?.https ?? 0, tlsAddrs, onHttps);
      await listenAll(httpsPort, dcAddrs, onHttp);
      return { ports: { http: httpPort, https: httpsPort }, close: closeAll };
    } catch (e) {
      await closeAll();
      // A port free on the first address may be taken on another: pick again (ephemeral ports only).
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && !opts.ports && attempt < 20) continue;
      throw new VigilError('NETWORK', `lab web servers: ${(e as Error).message}`, { cause: e });
    }
  }
}

function rateOf(d: Decision): number {
  return d.event.rateKbps ?? DEFAULT_THROTTLE_KBPS;
}

function answerFor(site: LabSite, req: http.IncomingMessage): Response {
  const path = (req.url ?? '/').split('?')[0];
  // WhatsApp's registration server answers an empty registration with a JSON error (ts-018).
  if (site.target === 'whatsapp' && path.startsWith('/v2/register')) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"status":"fail","reason":"missing_param"}') };
  }
  if (req.method === 'POST') return { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('ok\n') };
  return sitePage(site);
}
