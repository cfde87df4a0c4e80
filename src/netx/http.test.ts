import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makePki } from './testing/pki.js';
import { startDns } from './testing/dns-server.js';
import { defaultNetEnv, type NetEnv } from './env.js';
import { Trace } from './trace.js';
import { tcpConnect } from './tcp.js';
import { tlsHandshake } from './tls.js';
import { httpGet } from './http.js';

const pki = makePki(['site.test', 'www.site.test']);
const closers: Array<() => unknown> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

const listen = async (s: net.Server) => {
  const conns = new Set<net.Socket>();
  s.on(s instanceof tls.Server ? 'secureConnection' : 'connection', (c: net.Socket) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
  });
  s.on('connection', (c: net.Socket) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => {
    s.close(() => r());
    for (const c of conns) c.destroy();
  }));
  return (s.address() as AddressInfo).port;
};

// Plain HTTP server with the scenarios the client must survive.
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const u = req.url ?? '/';
  if (u === '/') return res.end('<html><title>Site Test</title>hello</html>');
  if (u.startsWith('/r/')) {
    const n = Number(u.slice(3));
    res.writeHead(302, { Location: n > 0 ? `/r/${n - 1}` : '/' });
    return res.end();
  }
  if (u === '/loop') {
    res.writeHead(301, { Location: '/loop' });
    return res.end();
  }
  if (u === '/to-https') {
    res.writeHead(302, { Location: 'https://www.site.test/' });
    return res.end();
  }
  if (u === '/chunked') {
    res.write('abc');
    res.write('def');
    return res.end('ghi');
  }
  if (u === '/endless') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const chunk = Buffer.alloc(16384, 'x');
    const pump = () => {
      while (res.write(chunk)) { /* fill */ }
    };
    res.on('drain', pump);
    res.on('close', () => res.removeListener('drain', pump));
    return pump();
  }
  if (u === '/tarpit') return; // never answers
  res.statusCode = 404;
  res.end('nope');
};
const plain = http.createServer(handler);
const httpPort = await listen(plain);

// Raw TCP servers for what node:http will not send.
const raw = (fn: (s: net.Socket) => void) => listen(net.createServer(fn));
const hugeHeadersPort = await raw((s) => {
  s.on('error', () => {});
  s.write('HTTP/1.1 200 OK\r\n');
  const line = 'X-Filler: ' + 'a'.repeat(1000) + '\r\n';
  const pump = () => {
    while (s.writable && s.write(line)) { /* fill */ }
  };
  s.on('drain', pump);
  pump();
});
// reset / close once the client has spoken (the ClientHello, or the request): an SNI-triggered RST
const resetPort = await raw((s) => s.once('data', () => s.resetAndDestroy()).on('error', () => {}));
const eofPort = await raw((s) => s.once('data', () => s.end()).on('error', () => {}));
const tarpitPort = await raw((s) => s.on('error', () => {}));

const httpsServer = (cert: string, key: string) => {
  const s = tls.createServer({ cert, key }, (t) => {
    t.on('error', () => {});
    t.once('data', () => t.end('HTTP/1.1 200 OK\r\nContent-Length: 30\r\nX-Site: yes\r\n\r\n<html><title>TLS</title></html'));
  });
  return listen(s);
};
const goodTls = await httpsServer(pki.certPem, pki.keyPem);
const rogueTls = await httpsServer(pki.rogueCertPem, pki.rogueKeyPem);
const wrongHostTls = await httpsServer(pki.otherCertPem, pki.otherKeyPem);

const dns = await startDns(() => ({ addrs: ['127.0.0.1'] }));
closers.push(() => dns.close());
const mkEnv = (over: Partial<NetEnv> = {}): NetEnv => defaultNetEnv({
  resolver: { kind: 'udp', address: '127.0.0.1', port: dns.port },
  ports: { http: httpPort, https: goodTls },
  ca: [pki.caPem],
  loopbackIsNormal: true,
  timeouts: { dns: 500, connect: 500, tls: 500, http: 400 },
  caps: { body: 100_000, headers: 16_384 },
  ...over,
});

test('tcp: refused and ok', async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const trace = new Trace();
  const bad = await tcpConnect('127.0.0.1', port, mkEnv(), trace);
  assert.equal(bad.failure, 'connection_refused');
  assert.equal(bad.entry.status.success, false);
  const ok = await tcpConnect('127.0.0.1', httpPort, mkEnv(), trace);
  assert.ok(ok.socket);
  ok.socket!.destroy();
  assert.deepEqual(trace.tcp.map((t) => t.status.failure), ['connection_refused', null]);
});

test('tcp: the lab port map keeps the logical port in the entry', async () => {
  const trace = new Trace();
  const r = await tcpConnect('127.0.0.1', 80, mkEnv(), trace);
  assert.ok(r.socket);
  r.socket!.destroy();
  assert.equal(r.entry.port, 80);
  assert.equal((r.entry as Record<string, unknown>).x_dialed_port, httpPort);
});

async function handshake(port: number, sni: string, env = mkEnv()) {
  const trace = new Trace();
  const c = await tcpConnect('127.0.0.1', port, env, trace);
  assert.ok(c.socket);
  const t = await tlsHandshake(c.socket!, sni, env, trace, { address: `127.0.0.1:${port}` });
  t.socket?.destroy();
  return t;
}

test('tls: verified with the configured CA, certificates recorded', async () => {
  const t = await handshake(goodTls, 'site.test');
  assert.equal(t.failure, null);
  assert.equal(t.entry.server_name, 'site.test');
  assert.match(String(t.entry.tls_version), /^TLSv1\.[23]$/);
  assert.ok(t.entry.peer_certificates!.length >= 1);
  assert.equal(t.entry.negotiated_protocol, null); // the test server offers no ALPN
});

test('tls: unknown CA (interception) and wrong host', async () => {
  const rogue = await handshake(rogueTls, 'site.test');
  assert.equal(rogue.failure, 'ssl_unknown_authority');
  assert.ok(rogue.entry.peer_certificates!.length >= 1, 'the interception certificate is evidence');
  const wrong = await handshake(wrongHostTls, 'site.test');
  assert.equal(wrong.failure, 'ssl_invalid_hostname');
  const noCa = await handshake(goodTls, 'site.test', mkEnv({ ca: undefined }));
  assert.equal(noCa.failure, 'ssl_unknown_authority');
});

test('tls: reset, EOF and silence during the handshake', async () => {
  assert.equal((await handshake(resetPort, 'site.test')).failure, 'connection_reset');
  assert.equal((await handshake(eofPort, 'site.test')).failure, 'eof_error');
  assert.equal((await handshake(tarpitPort, 'site.test')).failure, 'generic_timeout_error');
});

test('http: GET with a redirect chain, requests[0] is the last hop', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/r/3', mkEnv(), trace);
  trace.close();
  assert.equal(r.failure, null);
  assert.equal(r.response!.status, 200);
  assert.equal(r.response!.body.toString(), '<html><title>Site Test</title>hello</html>');
  assert.equal(r.requests.length, 5);
  assert.equal(r.requests[0].request.url, 'http://site.test/');
  assert.equal(r.requests[4].request.url, 'http://site.test/r/3');
  assert.equal(r.requests[4].response!.code, 302);
  // every hop resolved and connected again, tagged with its depth
  assert.equal(trace.queries.length, 5);
  assert.deepEqual((trace.tcp[4] as Record<string, unknown>).tags, ['depth=4']);
});

test('http → https redirect uses TLS with the new SNI', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/to-https', mkEnv(), trace);
  trace.close();
  assert.equal(r.failure, null);
  assert.equal(r.response!.status, 200);
  assert.equal(r.response!.headers['X-Site'], 'yes');
  assert.equal(trace.tls[0].server_name, 'www.site.test');
});

test('http: more than 10 redirects stop', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/loop', mkEnv(), trace);
  trace.close();
  assert.equal(r.failure, 'unknown_failure: stopped_after_10_redirects');
  assert.equal(r.requests.length, 11);
});

test('http: chunked bodies are decoded', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/chunked', mkEnv(), trace);
  trace.close();
  assert.equal(r.response!.body.toString(), 'abcdefghi');
  assert.equal(r.response!.truncated, false);
});

test('http: an endless body stops at the cap', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/endless', mkEnv(), trace);
  trace.close();
  assert.equal(r.failure, null);
  assert.equal(r.response!.body.length, 100_000);
  assert.equal(r.response!.truncated, true);
  assert.equal(r.requests[0].response!.body_is_truncated, true);
});

test('http: a tarpit hits the deadline', async () => {
  const trace = new Trace();
  const r = await httpGet('http://site.test/tarpit', mkEnv(), trace);
  trace.close();
  assert.equal(r.failure, 'generic_timeout_error');
  assert.equal(r.response, null);
  const raw = await httpGet(`http://127.0.0.1:${tarpitPort}/`, mkEnv(), new Trace());
  assert.equal(raw.failure, 'generic_timeout_error');
});

test('http: gigantic headers hit the header cap', async () => {
  const trace = new Trace();
  const r = await httpGet(`http://127.0.0.1:${hugeHeadersPort}/`, mkEnv(), trace);
  assert.equal(r.failure, 'unknown_failure: http_headers_too_large');
});

test('http: reset and EOF before a response', async () => {
  assert.equal((await httpGet(`http://127.0.0.1:${resetPort}/`, mkEnv(), new Trace())).failure, 'connection_reset');
  assert.equal((await httpGet(`http://127.0.0.1:${eofPort}/`, mkEnv(), new Trace())).failure, 'eof_error');
});

test('http: unsupported scheme is a failure, not a throw', async () => {
  const r = await httpGet('ftp://site.test/', mkEnv(), new Trace());
  assert.equal(r.failure, 'unknown_failure: http_unsupported_scheme');
});
