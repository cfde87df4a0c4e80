import { openDuckDbStore } from './src/store/duckdb/duckdb-store.ts';
import { T0 } from './src/store/shared-suite.ts';
import { rmSync } from 'node:fs';
const path = '/tmp/ddx/ins3.duckdb'; rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
const s = await openDuckDbStore(path);
const N = 20000, B = 1000;
const t0 = performance.now();
for (let b = 0; b < N / B; b++) {
  const obs = Array.from({ length: B }, (_, i) => ({ uid: `uid-${b * B + i}-aaaaaaaaaaaaaaaaaaaa`, t: T0 + b * B + i, cc: 'VE', asn: 8048, network: 'CANTV', probe_id: 'p1', test_name: 'web_connectivity', target: 'twitter', status: 'ok' as const, layer: null, failure: null, value: null }));
  await s.insertObservations(obs);
}
console.log('store obs/s', (N / (performance.now() - t0) * 1000).toFixed(0));
await s.close();
