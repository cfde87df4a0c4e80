// resolveIdentity on loopback: a CANTV probe (source 127.80.1.7) asks the real collector's
// geolookup and resolves the helper's whoami name through a lab-style resolver that forwards it
// from its own address; then the fallbacks (own database, flags, nothing) and the network-change
// watcher. The end-to-end case uploads a measurement built from the identity and greps the
// collector's log and DuckDB file for the probe's address: it must be in neither.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { openGeo, type GeoLookup } from '../geo/lookup.js';
import { geolookupRoute } from '../collect/routes/geolookup.js';
import { createServer } from '../collect/server.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { startWhoamiDns, type WhoamiDnsServer } from '../helper/whoami-dns.js';
import { forwardWhoami, isWhoamiQuery } from '../helper/whoami-forward.js';
import { defaultNetEnv, type NetEnv } from '../netx/env.js';
import { measure } from './envelope.js';
import type { ExperimentContext } from './context.js';
import type { Targets } from './targets.js';
import { resolveIdentity, identityChanged, IdentityWatcher, type Identity } from './identity.js';

const LAB_TSV = new URL('../lab/data/lab-prefixes.tsv', import.meta.url).pathname;
const PROBE = '127.80.1.7';
const ZONE = 'whoami.vigil.invalid';

/** A lab-style ISP resolver: whoami queries are forwarded from its own address, the rest dropped. */
async function labResolver(address: string, whoami: { address: string; port: number }): Promise<{ address: string; port: number; close(): void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', async (msg, rinfo) => {
    if (!isWhoamiQuery(msg, ZONE)) return;
    const r = await forwardWhoami(msg, whoami, address);
    if (r) sock.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => sock.bind(0, address, () => res()));
  return { address, port: sock.address().port, close: () => sock.close() };
}

function envFor(resolver: { address: string; port: number }, dnsMs = 1500): NetEnv {
  return defaultNetEnv({ resolver: { kind: 'udp', address: resolver.address, port: resolver.port }, localAddress: PROBE, timeouts: { dns: dnsMs, connect: 2000, tls: 2000, http: 3000 } });
}

let tmp: string;
let geo: GeoLookup;
let whoami: WhoamiDnsServer;
let cantvResolver: Awaited<ReturnType<typeof labResolver>>;
let movistarResolver: Awaited<ReturnType<typeof labResolver>>;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'vigil-identity-'));
  geo = await openGeo({ prefixTables: [LAB_TSV] });
  whoami = await startWhoamiDns({ host: '127.90.0.10', zone: ZONE });
  cantvResolver = await labResolver('127.80.0.53', whoami);
  movistarResolver = await labResolver('127.81.0.53', whoami);
});
after(async () => {
  cantvResolver.close();
  movistarResolver.close();
  await whoami.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('resolveIdentity against a real collector and the whoami helper', () => {
  const logs: string[] = [];
  let app: FastifyInstance;
  let url: string;
  let dbPath: string;
  let store: Awaited<ReturnType<typeof openDuckDbStore>>;
  before(async () => {
    dbPath = join(tmp, 'collector.duckdb');
    store = await openDuckDbStore(dbPath);
    app = await createServer({ store, routes: [geolookupRoute(geo)], logger: { stream: { write: (s: string) => void logs.push(s) } as never, level: 'trace' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await store.close().catch(() => {});
  });

  let id: Identity;
  it('learns cc/asn/network from the collector and the resolver from whoami, placed by the collector', async () => {
    id = await resolveIdentity({ collectorUrl: url, env: envFor(cantvResolver), whoamiName: ZONE });
    assert.equal(id.cc, 'VE');
    assert.equal(id.asn, 8048);
    assert.equal(id.network, 'CANTV');
    assert.equal(id.source, 'collector');
    assert.equal(id.resolverIp, '127.80.0.53');
    assert.equal(id.resolverAsn, 8048);
    assert.equal(id.resolverNetwork, 'CANTV');
    assert.equal(id.annotations.vigil_resolver_source, 'whoami');
    assert.equal(id.annotations.vigil_location_source, 'collector');
    assert.ok(!JSON.stringify(id).includes(PROBE), 'no probe address in the identity');
  });

  it("a probe using another network's resolver sees that resolver's network", async () => {
    const other = await resolveIdentity({ collectorUrl: url, env: envFor(movistarResolver), whoamiName: ZONE });
    assert.equal(other.asn, 8048);
    assert.equal(other.resolverIp, '127.81.0.53');
    assert.equal(other.resolverAsn, 6306);
    assert.equal(other.resolverNetwork, 'Movistar');
  });

  it('a measurement carrying the identity is uploaded; neither the log nor the store file holds the probe address', async () => {
    const ctx: ExperimentContext = {
      env: envFor(cantvResolver),
      identity: { cc: id.cc, asn: id.asn, network: id.network, probeId: 'identity-test', resolverIp: id.resolverIp, resolverAsn: id.resolverAsn, annotations: id.annotations },
      clock: { now: () => Date.UTC(2024, 0, 5, 15, 5) },
      targets: {} as Targets,
      reportId: '20240105T150500Z_webconnectivity_VE_8048_n1_identitytest0001',
    };
    const m = await measure(ctx, 'web_connectivity', '0.5.0', 'https://twitter.com/', async () => ({ queries: [], tcp_connect: [], requests: [], accessible: true, blocking: false }));
    assert.equal(m.probe_asn, 'AS8048');
    assert.equal(m.resolver_ip, '127.80.0.53');
    assert.equal(m.resolver_asn, 'AS8048');
    const body = JSON.stringify(m);
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${url}/api/v1/measurements`, { method: 'POST', localAddress: PROBE, headers: { 'content-type': 'application/json' }, agent: false }, (r) => {
        const c: Buffer[] = [];
        r.on('data', (b: Buffer) => c.push(b));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text: Buffer.concat(c).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).accepted, 1, res.text);
    const stored = await store.measurements({ limit: 10 });
    assert.equal(stored.length, 1);
    assert.equal(Number(stored[0].asn), 8048);
    const env = (await store.measurement(stored[0].uid)) as Record<string, unknown> | null;
    assert.equal(env?.probe_asn, 'AS8048');
    assert.equal(env?.resolver_ip, '127.80.0.53');
    assert.equal(env?.probe_ip, '127.0.0.1');
    await app.close();
    await store.close();
    const log = logs.join('');
    assert.ok(log.includes('/api/v1/measurements'), 'the logger captured requests');
    assert.ok(!log.includes(PROBE), `log holds the probe address:\n${log}`);
    for (const f of readdirSync(tmp).filter((n) => n.startsWith('collector.duckdb'))) {
      assert.ok(!readFileSync(join(tmp, f)).includes(Buffer.from(PROBE)), `${f} holds the probe address`);
    }
  });
});

describe('fallbacks', () => {
  it('collector unreachable → own database for the bound address; the resolver from it too', async () => {
    const dead = dgram.createSocket('udp4'); // a port nobody listens on over TCP
    await new Promise<void>((r) => dead.bind(0, '127.0.0.1', () => r()));
    const port = dead.address().port;
    dead.close();
    const id = await resolveIdentity({ collectorUrl: `http://127.0.0.1:${port}`, geo, env: envFor(cantvResolver), whoamiName: ZONE });
    assert.deepEqual([id.cc, id.asn, id.network], ['VE', 8048, 'CANTV']);
    assert.equal(id.source, 'geo:prefix:lab-prefixes.tsv');
    assert.equal(id.resolverAsn, 8048);
    assert.equal(id.annotations.vigil_location, undefined);
  });

  it('a collector answering garbage is not believed', async () => {
    const srv = http.createServer((_q, r) => r.end('<html>captive portal</html>'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const id = await resolveIdentity({ collectorUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, env: envFor(cantvResolver), flags: { cc: 've', asn: 8048, network: 'CANTV (flag)' } });
      assert.equal(id.source, 'flags');
      assert.deepEqual([id.cc, id.asn, id.network], ['VE', 8048, 'CANTV (flag)']);
    } finally {
      srv.close();
    }
  });

  it('nothing known: ZZ / AS0, says so in the annotations, no guess; the resolver falls back to the configured one', async () => {
    const silent = dgram.createSocket('udp4'); // a resolver that never answers
    await new Promise<void>((r) => silent.bind(0, '127.80.0.54', () => r()));
    try {
      const id = await resolveIdentity({ env: envFor({ address: '127.80.0.54', port: silent.address().port }, 300), whoamiName: ZONE });
      assert.deepEqual([id.cc, id.asn, id.network, id.source], ['ZZ', 0, '', 'unknown']);
      assert.equal(id.annotations.vigil_location, 'unknown');
      assert.match(id.annotations.vigil_location_reason, /collector: none configured; own database: none configured/);
      assert.equal(id.resolverIp, '127.80.0.54');
      assert.equal(id.annotations.vigil_resolver_source, 'configured');
      assert.equal(id.resolverAsn, null);
      assert.equal(id.annotations.vigil_resolver_asn, 'unknown');
    } finally {
      silent.close();
    }
  });

  it('bad flags are ignored, not believed', async () => {
    const id = await resolveIdentity({ env: defaultNetEnv({ localAddress: PROBE }), flags: { cc: 'Venezuela', asn: -5 } });
    assert.equal(id.annotations.vigil_location, 'unknown');
    assert.equal(id.resolverIp, null);
    assert.equal(id.annotations.vigil_resolver_source, 'unknown');
  });
});

describe('network change', () => {
  it('identityChanged compares location and resolver', () => {
    const a: Identity = { cc: 'VE', asn: 8048, network: 'CANTV', resolverIp: '127.80.0.53', resolverAsn: 8048, resolverNetwork: 'CANTV', source: 'collector', annotations: {} };
    assert.equal(identityChanged(null, a), true);
    assert.equal(identityChanged(a, { ...a, annotations: { x: 'y' } }), false);
    assert.equal(identityChanged(a, { ...a, asn: 6306 }), true);
    assert.equal(identityChanged(a, { ...a, resolverIp: '127.81.0.53' }), true);
  });

  it('IdentityWatcher re-resolves when the fingerprint changes or every N rounds', async () => {
    let fp = 'one';
    let local = PROBE;
    const opts = { geo, get env() { return defaultNetEnv({ localAddress: local }); } } as unknown as Parameters<typeof resolveIdentity>[0];
    const w = new IdentityWatcher(opts, 3, () => fp);
    const r1 = await w.current();
    assert.equal(r1.changed, true);
    assert.equal(r1.identity.asn, 8048);
    local = '127.81.2.2'; // moved, but the fingerprint has not noticed yet
    assert.equal((await w.current()).identity.asn, 8048);
    fp = 'two';
    const r3 = await w.current();
    assert.equal(r3.changed, true);
    assert.equal(r3.identity.asn, 6306);
    assert.equal((await w.current()).changed, false);
  });
});
