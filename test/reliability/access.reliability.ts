// Access end to end on `vigil serve` as a process (issue 9 §4): HTTPS from certificate files,
// `--auth tokens` with a registered per-probe token, the admin token from a file, token
// revocation — and no probe address anywhere: the client connects from 127.0.0.99, and the test
// greps the DuckDB file, its WAL and every line the server logged for that address.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki } from '../../src/netx/testing/pki.js';
import { ENTRY, child, measurement, type Child, type Res } from './support.js';

const CLIENT = '127.0.0.99';
const ADMIN = 'reliability-admin-token-9f8e7d6c5b4a';
const dir = mkdtempSync(join(tmpdir(), 'vigil-access-'));
let server: Child | null = null;
after(async () => {
  await server?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

test('vigil serve --tls-cert/--tls-key --auth tokens: HTTPS, tokens, admin, and no client address stored or logged', { timeout: 120_000 }, async () => {
  const pki = makePki(['collector.test']);
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), admin: join(dir, 'admin.token') };
  writeFileSync(files.cert, pki.certPem);
  writeFileSync(files.key, pki.keyPem);
  writeFileSync(files.admin, ADMIN + '\n');
  const db = join(dir, 'access.duckdb');
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--port', '0', '--db', db, '--log', '--detect-every', '100ms',
    '--auth', 'tokens', '--admin-token-file', files.admin, '--tls-cert', files.cert, '--tls-key', files.key], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', () => { const m = /listening on (https:\/\/[^\s]+\/)/.exec(out); if (m) resolve(m[1]); });
    proc.on('exit', (c) => reject(new Error(`exit ${c}: ${err}`)));
  });
  server = child(proc, url, () => out, () => err);
  const port = Number(new URL(url).port);
  const seen = new Set<string>();
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => new Promise<Res>((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest({
      host: '127.0.0.1', port, path, method, localAddress: CLIENT, ca: pki.caPem, servername: 'collector.test',
      headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      seen.add(res.socket.localAddress ?? '');
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => { let json: unknown; try { json = JSON.parse(text); } catch { json = undefined; } resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json }); });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });

  assert.equal((await call('POST', '/api/v1/measurements', measurement('acc', 0))).status, 401);
  const reg = await call('POST', '/api/v1/probes/register');
  assert.equal(reg.status, 201, reg.text);
  const auth = { authorization: `Bearer ${reg.json.token}` };
  const up = await call('POST', '/api/v1/measurements', { measurements: [0, 1, 2, 3, 4].map((i) => measurement('acc', i, { probe_ip: CLIENT, resolver_ip: CLIENT })) }, auth);
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.accepted, 5);
  assert.equal((await call('GET', '/api/v1/geolookup')).status, 200);
  assert.equal((await call('POST', '/api/v1/admin/detect', undefined, { authorization: 'Bearer wrong-wrong-wrong' })).status, 403);
  assert.equal((await call('POST', '/api/v1/admin/detect', undefined, { authorization: `Bearer ${ADMIN}` })).status, 200);
  assert.equal((await call('DELETE', `/api/v1/probes/${reg.json.probe_id}/token`, undefined, { authorization: `Bearer ${ADMIN}` })).status, 204);
  assert.equal((await call('POST', '/api/v1/measurements', measurement('acc', 9), auth)).status, 401, 'revoked');
  assert.deepEqual([...seen], [CLIENT], 'the client really connected from its own address');
  assert.equal(await server.stop(), 0, err);
  server = null;

  // the logs: requests were logged (positive control), the address never
  assert.match(out, /"url":"\/api\/v1\/measurements"/);
  for (const l of (out + err).split('\n')) assert.ok(!l.includes(CLIENT), `the client address is in the logs: ${l}`);
  assert.ok(!out.includes(reg.json.token) && !err.includes(reg.json.token), 'a token is in the logs');
  // the store: stored text is plainly visible in the file (positive control), the address is not
  const bytes = [db, `${db}.wal`].filter(existsSync).map((f) => readFileSync(f));
  assert.ok(bytes.some((b) => b.includes('acc-1')), 'stored measurements are visible in the file');
  for (const b of bytes) {
    assert.ok(!b.includes(CLIENT), 'the client address is in the store');
    assert.ok(!b.includes(reg.json.token), 'a plaintext token is in the store');
  }
  console.log(`access: HTTPS + tokens + admin via vigil serve; client ${CLIENT}: 0 occurrences in ${bytes.length} store file(s) and ${out.split('\n').length} log lines; token stored only as an HMAC`);
});
