// GET /api/v1/geolookup on a real Fastify server on 127.0.0.1, asked by clients bound to other
// loopback source addresses that the lab's prefix table places in simulated networks. The
// server's captured log is grepped for those addresses: they must not appear (and a control route
// that logs normally shows the grep would have found them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { openGeo } from '../../geo/lookup.js';
import { geolookupRoute } from './geolookup.js';

const LAB_TSV = new URL('../../lab/data/lab-prefixes.tsv', import.meta.url).pathname;
const CANTV_CLIENT = '127.80.9.23';
const MOVISTAR_CLIENT = '127.81.4.77';
const NOWHERE_CLIENT = '127.0.0.77';

function get(port: number, path: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function serve(trustProxy: boolean | number, logs: string[]): Promise<{ app: FastifyInstance; port: number }> {
  const geo = await openGeo({ prefixTables: [LAB_TSV] });
  const app = Fastify({ logger: { level: 'trace', stream: { write: (s: string) => void logs.push(s) } } });
  await app.register(geolookupRoute(geo, { trustProxy }));
  app.get('/control', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

describe('GET /api/v1/geolookup', () => {
  const logs: string[] = [];
  let app: FastifyInstance;
  let port: number;
  before(async () => ({ app, port } = await serve(false, logs)));
  after(() => app.close());

  it("answers the caller's simulated network from its connection's source address", async () => {
    const r = await get(port, '/api/v1/geolookup', CANTV_CLIENT);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), {
      cc: 'VE', asn: 8048, network: 'CANTV', probe_cc: 'VE', probe_asn: 'AS8048', probe_network_name: 'CANTV', source: 'prefix:lab-prefixes.tsv',
    });
    assert.match(String(r.headers['cache-control']), /no-store/);
    const m = JSON.parse((await get(port, '/api/v1/geolookup', MOVISTAR_CLIENT)).text);
    assert.equal(m.probe_asn, 'AS6306');
    assert.equal(m.network, 'Movistar');
  });

  it('a caller in no network gets ZZ / AS0, and X-Forwarded-For is ignored without trustProxy', async () => {
    const r = await get(port, '/api/v1/geolookup', NOWHERE_CLIENT, { 'x-forwarded-for': MOVISTAR_CLIENT });
    assert.deepEqual(JSON.parse(r.text), { cc: 'ZZ', asn: 0, network: '', probe_cc: 'ZZ', probe_asn: 'AS0', probe_network_name: '', source: 'special' });
  });

  it("never echoes the caller's address, and the log holds none of the callers' addresses", async () => {
    for (const [addr, xff] of [[CANTV_CLIENT, ''], [MOVISTAR_CLIENT, ''], [NOWHERE_CLIENT, '203.0.113.9']]) {
      const r = await get(port, `/api/v1/geolookup?x=${encodeURIComponent(addr)}`, addr, xff ? { 'x-forwarded-for': xff } : {});
      assert.ok(!r.text.includes(addr), 'body');
      assert.ok(!JSON.stringify(r.headers).includes(addr), 'headers');
    }
    const log = logs.join('');
    assert.ok(log.length > 0, 'the logger ran (server listening line)');
    for (const addr of [CANTV_CLIENT, MOVISTAR_CLIENT, NOWHERE_CLIENT]) assert.ok(!log.includes(addr), `log mentions ${addr}:\n${log}`);
    // The grep is real: an ordinary route's request log does carry the remote address.
    await get(port, '/control', CANTV_CLIENT);
    assert.ok(logs.join('').includes(CANTV_CLIENT), 'control route logs remoteAddress');
  });
});

describe('GET /api/v1/geolookup behind a trusted proxy', () => {
  const logs: string[] = [];
  let app: FastifyInstance;
  let port: number;
  before(async () => ({ app, port } = await serve(true, logs)));
  after(() => app.close());

  it('believes the rightmost X-Forwarded-For entry (what the proxy saw), not client-supplied ones', async () => {
    const r = await get(port, '/api/v1/geolookup', NOWHERE_CLIENT, { 'x-forwarded-for': `${CANTV_CLIENT}, ${MOVISTAR_CLIENT}` });
    assert.equal(JSON.parse(r.text).probe_asn, 'AS6306');
    const none = await get(port, '/api/v1/geolookup', CANTV_CLIENT);
    assert.equal(JSON.parse(none.text).probe_asn, 'AS8048', 'no header: the socket peer');
    const junk = await get(port, '/api/v1/geolookup', CANTV_CLIENT, { 'x-forwarded-for': 'not-an-address' });
    assert.deepEqual(JSON.parse(junk.text).probe_asn, 'AS0');
    assert.ok(!logs.join('').includes(MOVISTAR_CLIENT));
  });
});

describe('GET /api/v1/geolookup?resolver_ip=', () => {
  const logs: string[] = [];
  let app: FastifyInstance;
  let port: number;
  before(async () => ({ app, port } = await serve(false, logs)));
  after(() => app.close());

  it("places the resolver too, and says when the resolver's address is the caller's own", async () => {
    const r = JSON.parse((await get(port, '/api/v1/geolookup?resolver_ip=127.81.0.53', CANTV_CLIENT)).text);
    assert.equal(r.probe_asn, 'AS8048');
    assert.equal(r.resolver_asn, 'AS6306');
    assert.equal(r.resolver_cc, 'VE');
    assert.equal(r.resolver_network_name, 'Movistar');
    assert.equal(r.resolver_is_caller, false);
    const self = JSON.parse((await get(port, `/api/v1/geolookup?resolver_ip=${CANTV_CLIENT}`, CANTV_CLIENT)).text);
    assert.equal(self.resolver_is_caller, true);
    assert.equal(self.resolver_asn, 'AS8048');
    const mapped = JSON.parse((await get(port, `/api/v1/geolookup?resolver_ip=::ffff:${CANTV_CLIENT}`, CANTV_CLIENT)).text);
    assert.equal(mapped.resolver_is_caller, true);
  });

  it('bad parameters: 400 with a reason, nothing logged', async () => {
    for (const qs of ['resolver_ip=nope', 'resolver_ip=1.2.3.4&resolver_ip=5.6.7.8', 'ip=1.2.3.4', 'resolver_ip=']) {
      const r = await get(port, `/api/v1/geolookup?${qs}`, CANTV_CLIENT);
      assert.equal(r.status, 400, qs);
      assert.match(JSON.parse(r.text).reason, /resolver_ip|unknown parameter/);
    }
    assert.ok(!logs.join('').includes(CANTV_CLIENT));
  });
});
