// The IM experiments and vigil_throughput against real servers on loopback (minilab).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMiniLab } from '../testing/minilab.js';
import { runExperiment } from '../registry.js';
import { validateMeasurement } from '../../model/validate.js';
import type { Targets } from '../targets.js';
import type { NetEnv } from '../../netx/env.js';

const names = ['v.whatsapp.test', 'web.whatsapp.test', 'e1.whatsapp.test', 'e2.whatsapp.test', 'stun.fb.test', 'b-api.fb.test', 'web.telegram.test', 'chat.signal.test', 'cdn.signal.test', 'video.test', 'control.test'];
const lab = await startMiniLab(names);
const big = 'x'.repeat(64 * 1024);
lab.pages.set('video.test', { status: 200, body: big });
lab.pages.set('control.test', { status: 200, body: big });
// a throttled CDN: the same 64 KiB in 4 pieces, 100 ms apart
const slow = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Length': String(big.length) });
  let i = 0;
  const step = () => {
    res.write(big.slice(i * 16384, (i + 1) * 16384));
    if (++i < 4) setTimeout(step, 100);
    else res.end();
  };
  step();
});
await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
after(async () => {
  slow.closeAllConnections();
  await new Promise((r) => slow.close(r));
  await lab.close();
});

const targets: Targets = {
  web: [],
  whatsapp: { registration_url: 'https://v.whatsapp.test/v2/register', web_url: 'https://web.whatsapp.test/', endpoints: ['e1.whatsapp.test:443', 'e2.whatsapp.test:5222'] },
  facebook_messenger: { services: { stun: 'stun.fb.test', b_api: 'b-api.fb.test' }, port: 443, expected_prefixes: ['127.0.0.1/32'] },
  telegram: { dcs: ['127.0.0.1'], ports: [80, 443], web_url: 'https://web.telegram.test/' },
  signal: { urls: ['https://chat.signal.test/', 'https://cdn.signal.test/'], dns_hosts: ['chat.signal.test'] },
  throughput: [{ target: 'youtube', url: 'http://video.test/blob', control_url: 'http://control.test/blob' }],
};

async function run(name: string, env: NetEnv, t: Targets = targets, input: string | null = null) {
  const m = await runExperiment(name, input, lab.ctx(env, t));
  const v = validateMeasurement(m);
  assert.ok(v.ok, v.ok ? '' : v.error);
  assert.equal(m.test_name, name);
  return m.test_keys as Record<string, any>;
}

const lies = (hosts: RegExp, addr = '127.0.0.2') => lab.probeEnv((n) => (hosts.test(n) ? { addrs: [addr] } : undefined));
const nx = (hosts: RegExp) => lab.probeEnv((n) => (hosts.test(n) ? { rcode: 'NXDOMAIN' } : undefined));

test('whatsapp: ok, with one endpoint down (not all) still ok', async () => {
  const k = await run('whatsapp', lab.cleanEnv);
  assert.equal(k.registration_server_status, 'ok');
  assert.equal(k.whatsapp_web_status, 'ok');
  assert.deepEqual(k.whatsapp_endpoints_blocked, ['e2.whatsapp.test']); // port 5222: nothing listens
  assert.equal(k.whatsapp_endpoints_status, 'ok');
});

test('whatsapp: everything NXDOMAIN → blocked', async () => {
  const k = await run('whatsapp', await nx(/whatsapp/));
  assert.equal(k.registration_server_status, 'blocked');
  assert.equal(k.registration_server_failure, 'dns_nxdomain_error');
  assert.equal(k.whatsapp_web_status, 'blocked');
  assert.equal(k.whatsapp_endpoints_status, 'blocked');
  assert.equal(k.whatsapp_endpoints_blocked.length, 2);
});

test('facebook_messenger: consistent and reachable', async () => {
  const k = await run('facebook_messenger', lab.cleanEnv);
  assert.equal(k.facebook_stun_dns_consistent, true);
  assert.equal(k.facebook_b_api_reachable, true);
  assert.equal(k.facebook_dns_blocking, false);
  assert.equal(k.facebook_tcp_blocking, false);
});

test('facebook_messenger: a DNS lie outside Facebook space is DNS blocking', async () => {
  const k = await run('facebook_messenger', await lies(/b-api/));
  assert.equal(k.facebook_b_api_dns_consistent, false);
  assert.equal(k.facebook_stun_dns_consistent, true);
  assert.equal(k.facebook_dns_blocking, true);
  assert.equal(k.facebook_tcp_blocking, false);
});

test('facebook_messenger: consistent DNS, port closed → TCP blocking', async () => {
  const k = await run('facebook_messenger', lab.cleanEnv, { ...targets, facebook_messenger: { ...targets.facebook_messenger!, port: 9 } });
  assert.equal(k.facebook_stun_reachable, false);
  assert.equal(k.facebook_tcp_blocking, true);
});

test('telegram: DCs answer the POST, web ok', async () => {
  // logical 443 maps to the lab's TLS port, where a plain POST fails: port 80 alone keeps it unblocked
  const k = await run('telegram', lab.cleanEnv);
  assert.equal(k.telegram_tcp_blocking, false);
  assert.equal(k.telegram_http_blocking, false);
  assert.equal(k.telegram_web_status, 'ok');
});

test('telegram: DCs unreachable and web blocked', async () => {
  const env = await nx(/telegram/);
  const k = await run('telegram', env, { ...targets, telegram: { ...targets.telegram!, dcs: ['127.0.0.2'] } });
  assert.equal(k.telegram_tcp_blocking, true);
  assert.equal(k.telegram_http_blocking, true);
  assert.equal(k.telegram_web_status, 'blocked');
  assert.equal(k.telegram_web_failure, 'dns_nxdomain_error');
});

test('signal: ok with the pinned CA from the targets; unknown authority without it', async () => {
  const env = { ...lab.cleanEnv, ca: undefined };
  const ok = await run('signal', env, { ...targets, signal: { ...targets.signal!, ca: [lab.pki.caPem] } });
  assert.equal(ok.signal_backend_status, 'ok');
  assert.equal(ok.signal_backend_failure, null);
  const bad = await run('signal', env);
  assert.equal(bad.signal_backend_status, 'blocked');
  assert.equal(bad.signal_backend_failure, 'ssl_unknown_authority');
});

test('vigil_throughput: both rates measured; a 100x slower target reads as throttled', async () => {
  const k = await run('vigil_throughput', lab.cleanEnv, targets, 'youtube');
  assert.equal(k.samples.length, 2);
  assert.equal(k.samples[0].bytes, 64 * 1024);
  assert.ok(k.target_rate_kbps > 0 && k.control_rate_kbps > 0);
  assert.equal(typeof k.rate_ratio, 'number');
  const port = (slow.address() as AddressInfo).port;
  const t = { ...targets, throughput: [{ target: 'youtube', url: `http://127.0.0.1:${port}/blob`, control_url: 'http://control.test/blob' }] };
  const s = await run('vigil_throughput', lab.cleanEnv, t, 'youtube');
  assert.equal(s.samples[0].bytes, 64 * 1024);
  assert.ok(s.samples[0].duration_s >= 0.3);
  assert.equal(s.throttled, true);
});
