// `vigil serve` as a real process: starts, prints its URL, ingests over HTTP, serves the feed and
// metrics, runs detection on the way, and on SIGTERM finishes and checkpoints the store (the file reopens with the data).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { repoPath } from '../../model/paths.js';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { envelope } from '../../store/shared-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('vigil serve: listen, ingest, stop on SIGTERM with the store checkpointed', async () => {
  const db = join(dir, 'serve.duckdb');
  const child = spawn(process.execPath, [repoPath('bin', 'vigil'), 'serve', '--db', db, '--port', '0', '--detect-every', '50ms'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_FROM_SOURCE: '1' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const m = envelope({ report_id: 'serve-test' });
    const r = await fetch(`${url}api/v1/measurements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) });
    assert.deepEqual(await r.json(), { accepted: 1, duplicates: 0, rejected: [] });
    assert.equal((await fetch(`${url}api/v1/healthz`)).status, 200);
    const feed = await fetch(`${url}feed.atom`);
    assert.equal(feed.status, 200);
    assert.match(await feed.text(), /<feed/);
    assert.match(await (await fetch(`${url}metrics`)).text(), /vigil_measurements_ingested_total 1/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, err);
    assert.match(out, /collector stopped, store closed/);
    assert.doesNotMatch(err, /detection failed|internal error/, err); // detection ran at start and after ingest
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const s = await openDuckDbStore(db);
  assert.equal(await s.countMeasurements(), 1);
  await s.close();
});

test('vigil serve: a port that is taken is a clear NETWORK error, and the store is closed again', async () => {
  const net = await import('node:net');
  const { PassThrough } = await import('node:stream');
  const { default: serve } = await import('./serve.js');
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  const db = join(dir, 'busy.duckdb');
  try {
    const ctx = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, isTTY: false, verbose: false };
    await assert.rejects(serve.run(['--db', db, '--port', String(port), '--no-detect'], ctx),
      (e: Error & { code?: string }) => e.code === 'NETWORK' && /cannot listen on 127\.0\.0\.1:\d+/.test(e.message));
  } finally {
    blocker.close();
  }
  const s = await openDuckDbStore(db); // the lock was released
  await s.close();
  await assert.rejects(serve.run(['--port', 'eighty'], { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, isTTY: false, verbose: false }), /--port/);
});
