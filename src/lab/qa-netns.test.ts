// The QA table, netns lab (docs/lab.md; root only — CI is root, so it runs there): the same
// techniques done by a real router's kernel (nftables, iptables string match, tc tbf) between a
// client namespace running the real probe and a servers namespace running the lab's servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNetnsLab, netnsUnavailable, type NetnsLab } from './netns/lab.js';
import { techniqueScenario, TECHNIQUE_EVENT_START, TECHNIQUE_EVENT_END } from './scenarios/techniques.js';
import { BOGON_ADDRESS } from './techniques.js';
import type { Technique } from './techniques.js';
import type { Measurement } from '../model/measurement.js';
import { validateMeasurement } from '../model/validate.js';

const skip = netnsUnavailable();
if (skip) console.log(`# qa-netns skipped: ${skip}`);
let lab: NetnsLab | undefined;

before(async () => {
  if (!skip) lab = await startNetnsLab();
}, { timeout: 60_000 });
after(async () => {
  await lab?.close();
});

const inWindow = Date.parse(TECHNIQUE_EVENT_START) + 30 * 60_000;
const tk = (m: Measurement) => m.test_keys as Record<string, any>;
const tcpFailures = (m: Measurement) => (tk(m).tcp_connect ?? []).map((t: any) => t.status.failure);
const tlsFailures = (m: Measurement) => (tk(m).tls_handshakes ?? []).map((t: any) => t.failure);
const verdict = (m: Measurement) => ({ blocking: tk(m).blocking, accessible: tk(m).accessible });

async function wc(technique: Technique | null, url: string): Promise<Measurement> {
  if (technique) assert.deepEqual(await lab!.sync(techniqueScenario(technique), inWindow), [technique]);
  else await lab!.apply([]);
  const m = await lab!.run('web_connectivity', url);
  const v = validateMeasurement(m);
  assert.ok(v.ok, v.ok ? '' : v.error);
  return m;
}

test('baseline: sites reachable through the router', { skip: skip ?? false }, async () => {
  for (const url of ['https://twitter.com/', 'http://twitter.com/', 'https://example.org/']) {
    assert.deepEqual(verdict(await wc(null, url)), { blocking: false, accessible: true }, url);
  }
});

test('scenario clock: rules on inside the window, off outside it', { skip: skip ?? false }, async () => {
  assert.deepEqual(await lab!.sync(techniqueScenario('sni_reset'), Date.parse(TECHNIQUE_EVENT_END)), []);
  assert.deepEqual(verdict(await lab!.run('web_connectivity', 'https://twitter.com/')), { blocking: false, accessible: true });
});

test('dns_inject (DNAT to an injector) → forged then real answer, blocking dns', { skip: skip ?? false }, async () => {
  const m = await wc('dns_inject', 'https://twitter.com/');
  const replies = tk(m).queries.find((q: any) => q.query_type === 'A').x_all_replies;
  assert.deepEqual(replies.map((r: any) => r.answers.map((a: any) => a.ipv4)), [['10.100.250.1'], ['10.100.1.1']]);
  assert.deepEqual(tcpFailures(m), ['connection_refused']);
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('dns_nxdomain (DNAT to a lying resolver) → dns_nxdomain_error, blocking dns', { skip: skip ?? false }, async () => {
  const m = await wc('dns_nxdomain', 'https://twitter.com/');
  assert.equal(tk(m).dns_experiment_failure, 'dns_nxdomain_error');
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('dns_bogon → 10.10.34.36, network_unreachable, blocking dns', { skip: skip ?? false }, async () => {
  const m = await wc('dns_bogon', 'https://twitter.com/');
  assert.deepEqual(tk(m).queries.find((q: any) => q.query_type === 'A').answers.map((a: any) => a.ipv4), [BOGON_ADDRESS]);
  assert.deepEqual(tcpFailures(m), ['network_unreachable']);
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('tcp_blackhole (nft drop) → connect generic_timeout_error, tcp_ip', { skip: skip ?? false }, async () => {
  const m = await wc('tcp_blackhole', 'https://twitter.com/');
  assert.deepEqual(tcpFailures(m), ['generic_timeout_error']);
  assert.deepEqual(verdict(m), { blocking: 'tcp_ip', accessible: false });
});

test('tcp_rst (REJECT tcp-reset on the SYN) → connection_refused, tcp_ip', { skip: skip ?? false }, async () => {
  const m = await wc('tcp_rst', 'https://twitter.com/');
  assert.deepEqual(tcpFailures(m), ['connection_refused']);
  assert.deepEqual(verdict(m), { blocking: 'tcp_ip', accessible: false });
});

test('sni_reset (string match + REJECT tcp-reset) → TLS connection_reset, http-failure', { skip: skip ?? false }, async () => {
  const m = await wc('sni_reset', 'https://twitter.com/');
  assert.deepEqual(tcpFailures(m), [null]);
  assert.deepEqual(tlsFailures(m), ['connection_reset']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
  assert.deepEqual(verdict(await lab!.run('web_connectivity', 'https://example.org/')), { blocking: false, accessible: true });
});

test('sni_stall (string match + DROP) → TLS generic_timeout_error, http-failure', { skip: skip ?? false }, async () => {
  const m = await wc('sni_stall', 'https://twitter.com/');
  assert.deepEqual(tlsFailures(m), ['generic_timeout_error']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
});

test('tls_intercept (DNAT to an interceptor) → ssl_unknown_authority, http-failure', { skip: skip ?? false }, async () => {
  const m = await wc('tls_intercept', 'https://twitter.com/');
  assert.deepEqual(tlsFailures(m), ['ssl_unknown_authority']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
});

test('http_blockpage (DNAT to a block page server) → CANTV page, http-diff', { skip: skip ?? false }, async () => {
  const m = await wc('http_blockpage', 'http://twitter.com/');
  const body = tk(m).requests[0].response.body;
  assert.match(typeof body === 'string' ? body : '', /<title>CANTV<\/title>/);
  assert.deepEqual(verdict(m), { blocking: 'http-diff', accessible: false });
});

test('http_rewrite (DNAT to a rewriter) → http-diff', { skip: skip ?? false }, async () => {
  const m = await wc('http_rewrite', 'http://twitter.com/');
  assert.equal(tk(m).body_length_match, false);
  assert.deepEqual(verdict(m), { blocking: 'http-diff', accessible: false });
});

test('throttle (tc htb + tbf) → page accessible, vigil_throughput throttled', { skip: skip ?? false }, async () => {
  assert.deepEqual(verdict(await wc('throttle', 'https://twitter.com/')), { blocking: false, accessible: true });
  const m = await lab!.run('vigil_throughput', 'twitter');
  assert.ok(validateMeasurement(m).ok);
  assert.equal(tk(m).throttled, true);
  assert.ok(tk(m).target_rate_kbps < 2000, `target rate ${tk(m).target_rate_kbps} kbit/s above the 1000 kbit/s bucket`);
});

test('site down everywhere (servers reject, control fails too) is not blocking', { skip: skip ?? false }, async () => {
  const m = await wc('down', 'https://example.org/');
  assert.deepEqual(tcpFailures(m), ['connection_refused']);
  assert.equal(tk(m).control.http_request.failure, 'connection_refused');
  assert.deepEqual(verdict(m), { blocking: false, accessible: false });
});
