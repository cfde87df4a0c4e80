// The QA table, loopback lab (docs/lab.md): one test per censor technique, run with the real
// probe experiments against the real lab servers, asserting the failure strings and verdicts the
// measurement carries. Plus the counter-examples: the same site from another network is fine,
// and a site down everywhere (the control fails too) does not read as blocking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLoopbackLab, type Lab } from './loopback.js';
import { LabClock } from './clock.js';
import { techniqueScenario, TECHNIQUE_EVENT_START } from './scenarios/techniques.js';
import { venezuela2020 } from './scenarios/venezuela-2020.js';
import type { Technique } from './techniques.js';
import { BOGON_ADDRESS, INJECTED_ADDRESS } from './techniques.js';
import { NONEXISTENT_HOST } from './sites.js';
import { runExperiment } from '../probe/registry.js';
import type { ExperimentContext } from '../probe/context.js';
import type { Measurement } from '../model/measurement.js';
import { validateMeasurement } from '../model/validate.js';

let lab: Lab;
const clock = new LabClock('2020-01-05T12:00:00Z');

before(async () => {
  lab = await startLoopbackLab({ scenario: venezuela2020, clock });
});
after(async () => {
  await lab?.close();
});

function ctx(network: string, probe = 0): ExperimentContext {
  const n = lab.networks.find((x) => x.name === network)!;
  return {
    env: lab.envFor(network, probe),
    helperUrl: lab.helperUrl,
    identity: { cc: n.cc, asn: n.asn, network: n.name, probeId: `qa-${network}-${probe}` },
    clock: lab.clock,
    targets: lab.targets,
    reportId: `qa-${network}`,
  };
}

/** Runs web_connectivity while `technique` is on (CANTV → Twitter, or example.org down everywhere). */
async function wc(technique: Technique, url: string, network = 'CANTV'): Promise<Measurement> {
  lab.censor.setScenario(techniqueScenario(technique));
  clock.set(Date.parse(TECHNIQUE_EVENT_START) + 30 * 60_000);
  const m = await runExperiment('web_connectivity', url, ctx(network));
  const v = validateMeasurement(m);
  assert.ok(v.ok, v.ok ? '' : v.error);
  return m;
}

const tk = (m: Measurement) => m.test_keys as Record<string, any>;
const tcpFailures = (m: Measurement) => (tk(m).tcp_connect ?? []).map((t: any) => t.status.failure);
const tlsFailures = (m: Measurement) => (tk(m).tls_handshakes ?? []).map((t: any) => t.failure);
const verdict = (m: Measurement) => ({ blocking: tk(m).blocking, accessible: tk(m).accessible });

test('baseline: every lab URL is accessible from every network', async () => {
  lab.censor.setScenario({ ...venezuela2020, events: [] });
  for (const net of ['CANTV', 'Movistar', 'Digitel']) {
    for (const w of lab.targets.web) {
      const m = await runExperiment('web_connectivity', w.url, ctx(net, 3));
      assert.deepEqual(verdict(m), { blocking: false, accessible: true }, `${net} ${w.url}`);
      assert.equal(tk(m).dns_consistency, 'consistent');
    }
  }
});

test('dns_inject: forged answer first, real one recorded too → blocking dns', async () => {
  const m = await wc('dns_inject', 'https://twitter.com/');
  const replies = tk(m).queries.find((q: any) => q.query_type === 'A').x_all_replies;
  assert.deepEqual(replies.map((r: any) => r.answers.map((a: any) => a.ipv4)), [[INJECTED_ADDRESS], ['127.100.1.1']]);
  assert.deepEqual(tcpFailures(m), ['connection_refused']);
  assert.equal(tk(m).dns_consistency, 'inconsistent');
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('dns_nxdomain → dns_nxdomain_error, blocking dns', async () => {
  const m = await wc('dns_nxdomain', 'https://twitter.com/');
  assert.equal(tk(m).dns_experiment_failure, 'dns_nxdomain_error');
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('dns_bogon → answer 10.10.34.36, inconsistent, blocking dns', async () => {
  const m = await wc('dns_bogon', 'https://twitter.com/');
  const q = tk(m).queries.find((x: any) => x.query_type === 'A');
  assert.deepEqual(q.answers.map((a: any) => a.ipv4), [BOGON_ADDRESS]);
  // the kernel refuses to route from a 127/8 source to 10/8: the connect fails locally (EINVAL)
  assert.equal(tcpFailures(m).length, 1);
  assert.notEqual(tcpFailures(m)[0], null);
  assert.equal(tk(m).dns_consistency, 'inconsistent');
  assert.deepEqual(verdict(m), { blocking: 'dns', accessible: false });
});

test('tcp_blackhole (loopback: accepted then silent) → TLS generic_timeout_error, http-failure', async () => {
  const m = await wc('tcp_blackhole', 'https://twitter.com/');
  assert.deepEqual(tcpFailures(m), [null]);
  assert.deepEqual(tlsFailures(m), ['generic_timeout_error']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
});

test('tcp_rst → connection_reset at connect or handshake, tcp_ip or http-failure', async () => {
  const m = await wc('tcp_rst', 'https://twitter.com/');
  // The lab resets right after accept: the client sees it during connect or on its first read.
  const all = [...tcpFailures(m), ...tlsFailures(m)].filter((x) => x !== null);
  assert.deepEqual(all, ['connection_reset']);
  assert.equal(tk(m).http_experiment_failure, 'connection_reset');
  assert.ok(['tcp_ip', 'http-failure'].includes(tk(m).blocking), String(tk(m).blocking));
  assert.equal(tk(m).accessible, false);
});

test('sni_reset → TLS connection_reset, http-failure; example.org on the same network fine', async () => {
  const m = await wc('sni_reset', 'https://twitter.com/');
  assert.deepEqual(tcpFailures(m), [null]);
  assert.deepEqual(tlsFailures(m), ['connection_reset']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
  assert.deepEqual(verdict(await wc('sni_reset', 'https://example.org/')), { blocking: false, accessible: true });
});

test('sni_stall → TLS generic_timeout_error, http-failure', async () => {
  const m = await wc('sni_stall', 'https://twitter.com/');
  assert.deepEqual(tlsFailures(m), ['generic_timeout_error']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
});

test('tls_intercept → ssl_unknown_authority, http-failure', async () => {
  const m = await wc('tls_intercept', 'https://twitter.com/');
  assert.deepEqual(tlsFailures(m), ['ssl_unknown_authority']);
  assert.deepEqual(verdict(m), { blocking: 'http-failure', accessible: false });
});

test('http_blockpage → 200 with the CANTV page, http-diff', async () => {
  const m = await wc('http_blockpage', 'http://twitter.com/');
  const body = tk(m).requests[0].response.body;
  assert.match(typeof body === 'string' ? body : '', /<title>CANTV<\/title>/);
  assert.equal(tk(m).status_code_match, true);
  assert.equal(tk(m).body_length_match, false);
  assert.equal(tk(m).title_match, false);
  assert.deepEqual(verdict(m), { blocking: 'http-diff', accessible: false });
  // HTTPS is out of an on-path box's reach
  assert.deepEqual(verdict(await wc('http_blockpage', 'https://twitter.com/')), { blocking: false, accessible: true });
});

test('http_rewrite → http-diff', async () => {
  const m = await wc('http_rewrite', 'http://twitter.com/');
  assert.equal(tk(m).http_experiment_failure, null);
  assert.equal(tk(m).body_length_match, false);
  assert.deepEqual(verdict(m), { blocking: 'http-diff', accessible: false });
});

test('throttle → page still accessible; vigil_throughput throttled', async () => {
  const page = await wc('throttle', 'https://twitter.com/');
  assert.deepEqual(verdict(page), { blocking: false, accessible: true });
  const m = await runExperiment('vigil_throughput', 'twitter', ctx('CANTV'));
  assert.ok(validateMeasurement(m).ok);
  const k = tk(m);
  assert.equal(k.throttled, true);
  assert.ok(k.target_rate_kbps < 2000, `target rate ${k.target_rate_kbps} kbit/s above the censor's 1000`);
  const free = await runExperiment('vigil_throughput', 'twitter', ctx('Movistar'));
  assert.equal(tk(free).target_rate_kbps > 2000, true, `Movistar rate ${tk(free).target_rate_kbps}`);
});

test('site down everywhere (control fails too) is not blocking', async () => {
  const m = await wc('down', 'https://example.org/');
  assert.equal(tk(m).http_experiment_failure, 'connection_reset');
  assert.equal(tk(m).control.http_request.failure, 'connection_reset');
  assert.deepEqual(verdict(m), { blocking: false, accessible: false });
  // a name that exists nowhere: NXDOMAIN for the probe and the control alike
  const nx = await wc('down', `https://${NONEXISTENT_HOST}/`);
  assert.equal(tk(nx).dns_experiment_failure, 'dns_nxdomain_error');
  assert.equal(tk(nx).dns_consistency, 'consistent');
  assert.deepEqual(verdict(nx), { blocking: false, accessible: false });
});

test('venezuela-2020: CANTV blocked in the window only, Movistar never', async () => {
  lab.censor.setScenario(venezuela2020);
  const at = async (iso: string, net: string, url: string) => {
    clock.set(iso);
    return verdict(await runExperiment('web_connectivity', url, ctx(net, 5)));
  };
  const blocked = { blocking: 'http-failure', accessible: false };
  const ok = { blocking: false, accessible: true };
  assert.deepEqual(await at('2020-01-05T15:04:59Z', 'CANTV', 'https://twitter.com/'), ok);
  for (const u of ['https://twitter.com/', 'https://www.instagram.com/', 'https://www.youtube.com/', 'https://www.messenger.com/']) {
    assert.deepEqual(await at('2020-01-05T15:05:00Z', 'CANTV', u), blocked, u);
    assert.deepEqual(await at('2020-01-05T16:00:00Z', 'Movistar', u), ok, u);
  }
  assert.deepEqual(await at('2020-01-05T16:00:00Z', 'CANTV', 'https://www.facebook.com/'), ok);
  assert.deepEqual(await at('2020-01-05T16:00:00Z', 'CANTV', 'https://www.wikipedia.org/'), ok);
  assert.deepEqual(await at('2020-01-05T17:35:00Z', 'CANTV', 'https://twitter.com/'), ok);
});
