import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
const variant = process.argv[2];
const path = '/tmp/ddx/ins2.duckdb'; rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
const inst = await DuckDBInstance.create(path);
const c = await inst.connect();
const uniq = variant.includes('uniq') ? ', UNIQUE (uid, target)' : '';
await c.run(`CREATE TABLE obs (uid VARCHAR NOT NULL, t BIGINT, target VARCHAR NOT NULL, status VARCHAR${uniq})`);
await c.run(`CREATE TEMP TABLE st AS SELECT * FROM obs LIMIT 0`);
const N = 50000, B = 1000;
const t0 = performance.now();
for (let b = 0; b < N / B; b++) {
  await c.run('BEGIN');
  const a = await c.createAppender('st', 'main', 'temp');
  for (let i = 0; i < B; i++) { const k = b * B + i; a.appendVarchar(`uid-${k}-aaaaaaaaaaaaaaaaaaaa`); a.appendBigInt(BigInt(k)); a.appendVarchar('twitter'); a.appendVarchar('ok'); a.endRow(); }
  a.flushSync(); a.closeSync();
  if (variant.includes('conflict')) await c.run('INSERT INTO obs SELECT * FROM temp.main.st ON CONFLICT DO NOTHING');
  else if (variant.includes('anti')) await c.run('INSERT INTO obs SELECT * FROM temp.main.st s WHERE NOT EXISTS (SELECT 1 FROM obs o WHERE o.uid = s.uid AND o.target = s.target)');
  else await c.run('INSERT INTO obs SELECT * FROM temp.main.st');
  await c.run('DELETE FROM temp.main.st');
  await c.run('COMMIT');
}
console.log(variant, 'rows/s', (N / (performance.now() - t0) * 1000).toFixed(0));
