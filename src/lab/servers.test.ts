// The lab's servers and censor with plain Node clients (no probe code): each technique does to
// the wire what it says, only for the network and the time window it is scheduled for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import tls from 'node:tls';
import http from 'node:http';
import dnsPacket from 'dns-packet';
import { readFileSync } from 'node:fs';
import { createCa } from './ca.js';
import { Censor, validateScenario } from './censor.js';
import { LabClock } from './clock.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { startWebServers, type WebServers } from './web-server.js';
import { parseClientHello } from './sni.js';
import { NETWORKS, OUTSIDE, PREFIX_TABLE_PATH, prefixTableTsv, probeAddress, networkOf } from './networks.js';
import { BOGON_ADDRESS, INJECTED_ADDRESS, TECHNIQUES, type Technique } from './techniques.js';
import type { Scenario } from './scenarios/types.js';
import { SCENARIOS, scenarioByName } from './scenarios/index.js';

const CANTV = NETWORKS[0];
const MOVISTAR = NETWORKS[1];
const cantvProbe = probeAddress(CANTV, 0);
const movistarProbe = probeAddress(MOVISTAR, 0);
const T0 = '2020-01-05T12:00:00Z';

function scenario(technique: Technique, extra: Partial<Scenario['events'][0]> = {}): Scenario {
  return { name: 't', description: '', start: T0, end: '2020-01-05T18:00:00Z', events: [{ network: 'CANTV', targets: ['twitter'], technique, start: '2020-01-05T13:00:00Z', end: '2020-01-05T14:00:00Z', ...extra }] };
}

const clock = new LabClock(T0);
const censor = new Censor(scenario('sni_reset'), clock);
const ca = createCa('Test Lab CA');
const rogue = createCa('Test Rogue CA');
let web: WebServers;
let dns: DnsServer;

before(async () => {
  web = await startWebServers({ ca, rogueCa: rogue, censor, holdMs: 3000 });
  dns = await startDnsServer({ address: CANTV.resolver, censor, isp: true, injectLagMs: 5 });
});
after(async () => {
  await web.close();
  await dns.close();
});

function during(technique: Technique, extra: Partial<Scenario['events'][0]> = {}) {
  censor.setScenario(scenario(technique, extra));
  clock.set('2020-01-05T13:30:00Z');
}

function query(name: string, from: string, wait = 150): Promise<Array<{ rcode: string; a: string[] }>> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const replies: Array<{ rcode: string; a: string[] }> = [];
    sock.on('message', (m) => {
      const p = dnsPacket.decode(m) as dnsPacket.DecodedPacket & { rcode?: string };
      replies.push({ rcode: p.rcode ?? '', a: (p.answers ?? []).filter((x) => x.type === 'A').map((x) => String((x as { data: unknown }).data)) });
    });
    sock.on('error', reject);
    sock.bind(0, from, () => {
      sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), dns.port, dns.address, () => {});
      setTimeout(() => { sock.close(); resolve(replies); }, wait);
    });
  });
}

type TlsOutcome = { ok: true; authorized: boolean; error?: string } | { ok: false; code: string };
function handshake(host: string, from: string, address = '127.100.1.1', timeoutMs = 800): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    // localAddress reaches net.connect underneath; @types/node's ConnectionOptions omits it
    const s = tls.connect({ host: address, port: web.ports.https, servername: host, localAddress: from, ca: [ca.certPem], rejectUnauthorized: false } as tls.ConnectionOptions);
    const timer = setTimeout(() => { s.destroy(); resolve({ ok: false, code: 'TIMEOUT' }); }, timeoutMs);
    s.once('secureConnect', () => { clearTimeout(timer); resolve({ ok: true, authorized: s.authorized, error: s.authorizationError ? String(s.authorizationError) : undefined }); s.destroy(); });
    s.once('error', (e: Error) => { clearTimeout(timer); resolve({ ok: false, code: (e as NodeJS.ErrnoException).code ?? e.message }); });
  });
}

function get(host: string, from: string, path = '/'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http.get({ host: '127.100.1.1', port: web.ports.http, path, localAddress: from, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, ms: performance.now() - t }));
    }).on('error', reject);
  });
}

test('prefix table file matches the address plan', () => {
  assert.equal(readFileSync(PREFIX_TABLE_PATH, 'utf8'), prefixTableTsv());
  assert.equal(networkOf(cantvProbe)?.name, 'CANTV');
  assert.equal(networkOf('127.90.0.11')?.name, OUTSIDE.name);
  assert.equal(networkOf('10.0.0.1'), null);
});

test('every scenario validates and there is one per technique', () => {
  for (const s of SCENARIOS) validateScenario(s);
  for (const t of TECHNIQUES) assert.ok(SCENARIOS.some((s) => s.events.some((e) => e.technique === t)), t);
  assert.equal(scenarioByName('venezuela-2020').events[0].technique, 'sni_reset');
  assert.throws(() => scenarioByName('nope'), /unknown scenario/);
  assert.throws(() => validateScenario(scenario('sni_reset', { network: 'Nowhere' })), /unknown network/);
});

test('clock: frozen, advanced, running', async () => {
  const c = new LabClock(T0);
  assert.equal(c.now(), Date.parse(T0));
  c.advance(60_000);
  assert.equal(c.now(), Date.parse(T0) + 60_000);
  assert.throws(() => c.advance(-1));
  c.run(1000);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(c.now() > Date.parse(T0) + 60_000 + 1000);
});

test('SNI parser reads a real ClientHello', async () => {
  // capture the first bytes a Node TLS client sends
  const net = await import('node:net');
  const bytes: Buffer = await new Promise((resolve) => {
    const srv = net.createServer((s) => s.once('data', (d) => { resolve(d); s.destroy(); srv.close(); }));
    srv.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port, servername: 'www.instagram.com' });
      c.on('error', () => {});
    });
  });
  assert.deepEqual(parseClientHello(bytes), { kind: 'hello', sni: 'www.instagram.com' });
  assert.deepEqual(parseClientHello(bytes.subarray(0, 20)), { kind: 'need_more' });
  assert.deepEqual(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { kind: 'not_tls' });
});

test('DNS: truthful answers, NXDOMAIN for unknown names', async () => {
  censor.setScenario(scenario('sni_reset'));
  assert.deepEqual(await query('twitter.com', cantvProbe), [{ rcode: 'NOERROR', a: ['127.100.1.1'] }]);
  assert.deepEqual(await query('does-not-exist.example', cantvProbe), [{ rcode: 'NXDOMAIN', a: [] }]);
});

test('DNS injection: forged reply first, real one after, only on CANTV, only in the window', async () => {
  during('dns_inject');
  assert.deepEqual(await query('twitter.com', cantvProbe), [{ rcode: 'NOERROR', a: [INJECTED_ADDRESS] }, { rcode: 'NOERROR', a: ['127.100.1.1'] }]);
  assert.deepEqual(await query('twitter.com', movistarProbe), [{ rcode: 'NOERROR', a: ['127.100.1.1'] }]);
  assert.deepEqual(await query('example.org', cantvProbe), [{ rcode: 'NOERROR', a: ['127.100.20.1'] }]);
  clock.set('2020-01-05T14:00:00Z'); // end is exclusive
  assert.deepEqual(await query('twitter.com', cantvProbe), [{ rcode: 'NOERROR', a: ['127.100.1.1'] }]);
});

test('DNS NXDOMAIN and bogon', async () => {
  during('dns_nxdomain');
  assert.deepEqual(await query('www.twitter.com', cantvProbe), [{ rcode: 'NXDOMAIN', a: [] }]);
  during('dns_bogon');
  assert.deepEqual(await query('x.com', cantvProbe), [{ rcode: 'NOERROR', a: [BOGON_ADDRESS] }]);
});

test('TLS: clean handshake verifies against the lab CA', async () => {
  during('sni_reset');
  assert.deepEqual(await handshake('twitter.com', movistarProbe), { ok: true, authorized: true, error: undefined });
});

test('SNI reset and SNI stall hit the named site only', async () => {
  during('sni_reset');
  assert.deepEqual(await handshake('twitter.com', cantvProbe), { ok: false, code: 'ECONNRESET' });
  assert.equal((await handshake('example.org', cantvProbe, '127.100.20.1')).ok, true);
  during('sni_stall');
  assert.deepEqual(await handshake('twitter.com', cantvProbe), { ok: false, code: 'TIMEOUT' });
});

test('TLS interception presents a certificate from another CA', async () => {
  during('tls_intercept');
  const r = await handshake('twitter.com', cantvProbe);
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.authorized, false);
  assert.match(r.ok ? r.error ?? '' : '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER/);
});

test('TCP reset and blackhole act on the destination address', async () => {
  during('tcp_rst');
  assert.deepEqual(await handshake('twitter.com', cantvProbe), { ok: false, code: 'ECONNRESET' });
  during('tcp_blackhole');
  assert.deepEqual(await handshake('twitter.com', cantvProbe), { ok: false, code: 'TIMEOUT' });
  assert.equal((await handshake('twitter.com', movistarProbe)).ok, true);
});

test('site down everywhere resets the outside too', async () => {
  censor.setScenario(scenario('down', { network: '*', targets: ['twitter'] }));
  clock.set('2020-01-05T13:30:00Z');
  assert.deepEqual(await handshake('twitter.com', '127.90.0.11'), { ok: false, code: 'ECONNRESET' });
  assert.deepEqual(await handshake('twitter.com', movistarProbe), { ok: false, code: 'ECONNRESET' });
});

test('HTTP: page, block page, rewrite', async () => {
  during('http_blockpage');
  const clean = await get('twitter.com', movistarProbe);
  assert.equal(clean.status, 200);
  assert.match(clean.body, /<title>Twitter<\/title>/);
  const blocked = await get('twitter.com', cantvProbe);
  assert.match(blocked.body, /<title>CANTV<\/title>/);
  during('http_rewrite');
  const rewritten = await get('twitter.com', cantvProbe);
  assert.match(rewritten.body, /modificado en tránsito/);
  assert.equal(rewritten.headers['x-lab-site'], undefined);
});

test('throttling slows the large object down for the censored network only', async () => {
  during('throttle', { rateKbps: 800 }); // 100 kB/s
  const path = '/vigil/large.bin?bytes=20000';
  const fast = await get('twitter.com', movistarProbe, path);
  const slow = await get('twitter.com', cantvProbe, path);
  assert.equal(fast.body.length, 20000);
  assert.equal(slow.body.length, 20000);
  // 20 kB at 100 kB/s cannot arrive in less than ~150 ms (the first tick is 20 ms in): a rate
  // bound, not a speed assertion
  assert.ok(slow.ms >= 150, `throttled download took ${slow.ms} ms`);
});

test('netns router rules per technique (pure)', async () => {
  const { rulesFor, sniPatterns } = await import('./netns/router.js');
  const { SITES } = await import('./sites.js');
  const twitter = SITES.find((s) => s.target === 'twitter')!;
  assert.deepEqual(sniPatterns(twitter), ['twitter.com', 'x.com', 't.co', 'abs.twimg.com', 'pbs.twimg.com', 'video.twimg.com']);
  const r = rulesFor('sni_reset', ['twitter']);
  assert.deepEqual(r.iptables[0], ['-A', 'FORWARD', '-p', 'tcp', '--dport', '443', '-m', 'string', '--string', 'twitter.com', '--algo', 'bm', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
  assert.deepEqual(rulesFor('tcp_blackhole', ['twitter']).nft, ['add rule ip vgl filt ip daddr 10.100.1.1 drop']);
  assert.deepEqual(rulesFor('dns_bogon', ['twitter']).nft, ['add rule ip vgl pre ip daddr 10.100.0.53 udp dport 53 dnat to 10.100.0.55']);
  assert.equal(rulesFor('throttle', ['twitter', 'youtube']).tc.filter((a) => a[0] === 'filter').length, 2);
  assert.equal(rulesFor('down', ['example.org']).serversNft.length, 1);
});
