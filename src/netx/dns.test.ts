import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDns } from './testing/dns-server.js';
import { queryUdp, resolveHost, querySystem } from './dns.js';
import { defaultNetEnv } from './env.js';
import { Trace } from './trace.js';

const dns = await startDns((name) => {
  if (name === 'forged.test') return { addrs: ['93.184.216.34'], forged: ['10.10.34.35'], lagMs: 30 };
  if (name === 'nx.test') return { rcode: 'NXDOMAIN' };
  if (name === 'servfail.test') return { rcode: 'SERVFAIL' };
  if (name === 'refused.test') return { rcode: 'REFUSED' };
  if (name === 'empty.test') return {};
  if (name === 'silent.test') return { drop: true };
  return { addrs: ['93.184.216.34', '93.184.216.35'] };
});
after(() => dns.close());
const env = defaultNetEnv({ resolver: { kind: 'udp', address: dns.address, port: dns.port }, timeouts: { dns: 300, connect: 1000, tls: 1000, http: 1000 } });

test('udp: answers, ttl, transaction ids, timing', async () => {
  const trace = new Trace();
  const r = await resolveHost('ok.test', env, trace);
  trace.close();
  assert.deepEqual(r.addrs, ['93.184.216.34', '93.184.216.35']);
  assert.equal(r.failure, null);
  const q = trace.queries[0];
  assert.equal(q.engine, 'udp');
  assert.equal(q.query_type, 'A');
  assert.equal(q.resolver_address, `127.0.0.1:${dns.port}`);
  assert.equal(q.answers![0].ttl, 60);
  assert.equal(q.transaction_id, 1);
  assert.ok(q.t! >= q.t0!);
});

test('udp: a forged reply and the real one are both recorded, answers from the first', async () => {
  const trace = new Trace();
  const settled = new Promise<void>((resolve) => {
    void queryUdp('forged.test', 'A', env, trace, dns, { onSettled: () => resolve() }).then((q) => {
      assert.deepEqual(q.answers!.map((a) => a.ipv4), ['10.10.34.35']);
    });
  });
  await settled; // listening went on until the DNS deadline
  const q = trace.queries[0];
  assert.equal(q.x_all_replies!.length, 2);
  assert.deepEqual(q.x_all_replies!.map((r) => r.answers.map((a) => a.ipv4)), [['10.10.34.35'], ['93.184.216.34']]);
  assert.ok(q.x_all_replies![1].t > q.x_all_replies![0].t);
  trace.close();
});

test('udp: rcodes and silence become df-007 failures', async () => {
  const cases: Array<[string, string]> = [['nx.test', 'dns_nxdomain_error'], ['servfail.test', 'dns_servfail_error'], ['refused.test', 'dns_refused_error'], ['empty.test', 'dns_no_answer'], ['silent.test', 'generic_timeout_error']];
  for (const [name, failure] of cases) {
    const trace = new Trace();
    const r = await resolveHost(name, env, trace);
    trace.close();
    assert.equal(r.failure, failure, name);
    assert.equal(trace.queries[0].failure, failure, name);
    assert.deepEqual(r.addrs, []);
  }
});

test('udp: nothing listening on the resolver port', async () => {
  const e = defaultNetEnv({ resolver: { kind: 'udp', address: '127.0.0.1', port: 9 }, timeouts: { dns: 200, connect: 1000, tls: 1000, http: 1000 } });
  const trace = new Trace();
  const r = await resolveHost('ok.test', e, trace);
  trace.close();
  assert.ok(r.failure === 'generic_timeout_error' || r.failure === 'connection_refused', String(r.failure));
});

test('ip literals need no query', async () => {
  const trace = new Trace();
  const r = await resolveHost('127.0.0.1', env, trace);
  assert.deepEqual(r.addrs, ['127.0.0.1']);
  assert.equal(trace.queries.length, 0);
});

test('system resolver: localhost and an invalid name', async () => {
  const trace = new Trace();
  const ok = await querySystem('localhost', defaultNetEnv(), trace);
  assert.equal(ok.engine, 'getaddrinfo');
  assert.equal(ok.failure, null);
  assert.ok(ok.answers!.length > 0);
  const bad = await querySystem('no-such-name.invalid', defaultNetEnv({ timeouts: { dns: 3000, connect: 1, tls: 1, http: 1 } }), trace);
  assert.ok(['dns_nxdomain_error', 'dns_servfail_error', 'generic_timeout_error'].includes(String(bad.failure)), String(bad.failure));
});
