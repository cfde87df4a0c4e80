import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
await c.run(`CREATE TABLE observations AS SELECT 'u' || i::VARCHAR AS uid, 1704067200 + (i * 3024000 // 1000000)::BIGINT AS t, ['VE','IR','RU','CN','MM','ET','PK','TR','BY','CU'][(i % 50) % 10 + 1] AS cc, 64500 + i % 50 AS asn, 'p' || ((i // 50) % 40)::VARCHAR || '-' || (i % 50)::VARCHAR AS probe_id, CASE WHEN (i*7919)%100 < 85 THEN 'ok' ELSE 'anomaly' END AS status FROM range(1000000) r(i)`);
const qs = [
  `SELECT bin, cc, count(*), count(DISTINCT probe_id) FROM (SELECT *, t - ((t % 86400) + 86400) % 86400 AS bin FROM observations) GROUP BY bin, cc`,
  `SELECT bin, cc, count(*), count(DISTINCT probe_id) FROM (SELECT *, t - ((t % $1) + $1) % $1 AS bin FROM observations) GROUP BY bin, cc`,
  `SELECT bin, cc, count(*) FROM (SELECT *, t - ((t % 86400) + 86400) % 86400 AS bin FROM observations) GROUP BY bin, cc`,
  `SELECT bin, cc, count(*), approx_count_distinct(probe_id) FROM (SELECT *, t - ((t % 86400) + 86400) % 86400 AS bin FROM observations) GROUP BY bin, cc`,
  `SELECT bin, cc, count(*), count(DISTINCT hash(probe_id)) FROM (SELECT *, t - ((t % 86400) + 86400) % 86400 AS bin FROM observations) GROUP BY bin, cc`,
];
for (const sql of qs) {
  for (let k = 0; k < 3; k++) { const t = performance.now(); await c.runAndReadAll(sql, sql.includes('$1') ? [86400n] : []); console.log(sql.slice(40, 110), (performance.now() - t).toFixed(1)); }
}
