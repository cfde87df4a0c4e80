import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMiniLab } from '../../testing/minilab.js';
import { defaultTargets } from '../../targets.js';
import { runExperiment } from '../../registry.js';
import { validateMeasurement } from '../../../model/validate.js';
import type { WebConnectivityKeys, Measurement } from '../../../model/measurement.js';

const lab = await startMiniLab(['www.site.test', 'blocked.test']);
const blockpage = http.createServer((_req, res) => res.end('<html><title>Access denied</title>This site is blocked by order.</html>'));
await new Promise<void>((r) => blockpage.listen(0, '127.0.0.1', () => r()));
after(async () => {
  blockpage.closeAllConnections();
  await new Promise((r) => blockpage.close(r));
  await lab.close();
});
const targets = { ...defaultTargets(), web: [] };

async function wc(url: string, env = lab.cleanEnv, over = {}): Promise<Measurement<WebConnectivityKeys>> {
  const m = await runExperiment('web_connectivity', url, lab.ctx(env, targets, over));
  const v = validateMeasurement(m);
  assert.ok(v.ok, v.ok ? '' : v.error);
  return m as Measurement<WebConnectivityKeys>;
}

test('https site reachable: consistent, accessible, envelope per DESIGN.md §2', async () => {
  const m = await wc('https://www.site.test/');
  const k = m.test_keys;
  assert.equal(k.control_failure, null);
  assert.equal(k.dns_consistency, 'consistent');
  assert.equal(k.http_experiment_failure, null);
  assert.equal(k.body_length_match, true);
  assert.equal(k.status_code_match, true);
  assert.equal(k.title_match, true);
  assert.equal(k.headers_match, true);
  assert.equal(k.blocking, false);
  assert.equal(k.accessible, true);
  assert.equal(k.tls_handshakes![0].server_name, 'www.site.test');
  assert.equal(k.tcp_connect![0].port, 443);
  assert.equal(k.control!.http_request!.status_code, 200);
  assert.equal(m.probe_ip, '127.0.0.1');
  assert.equal(m.software_name, 'vigil-probe');
  assert.equal(m.measurement_start_time, '2026-01-05 15:05:00');
  assert.equal(m.annotations!.probe_id, 'probe-test');
  assert.equal(m.probe_asn, 'AS64512');
});

test('http site reachable', async () => {
  const k = (await wc('http://www.site.test/')).test_keys;
  assert.equal(k.blocking, false);
  assert.equal(k.accessible, true);
  assert.equal(k.body_proportion, 1);
});

test('DNS lie to an address that refuses: blocking dns', async () => {
  const env = await lab.probeEnv((n) => (n === 'blocked.test' ? { addrs: ['127.0.0.2'] } : undefined));
  const k = (await wc('https://blocked.test/', { ...env, ports: { http: lab.httpPort, https: lab.httpsPort } })).test_keys;
  assert.equal(k.dns_consistency, 'inconsistent');
  assert.equal(k.blocking, 'dns');
  assert.equal(k.accessible, false);
  assert.equal(k.tcp_connect![0].status.failure, 'connection_refused');
});

test('DNS injection: forged then real reply, both recorded, verdict dns', async () => {
  const env = await lab.probeEnv((n) => (n === 'blocked.test' ? { forged: ['127.0.0.2'], addrs: ['127.0.0.1'], lagMs: 5 } : undefined));
  const k = (await wc('https://blocked.test/', env)).test_keys;
  assert.equal(k.blocking, 'dns');
  const q = k.queries![0];
  assert.equal(q.x_all_replies!.length, 2);
  assert.equal(q.answers![0].ipv4, '127.0.0.2');
});

test('NXDOMAIN here but not at the control: blocking dns', async () => {
  const env = await lab.probeEnv((n) => (n === 'blocked.test' ? { rcode: 'NXDOMAIN' } : undefined));
  const k = (await wc('http://blocked.test/', env)).test_keys;
  assert.equal(k.dns_experiment_failure, 'dns_nxdomain_error');
  assert.equal(k.dns_consistency, 'inconsistent');
  assert.equal(k.blocking, 'dns');
});

test('site that exists nowhere: not blocking', async () => {
  const k = (await wc('http://gone.test/')).test_keys;
  assert.equal(k.dns_experiment_failure, 'dns_nxdomain_error');
  assert.equal(k.dns_consistency, 'consistent');
  assert.equal(k.blocking, false);
});

test('block page over http: http-diff', async () => {
  const port = (blockpage.address() as AddressInfo).port;
  const k = (await wc('http://blocked.test/', { ...lab.cleanEnv, ports: { http: port, https: lab.httpsPort } })).test_keys;
  assert.equal(k.dns_consistency, 'consistent');
  assert.equal(k.body_length_match, false);
  assert.equal(k.title_match, false);
  assert.equal(k.blocking, 'http-diff');
  assert.equal(k.accessible, false);
});

test('control helper unreachable: control_failure, nothing concluded, run goes on', async () => {
  const k = (await wc('https://www.site.test/', lab.cleanEnv, { helperUrl: 'http://127.0.0.1:9/' })).test_keys;
  assert.equal(k.control_failure, 'connection_refused');
  assert.equal(k.control, null);
  assert.equal(k.blocking, null);
  assert.equal(k.accessible, null);
  assert.equal(k.http_experiment_failure, null);
  assert.equal(k.requests![0].response!.code, 200);
});

test('bad input throws a VigilError, not a crash', async () => {
  await assert.rejects(runExperiment('web_connectivity', 'not a url', lab.ctx(lab.cleanEnv, targets)), /not a URL/);
});
