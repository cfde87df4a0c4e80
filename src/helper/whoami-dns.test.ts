// The whoami DNS server on loopback: it answers with the address the query came from (queries
// sent from several bound source addresses), refuses other zones, survives garbage; and the lab
// forwarder relays a query from a resolver's own address so the answer names the resolver.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { startWhoamiDns, whoamiReply, type WhoamiDnsServer } from './whoami-dns.js';
import { forwardWhoami, isWhoamiQuery } from './whoami-forward.js';
import { VigilError } from '../model/errors.js';

/** dns-packet's decoded reply, with the fields its typings leave out (rcode, flag_aa, data). */
type Reply = { id?: number; rcode?: string; flag_aa?: boolean; answers?: Array<{ type: string; data?: unknown; ttl?: number }> };
const decode = (b: Buffer): Reply => dnsPacket.decode(b) as unknown as Reply;

function query(name: string, type: 'A' | 'AAAA' | 'TXT' | 'MX', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
}

/** Sends `msg` from `from` to the server; the decoded reply, or null after 1 s. */
function ask(server: { address: string; port: number }, msg: Buffer, from: string): Promise<Reply | null> {
  const sock = dgram.createSocket(from.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const t = setTimeout(() => { sock.close(); resolve(null); }, 1000);
    sock.on('message', (m) => { clearTimeout(t); sock.close(); resolve(decode(m)); });
    sock.bind({ address: from, port: 0 }, () => sock.send(msg, server.port, server.address));
  });
}

describe('whoami DNS server', () => {
  let srv: WhoamiDnsServer;
  before(async () => {
    srv = await startWhoamiDns({ host: '127.0.0.1' });
  });
  after(() => srv.close());

  it('answers A with the source address of each query, authoritative, TTL 0', async () => {
    for (const from of ['127.80.0.53', '127.81.0.53', '127.0.0.1']) {
      const r = await ask(srv, query(`n${from.replace(/\./g, '')}.whoami.vigil.invalid`, 'A'), from);
      assert.ok(r);
      assert.equal(r.id, 4242);
      assert.equal(r.rcode, 'NOERROR');
      assert.ok(r.flag_aa, 'authoritative');
      assert.equal(r.answers?.length, 1);
      assert.equal(r.answers![0].type, 'A');
      assert.equal(r.answers![0].data, from);
      assert.equal(r.answers![0].ttl, 0);
    }
  });

  it('TXT carries the address as text; AAAA for an IPv4 source and other types are NODATA', async () => {
    const txt = await ask(srv, query('WHOAMI.vigil.invalid.', 'TXT'), '127.82.0.53');
    assert.deepEqual((txt!.answers![0].data as Buffer[]).map(String), ['127.82.0.53']);
    for (const t of ['AAAA', 'MX'] as const) {
      const r = await ask(srv, query('x.whoami.vigil.invalid', t), '127.82.0.53');
      assert.equal(r!.rcode, 'NOERROR');
      assert.equal(r!.answers!.length, 0);
    }
  });

  it('refuses names outside its zone (including look-alike suffixes)', async () => {
    for (const name of ['example.com', 'xwhoami.vigil.invalid', 'vigil.invalid']) {
      const r = await ask(srv, query(name, 'A'), '127.0.0.1');
      assert.equal(r!.rcode, 'REFUSED', name);
      assert.equal(r!.answers!.length, 0);
    }
  });

  it('garbage: FORMERR when a header is there, silence otherwise; responses are never answered; it keeps serving', async () => {
    const junk = Buffer.concat([query('a.whoami.vigil.invalid', 'A', 7).subarray(0, 12), Buffer.from([0xff, 0xff, 0xff])]);
    const r = await ask(srv, junk, '127.0.0.1');
    assert.equal(r!.id, 7);
    assert.equal(r!.rcode, 'FORMERR');
    assert.equal(await ask(srv, Buffer.from([1, 2, 3]), '127.0.0.1'), null);
    const resp = dnsPacket.encode({ type: 'response', id: 9, questions: [{ type: 'A', name: 'a.whoami.vigil.invalid', class: 'IN' }] });
    assert.equal(whoamiReply(resp, '127.0.0.1', 'whoami.vigil.invalid'), null);
    const two = dnsPacket.encode({ type: 'query', id: 5, questions: [{ type: 'A', name: 'a.whoami.vigil.invalid', class: 'IN' }, { type: 'A', name: 'b.whoami.vigil.invalid', class: 'IN' }] });
    assert.equal((await ask(srv, two, '127.0.0.1'))!.rcode, 'FORMERR');
    assert.equal((await ask(srv, query('ok.whoami.vigil.invalid', 'A'), '127.0.0.1'))!.answers![0].data, '127.0.0.1');
  });

  it('IPv6 sources get AAAA (pure function; and on ::1 when the host has it)', async () => {
    const r = decode(whoamiReply(query('a.whoami.vigil.invalid', 'AAAA'), '2001:db8::53', 'whoami.vigil.invalid')!);
    assert.equal(r.answers![0].data, '2001:db8::53');
    const mapped = decode(whoamiReply(query('a.whoami.vigil.invalid', 'A'), '::ffff:127.80.0.53', 'whoami.vigil.invalid')!);
    assert.equal(mapped.answers![0].data, '127.80.0.53');
    let v6: WhoamiDnsServer | null = null;
    try {
      v6 = await startWhoamiDns({ host: '::1' });
    } catch {
      return; // no IPv6 loopback on this host
    }
    try {
      const a = await ask(v6, query('b.whoami.vigil.invalid', 'AAAA'), '::1');
      assert.equal(a!.answers![0].data, '::1');
    } finally {
      await v6.close();
    }
  });

  it('a custom zone; a bad zone or an unbindable address is a clear error', async () => {
    const z = await startWhoamiDns({ host: '127.0.0.1', zone: 'Who.Example.' });
    try {
      assert.equal((await ask(z, query('q.who.example', 'A'), '127.0.0.1'))!.answers![0].data, '127.0.0.1');
      assert.equal((await ask(z, query('q.whoami.vigil.invalid', 'A'), '127.0.0.1'))!.rcode, 'REFUSED');
    } finally {
      await z.close();
    }
    await assert.rejects(startWhoamiDns({ host: '127.0.0.1', zone: 'bad zone!' }), (e) => e instanceof VigilError && /not a domain name/.test(e.message));
    await assert.rejects(startWhoamiDns({ host: '127.0.0.1', port: srv.port }), (e) => e instanceof VigilError && e.code === 'NETWORK');
  });
});

describe('forwardWhoami (for the lab resolvers)', () => {
  let srv: WhoamiDnsServer;
  before(async () => {
    srv = await startWhoamiDns({ host: '127.90.0.10' });
  });
  after(() => srv.close());

  it("relays a probe's query from the resolver's own address: the answer names the resolver", async () => {
    const q = query('abc.whoami.vigil.invalid', 'A', 777);
    assert.equal(isWhoamiQuery(q), true);
    assert.equal(isWhoamiQuery(query('twitter.com', 'A')), false);
    assert.equal(isWhoamiQuery(Buffer.from('nope')), false);
    const reply = await forwardWhoami(q, srv, '127.80.0.53');
    assert.ok(reply);
    const p = decode(reply);
    assert.equal(p.id, 777, 'same id: relayable as is');
    assert.equal(p.answers![0].data, '127.80.0.53');
  });

  it('null on timeout (a silent upstream), ignoring replies from anyone else', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const spoofer = dgram.createSocket('udp4');
    await new Promise<void>((r) => spoofer.bind(0, '127.0.0.1', () => r()));
    // The silent "upstream" tells the spoofer where the forwarder sent from; the spoofer answers.
    silent.on('message', (m, rinfo) => spoofer.send(m, rinfo.port, rinfo.address));
    try {
      const q = query('abc.whoami.vigil.invalid', 'A', 778);
      assert.equal(await forwardWhoami(q, { address: '127.0.0.1', port: silent.address().port }, '127.80.0.53', 300), null);
      assert.equal(await forwardWhoami(Buffer.alloc(3), srv, '127.80.0.53', 300), null);
    } finally {
      silent.close();
      spoofer.close();
    }
  });
});
