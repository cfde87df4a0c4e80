import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../main.js';
import { startMiniLab } from '../../probe/testing/minilab.js';
import { validateMeasurement } from '../../model/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-probe-cli-'));
const lab = await startMiniLab(['www.site.test', 'web.telegram.test']);
after(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

async function vigil(...argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let so = '';
  let se = '';
  out.on('data', (d) => (so += d));
  err.on('data', (d) => (se += d));
  const code = await main(argv, { stdout: out, stderr: err, env: {}, isTTY: false });
  return { code, stdout: so, stderr: se };
}

test('usage errors: one line, exit 2', async () => {
  for (const argv of [['probe'], ['probe', '--out', 'x', '--once', '--interval', '5m'], ['probe', '--out', 'x', '--concurrency', 'lots'], ['probe', '--out', 'x', '--resolver', 'nope'], ['probe', '--out', 'x', '--only', 'ping'], ['probe', '--out', 'x', '--whoami', 'not a zone!']]) {
    const r = await vigil(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('an unreadable or malformed --token-file: one clear line, exit 2', async () => {
  const r = await vigil('probe', '--collector', 'http://127.0.0.1:9', '--token-file', join(dir, 'missing-token'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--token-file: cannot read/);
  const bad = join(dir, 'token');
  writeFileSync(bad, 'not a token with spaces\n');
  const r2 = await vigil('probe', '--collector', 'http://127.0.0.1:9', '--token-file', bad);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr.trim().split('\n').length, 1);
});

test('a malformed targets file: one clear line, exit 2', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"web":[{"url":"gopher://x"}]}');
  const r = await vigil('probe', '--once', '--out', join(dir, 'x.jsonl'), '--targets', bad, '--cc', 'ZZ', '--asn', '0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json: \/web\/0\/url/);
  const nojson = join(dir, 'nojson.json');
  writeFileSync(nojson, '{nope');
  assert.equal((await vigil('probe', '--once', '--out', join(dir, 'x.jsonl'), '--targets', nojson)).code, 2);
});

test('probe --once --out against local servers writes valid JSONL', async () => {
  const targets = join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify({
    web: [{ url: 'https://www.site.test/' }, { url: 'http://www.site.test/' }],
    telegram: { dcs: ['127.0.0.1'], ports: [80], web_url: 'https://web.telegram.test/' },
  }));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, lab.pki.caPem);
  const env = lab.cleanEnv;
  const resolver = env.resolver.kind === 'udp' ? `${env.resolver.address}:${env.resolver.port}` : '';
  const out = join(dir, 'out.jsonl');
  const r = await vigil('probe', '--once', '--out', out, '--targets', targets, '--helper', lab.helperUrl, '--resolver', resolver,
    '--ca', ca, '--http-port', String(lab.httpPort), '--https-port', String(lab.httpsPort), '--loopback-normal',
    '--cc', 'VE', '--asn', '8048', '--network', 'CANTV', '--probe-id', 'p1', '--concurrency', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^3 measurements in 1 round/);
  const ms = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(ms.length, 3);
  for (const m of ms) {
    assert.ok(validateMeasurement(m).ok);
    assert.equal(m.probe_cc, 'VE');
    assert.equal(m.probe_asn, 'AS8048');
    assert.equal(m.annotations.probe_id, 'p1');
  }
  const wc = ms.filter((m) => m.test_name === 'web_connectivity');
  assert.equal(wc.length, 2);
  for (const m of wc) assert.equal(m.test_keys.blocking, false);
  assert.equal(ms.find((m) => m.test_name === 'telegram').test_keys.telegram_web_status, 'ok');
});

test('probe --prefix-table: without a collector, the probe places itself from its own database', async () => {
  const targets = join(dir, 'targets-geo.json');
  writeFileSync(targets, JSON.stringify({ web: [{ url: 'http://www.site.test/' }] }));
  const table = join(dir, 'prefixes.tsv');
  writeFileSync(table, '127.0.0.0/8\t64555\tVE\tLab Net\n');
  const env = lab.cleanEnv;
  const resolver = env.resolver.kind === 'udp' ? `${env.resolver.address}:${env.resolver.port}` : '';
  const out = join(dir, 'out-geo.jsonl');
  const r = await vigil('probe', '--once', '--out', out, '--targets', targets, '--resolver', resolver, '--local-address', '127.0.0.1',
    '--http-port', String(lab.httpPort), '--loopback-normal', '--prefix-table', table, '--probe-id', 'p2');
  assert.equal(r.code, 0, r.stderr);
  const [m] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(m.probe_asn, 'AS64555');
  assert.equal(m.probe_cc, 'VE');
  assert.equal(m.probe_network_name, 'Lab Net');
  assert.equal(m.probe_ip, '127.0.0.1');
  assert.match(m.annotations.vigil_location_source, /^geo:/);
});
