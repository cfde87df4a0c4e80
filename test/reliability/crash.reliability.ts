// Crash safety of the collector (issue 9 §2): `vigil serve` as a child process under heavy
// concurrent ingest is killed with SIGKILL mid-way, three times, and restarted on the same DuckDB
// file each time. Every measurement it acknowledged (a 2xx answer received) must be stored
// exactly once, the file must open, and nothing half-written may be visible: no observation
// without its measurement, ever; a measurement without its observations only for a batch whose
// answer never arrived, and gone once the client re-sends it (as the probe's outbox does).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { DuckDBInstance } from '@duckdb/node-api';
import { startServe, http, measurement, uidOf, sleep, type Child } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
const db = join(dir, 'crash.duckdb');
const CLIENTS = 16;
const BATCH = 50;
const CYCLES = 3;
let server: Child | null = null;
after(async () => {
  await server?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const acked = new Set<string>();
/** batches sent whose answer never came (the server died first): the client still holds them */
const unanswered: Array<Record<string, unknown>[]> = [];

async function sql<T = Record<string, unknown>>(q: string): Promise<T[]> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(q)).getRowObjectsJS() as T[];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

/** Clients post batches until the server dies; each remembers what was acknowledged. */
async function drive(url: string, cycle: number): Promise<{ batches: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  let batches = 0;
  let dead = false;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let b = 0; !dead; b++) {
      const items = Array.from({ length: BATCH }, (_, i) => measurement(`k${cycle}-c${c}`, b * BATCH + i));
      try {
        const r = await http(`${url}api/v1/measurements`, 'POST', { measurements: items }, { agent });
        if (r.status === 429) { await sleep(50); b--; continue; }
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.accepted + r.json.duplicates, BATCH, r.text);
        for (const m of items) acked.add(uidOf(m));
        batches++;
      } catch {
        dead = true;
        unanswered.push(items);
      }
    }
  }));
  agent.destroy();
  return { batches };
}

test('kill -9 under concurrent ingest, three times: acknowledged rows stored once, nothing half-written', { timeout: 240_000 }, async () => {
  const figures: string[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    server = await startServe(['--db', db, '--no-detect', '--rate-per-address', '0']);
    const s = server;
    const before = acked.size;
    // the killer: once enough has been acknowledged in this cycle, SIGKILL in the middle of it
    const killer = (async () => {
      while (acked.size - before < 3000) await sleep(20);
      await s.kill9();
    })();
    const r = await drive(s.url, cycle);
    await killer;
    figures.push(`cycle ${cycle + 1}: ${r.batches} batches acknowledged, ${unanswered.length} unanswered so far`);

    // the file opens after the crash (the WAL is replayed), and holds every acknowledged uid once
    const [counts] = await sql<{ m: bigint; dup: bigint; orphanObs: bigint }>(`SELECT
      (SELECT count(*) FROM measurements) AS m,
      (SELECT count(*) FROM (SELECT uid FROM measurements GROUP BY uid HAVING count(*) > 1)) AS dup,
      (SELECT count(*) FROM observations o WHERE NOT EXISTS (SELECT 1 FROM measurements m WHERE m.uid = o.uid)) AS orphanObs`);
    assert.equal(Number(counts.dup), 0, 'a uid stored twice');
    assert.equal(Number(counts.orphanObs), 0, 'an observation without its measurement');
    const stored = new Set((await sql<{ uid: string }>('SELECT uid FROM measurements')).map((x) => x.uid));
    const lost = [...acked].filter((u) => !stored.has(u));
    assert.deepEqual(lost.slice(0, 5), [], `${lost.length} acknowledged measurements lost`);
    // measurements without observations: only ones whose answer never came
    const pendingUids = new Set(unanswered.flat().map(uidOf));
    const bare = (await sql<{ uid: string }>('SELECT uid FROM measurements m WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.uid = m.uid)')).map((x) => x.uid);
    assert.deepEqual(bare.filter((u) => !pendingUids.has(u)), [], 'an acknowledged measurement without its observations');
    figures.push(`  after restart: ${Number(counts.m)} rows, ${acked.size} acknowledged all present, 0 duplicated, 0 orphan observations, ${bare.length} bare rows among unanswered`);
  }

  // restart once more; the clients re-send what was never answered, as the probe's outbox does
  server = await startServe(['--db', db, '--no-detect', '--rate-per-address', '0']);
  for (const items of unanswered.splice(0)) {
    const r = await http(`${server.url}api/v1/measurements`, 'POST', { measurements: items });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepted + r.json.duplicates, items.length);
    for (const m of items) acked.add(uidOf(m));
  }
  const h = await http(`${server.url}api/v1/healthz`, 'GET');
  assert.equal(h.status, 200);
  const total = await http(`${server.url}api/v1/measurements?limit=1`, 'GET');
  assert.equal(total.json.total, acked.size);
  assert.equal(await server.stop(), 0, server.err());
  server = null;
  const [end] = await sql<{ m: bigint; bare: bigint; orphan: bigint }>(`SELECT (SELECT count(*) FROM measurements) AS m,
    (SELECT count(*) FROM measurements m WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.uid = m.uid)) AS bare,
    (SELECT count(*) FROM observations o WHERE NOT EXISTS (SELECT 1 FROM measurements m WHERE m.uid = o.uid)) AS orphan`);
  assert.equal(Number(end.m), acked.size);
  assert.equal(Number(end.bare), 0, 're-sending completed every half-written measurement');
  assert.equal(Number(end.orphan), 0);
  console.log(['crash safety:', ...figures, `  end: ${acked.size} measurements acknowledged, ${Number(end.m)} stored, rows lost: 0, duplicated: 0, half-written: 0`].join('\n'));
});
