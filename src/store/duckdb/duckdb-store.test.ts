// The shared Store suite on a real DuckDB file, plus what is DuckDB's own: persistence across
// close/reopen, migrations of an older file, refusal of a newer one, read-only opening.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runStoreSuite, stored, T0 } from '../shared-suite.js';
import { openDuckDbStore } from './duckdb-store.js';
import { migrate, currentVersion, LATEST_VERSION } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-duckdb-'));
let n = 0;
const fresh = () => join(dir, `s${++n}.duckdb`);

runStoreSuite('duckdb', () => openDuckDbStore(fresh()));
after(() => rmSync(dir, { recursive: true, force: true }));

test('duckdb: data persists across close and reopen; close checkpoints', async () => {
  const path = fresh();
  const s = await openDuckDbStore(path);
  await s.insertMeasurements([stored('p1', T0), stored('p2', T0 + 1)]);
  await s.setState('k', 'v');
  await s.close();
  await s.close(); // idempotent
  await assert.rejects(s.countMeasurements(), /closed/);
  const again = await openDuckDbStore(path);
  assert.equal(await again.countMeasurements(), 2);
  assert.equal(await again.getState('k'), 'v');
  assert.deepEqual(await again.insertMeasurements([stored('p1', T0)]), { inserted: 0, duplicates: 1 });
  await again.close();
  const ro = await openDuckDbStore(path, { readOnly: true });
  assert.equal(await ro.countMeasurements(), 2);
  await assert.rejects(ro.insertMeasurements([stored('p3', T0)]), /read-only/);
  await ro.close();
});

test('duckdb: an older file is migrated forward at open and keeps its rows', async () => {
  const path = fresh();
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  assert.equal(await migrate(c, 1), 1);
  await c.run(`INSERT INTO measurements VALUES ('old', ${T0}, 'VE', 8048, 'CANTV', 'p', 'web_connectivity', NULL, '{"x":1}')`);
  c.closeSync();
  inst.closeSync();
  const s = await openDuckDbStore(path);
  assert.deepEqual(await s.measurement('old'), { x: 1 });
  await s.close();
  const inst2 = await DuckDBInstance.create(path);
  const c2 = await inst2.connect();
  assert.equal(await currentVersion(c2), LATEST_VERSION);
  const r = await c2.runAndReadAll('SELECT version FROM schema_version ORDER BY version');
  assert.deepEqual(r.getRowObjectsJS().map((x) => Number(x.version)), Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  // a file from a newer Vigil is refused, not guessed at
  await c2.run(`INSERT INTO schema_version VALUES (${LATEST_VERSION + 1}, 'future', now())`);
  c2.closeSync();
  inst2.closeSync();
  await assert.rejects(openDuckDbStore(path), /newer than this Vigil/);
});

test('duckdb: a file that is not a database gives a clear STORE error', async () => {
  const path = join(dir, 'not-a-db.duckdb');
  (await import('node:fs')).writeFileSync(path, 'hello, this is not duckdb\n'.repeat(200));
  await assert.rejects(openDuckDbStore(path), (e: Error & { code?: string }) => e.code === 'STORE' && /cannot open DuckDB file/.test(e.message));
});

test('bench aggregate runs end to end on a small table (figures come from `vigil bench aggregate`)', async () => {
  const { benchAggregate } = await import('../../../bench/aggregate.js');
  const out = await benchAggregate({ rows: 5000, reps: 1 });
  assert.match(out, /5,000 observations/);
  for (const shape of ['country-month, 10m grain', 'asn+target week, 5m grain', 'one day by target, 1h grain', 'whole span by cc, 1d grain', 'detection series']) {
    const line = out.split('\n').find((l) => l.startsWith(shape));
    assert.match(line ?? '', /\s\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+/, out);
  }
  await assert.rejects(benchAggregate({ rows: 10 }), /--rows/);
});
