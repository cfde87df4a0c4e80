import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Outbox, ioError } from './outbox.js';
import { uploadOutbox, backoffMs } from './uploader.js';
import { runProbe } from './runner.js';
import { startMiniLab } from './testing/minilab.js';
import { measurementUid } from '../model/uid.js';
import { validateMeasurement } from '../model/validate.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-outbox-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirN = 0;
const newDir = () => join(root, `o${dirN++}`);

const fake = (i: number) => ({ report_id: 'r', input: `https://s${i}.test/`, measurement_start_time: '2026-01-05 15:05:00', test_name: 'web_connectivity', test_keys: {} });

// A real collector stand-in speaking DESIGN.md §6's ingest contract; it counts every arrival.
async function collector(port = 0, opts: { rejectInput?: string } = {}) {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      let accepted = 0;
      let duplicates = 0;
      const rejected: Array<{ index: number; error: string }> = [];
      body.measurements.forEach((m: any, index: number) => {
        if (opts.rejectInput && m.input === opts.rejectInput) return rejected.push({ index, error: 'invalid: test says so' });
        const uid = measurementUid(m);
        const seen = arrivals.get(uid) ?? 0;
        arrivals.set(uid, seen + 1);
        if (seen) duplicates++;
        else accepted++;
      });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ accepted, duplicates, rejected }));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    arrivals,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

test('put is durable and idempotent; a crashed temp write is cleaned up on open', async () => {
  const dir = newDir();
  const ob = await Outbox.open(dir);
  const a = await ob.put(fake(1));
  assert.ok(a);
  assert.equal(await ob.put(fake(1)), null, 'same uid twice is one file');
  await ob.put(fake(2));
  // a crash mid-write leaves a temp file and no final file
  writeFileSync(join(dir, '.tmp-deadbeef'), '{"report_id":"r","inp');
  const again = await Outbox.open(dir);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.tmp-')), []);
  assert.equal(await again.count(), 2);
  assert.deepEqual(await again.read(a!), fake(1));
  assert.equal(await again.put(fake(2)), null, 'uids survive reopening');
});

test('a damaged file moves to rejected/ instead of stopping uploads', async () => {
  const dir = newDir();
  const ob = await Outbox.open(dir);
  await ob.put(fake(1));
  writeFileSync(join(dir, '00000000000000-000000-broken.json'), '{"trunc');
  const c = await collector();
  try {
    const r = await uploadOutbox(ob, c.url);
    assert.equal(r.failure, null);
    assert.equal(r.accepted, 1);
    assert.equal(await ob.count(), 0);
    assert.ok(readdirSync(join(dir, 'rejected')).includes('00000000000000-000000-broken.json'));
  } finally {
    await c.close();
  }
});

test('rejected measurements move aside with the reason; the rest are deleted', async () => {
  const ob = await Outbox.open(newDir());
  for (let i = 0; i < 5; i++) await ob.put(fake(i));
  const c = await collector(0, { rejectInput: 'https://s3.test/' });
  try {
    const r = await uploadOutbox(ob, c.url, { batchSize: 2 });
    assert.deepEqual([r.accepted, r.duplicates, r.rejected, r.failure], [4, 0, 1, null]);
    assert.equal(await ob.count(), 0);
    const rej = readdirSync(ob.rejectedDir);
    assert.equal(rej.filter((n) => n.endsWith('.json')).length, 1);
    const reason = rej.find((n) => n.endsWith('.reason.txt'))!;
    assert.match(readFileSync(join(ob.rejectedDir, reason), 'utf8'), /test says so/);
  } finally {
    await c.close();
  }
});

test('collector down: nothing is deleted, the failure is reported', async () => {
  const ob = await Outbox.open(newDir());
  await ob.put(fake(1));
  const r = await uploadOutbox(ob, 'http://127.0.0.1:9');
  assert.match(String(r.failure), /unreachable/);
  assert.equal(await ob.count(), 1);
});

test('a full disk is a clear IO error (a real ENOSPC from /dev/full)', () => {
  let err: unknown;
  const fd = openSync('/dev/full', 'w');
  try {
    writeSync(fd, 'x'.repeat(10));
  } catch (e) {
    err = e;
  } finally {
    closeSync(fd);
  }
  assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  const v = ioError(err, 'write a measurement to the outbox');
  assert.equal(v.code, 'IO');
  assert.match(v.message, /^disk full: .*kept/);
});

test('backoff grows exponentially and is capped', () => {
  const mid = () => 0.5;
  assert.ok(backoffMs(0, 100, 10_000, mid) < backoffMs(3, 100, 10_000, mid));
  assert.equal(backoffMs(50, 100, 10_000, () => 1), 10_000);
});

test('collector down for several rounds, then up: every measurement arrives exactly once', async () => {
  const lab = await startMiniLab(['a.test', 'b.test']);
  // reserve a port, then leave it closed: the collector is "down"
  const down = await collector();
  const port = down.port;
  await down.close();
  let up: Awaited<ReturnType<typeof collector>> | null = null;
  const made: string[] = [];
  let failedUploads = 0;
  try {
    const ob = await Outbox.open(newDir());
    const out = join(root, 'run.jsonl');
    const sum = await runProbe({
      ctx: lab.ctx(lab.cleanEnv, { web: [{ url: 'https://a.test/' }, { url: 'http://b.test/' }] }),
      concurrency: 2,
      rounds: 4,
      intervalMs: 100,
      outFile: out,
      outbox: ob,
      collector: `http://127.0.0.1:${port}`,
      backoff: { baseMs: 10, capMs: 50 },
      finalDrainMs: 10_000,
      onEvent: (e) => {
        if (e.type === 'measurement') made.push(measurementUid(e.m));
        if (e.type === 'upload' && e.report.failure) failedUploads++;
        // the collector comes back after the third round
        if (e.type === 'round' && e.round === 3) void collector(port).then((c) => (up = c));
      },
    });
    assert.equal(sum.rounds, 4);
    assert.equal(made.length, 8);
    assert.equal(new Set(made).size, 8, 'each round has its own report_id, so its own uids');
    assert.ok(failedUploads >= 2, `uploads failed while down (${failedUploads})`);
    assert.equal(sum.pending, 0);
    assert.equal(await ob.count(), 0);
    const c = up as unknown as Awaited<ReturnType<typeof collector>>;
    assert.ok(c, 'collector came up');
    assert.deepEqual([...c.arrivals.keys()].sort(), [...made].sort());
    for (const [uid, n] of c.arrivals) assert.equal(n, 1, `${uid} arrived ${n} times`);
    // the JSONL copy has the same measurements, each valid
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 8);
    for (const l of lines) assert.ok(validateMeasurement(l).ok);
  } finally {
    await (up as unknown as { close(): Promise<void> } | null)?.close();
    await lab.close();
  }
});

test('against the real collector: an all-rejected batch (HTTP 400) and an oversized one (413) are set aside, not retried forever', async () => {
  const { createServer } = await import('../collect/server.js');
  const { openDuckDbStore } = await import('../store/duckdb/duckdb-store.js');
  const { envelope } = await import('../store/shared-suite.js');
  const store = await openDuckDbStore(join(root, 'real.duckdb'));
  const app = await createServer({ store, bodyLimit: 64 * 1024 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const ob = await Outbox.open(newDir());
    await ob.put({ ...envelope({ report_id: 'bad' }), probe_cc: 'not a country' });       // invalid
    await ob.put({ ...envelope({ report_id: 'huge' }), annotations: { pad: 'x'.repeat(100 * 1024) } }); // > body limit
    await ob.put(envelope({ report_id: 'good' }));
    const r = await uploadOutbox(ob, url, { batchSize: 1 });
    assert.equal(r.failure, null);
    assert.deepEqual([r.accepted, r.rejected], [1, 2]);
    assert.equal(await ob.count(), 0);
    assert.equal(readdirSync(ob.rejectedDir).filter((n) => n.endsWith('.json')).length, 2);
    assert.equal(await store.countMeasurements(), 1);
  } finally {
    await app.close();
    await store.close();
  }
});
