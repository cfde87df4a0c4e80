// The probe side of crash safety (issue 9 §2):
//   - `vigil probe --collector` (a child process) is killed with SIGKILL while it uploads — at
//     the worst moment, after the collector stored a batch and before the probe read the answer —
//     and started again: every measurement in its outbox ends up stored exactly once, the outbox
//     empties, nothing is rejected.
//   - the outbox on a full disk (a 256 KiB tmpfs, as root) fails with a clear "disk full" error
//     and keeps every measurement it had, intact; freeing space lets it go on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../src/collect/server.js';
import { geolookupRoute } from '../../src/collect/routes/geolookup.js';
import { openGeo } from '../../src/geo/lookup.js';
import { ingest } from '../../src/ingest/pipeline.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { Outbox } from '../../src/probe/outbox.js';
import { ENTRY, measurement, uidOf } from './support.js';
import { isVigilError } from '../../src/model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-probe-rel-'));
const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 the probe while it uploads, start it again: nothing lost, nothing doubled', { timeout: 120_000 }, async () => {
  const N = 1000;
  const store: Store = await openDuckDbStore(join(dir, 'probe.duckdb'));
  cleanup.push(() => store.close());
  let batches = 0;
  let victim: ReturnType<typeof spawn> | null = null;
  let killedAt = -1;
  let duplicates = 0;
  const app: FastifyInstance = await createServer({
    store,
    routes: [geolookupRoute(await openGeo({}))],
    ingest: async (s, items) => {
      const r = await ingest(s, items);
      duplicates += r.duplicates;
      // the worst moment: stored, answer not yet sent — the probe dies before it can ack
      if (++batches === 4 && victim) {
        killedAt = batches;
        victim.kill('SIGKILL');
        await once(victim, 'exit');
      }
      return r;
    },
  });
  cleanup.push(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const outboxDir = join(dir, 'outbox');
  const ob = await Outbox.open(outboxDir);
  const uids = new Set<string>();
  for (let i = 0; i < N; i++) {
    const m = measurement('probe-kill', i);
    await ob.put(m);
    uids.add(uidOf(m));
  }
  const targets = join(dir, 'targets.json');
  writeFileSync(targets, '{"web": []}');
  const args = ['probe', '--once', '--collector', url, '--outbox', outboxDir, '--targets', targets, '--only', 'web_connectivity',
    '--cc', 'VE', '--asn', '8048', '--network', 'CANTV', '--probe-id', 'p-kill'];
  const run = () => {
    const p = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    return { p, err: () => err };
  };

  const first = run();
  victim = first.p;
  const [, signal] = await once(first.p, 'exit');
  assert.equal(signal, 'SIGKILL', `the probe ended on its own: ${first.err()}`);
  assert.equal(killedAt, 4);
  const left = readdirSync(outboxDir).filter((n) => n.endsWith('.json')).length;
  assert.ok(left > 0 && left < N, `outbox after the kill: ${left}`);
  assert.ok((await store.countMeasurements()) >= N - left, 'the batch stored before the kill is in the store');

  victim = null;
  const second = run();
  const [code] = await once(second.p, 'exit');
  assert.equal(code, 0, second.err());
  assert.deepEqual(readdirSync(outboxDir).filter((n) => n.endsWith('.json')), [], 'outbox drained');
  assert.deepEqual(readdirSync(join(outboxDir, 'rejected')), [], 'nothing rejected');
  const stored = (await store.measurements({ limit: 10_000 })).map((m) => m.uid);
  assert.equal(stored.length, N, 'each measurement stored once');
  assert.deepEqual(new Set(stored), uids);
  assert.ok(duplicates >= 100, `the batch whose answer was lost came back as ${duplicates} duplicates, not new rows`);
  console.log(`probe kill: ${N} measurements in the outbox, probe killed after batch 4 was stored, ${left} left on disk; after restart ${stored.length} stored once, ${duplicates} re-sent as duplicates, lost 0`);
});

const root = process.getuid?.() === 0;
test('the outbox on a full disk: a clear error, and what it had is kept', { skip: !root && !process.env.CI ? 'needs root to mount a tmpfs' : false }, async () => {
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
  cleanup.push(() => { execFileSync('umount', ['-l', mnt]); });
  const ob = await Outbox.open(join(mnt, 'outbox'));
  const put: Array<Record<string, unknown>> = [];
  let error: unknown = null;
  for (let i = 0; i < 10_000 && !error; i++) {
    const m = measurement('full', i, { test_keys: { accessible: true, blocking: false, queries: [], requests: [], pad: 'x'.repeat(3000) } });
    try {
      await ob.put(m);
      put.push(m);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error, 'the disk never filled');
  assert.ok(isVigilError(error) && error.code === 'IO', String(error));
  assert.match((error as Error).message, /^disk full: cannot write a measurement to the outbox; measurements already in the outbox are kept$/);
  // every file written before is whole and parses; no temp file left behind
  const names = readdirSync(join(mnt, 'outbox'));
  assert.deepEqual(names.filter((n) => n.startsWith('.tmp-')), []);
  const files = await ob.list();
  assert.equal(files.length, put.length);
  const back = new Set(files.map((n) => uidOf(JSON.parse(readFileSync(join(mnt, 'outbox', n), 'utf8')))));
  assert.deepEqual(back, new Set(put.map(uidOf)));
  // a reopened outbox sees the same; once some are acknowledged, writing works again
  const again = await Outbox.open(join(mnt, 'outbox'));
  assert.equal(await again.count(), put.length);
  for (const n of files.slice(0, 5)) await again.ack(n);
  assert.ok(await again.put(measurement('full', 99_999)));
  console.log(`outbox full disk: ${put.length} measurements written to a 256 KiB tmpfs, then "disk full"; all ${put.length} kept intact, 0 temp files left`);
});
