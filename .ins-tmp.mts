import { openDuckDbStore } from './src/store/duckdb/duckdb-store.ts';
import { stored, T0 } from './src/store/shared-suite.ts';
import { rmSync } from 'node:fs';
const path = '/tmp/ddx/ins.duckdb'; rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
const s = await openDuckDbStore(path);
const N = Number(process.argv[2] ?? 100000), B = 1000;
const body = 'x'.repeat(Number(process.env.BODY ?? 3000));
let tm = 0, to = 0;
for (let b = 0; b < N / B; b++) {
  const rows = Array.from({ length: B }, (_, i) => { const k = b * B + i; const r = stored(`uid-${k}-${'a'.repeat(20)}`, T0 + k); (r.raw.test_keys as any).body = body; return r; });
  const obs = rows.map((r) => ({ uid: r.uid, t: r.t, cc: 'VE', asn: 8048, network: 'CANTV', probe_id: 'p1', test_name: 'web_connectivity', target: 'twitter', status: 'ok' as const, layer: null, failure: null, value: null }));
  let a = performance.now(); await s.insertObservations(obs); to += performance.now() - a;
  a = performance.now(); await s.insertMeasurements(rows); tm += performance.now() - a;
}
console.log(`N=${N} measurements/s ${(N / tm * 1000).toFixed(0)}  observations/s ${(N / to * 1000).toFixed(0)}  combined/s ${(N / (tm + to) * 1000).toFixed(0)}`);
await s.close();
