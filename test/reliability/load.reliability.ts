// Load (issue 9 §3): `vigil serve` as a child process, autocannon on loopback with many
// concurrent connections posting batches of fresh measurements for a bounded time, while a
// reader keeps asking for /api/v1/aggregation and /api/v1/incidents. Asserted invariants (never
// speed): no 5xx and no socket errors; every non-2xx is a 429 that carries Retry-After
// (backpressure instead of a growing queue); the server's RSS stays under a generous bound; every
// query is answered; afterwards the store holds exactly the acknowledged measurements.
// Throughput and latency are printed for docs/reliability.md.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServe, http, measurement, sleep, type Child } from './support.js';

interface Histogram { p50: number; p99: number; average: number; max: number }
interface Result { requests: Histogram & { total: number; average: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number; '2xx': number; '5xx': number; duration: number }
type Autocannon = (o: Record<string, unknown>) => Promise<Result>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DURATION_S = Number(process.env.VIGIL_LOAD_SECONDS ?? 12);
const CONNECTIONS = Number(process.env.VIGIL_LOAD_CONNECTIONS ?? 96);
const BATCH = 100; // the probe uploader's default batch size
const RSS_BOUND = 1536 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'vigil-load-'));
let server: Child | null = null;
after(async () => {
  await server?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

test('sustained concurrent ingest: no 5xx, 429 + Retry-After as backpressure, bounded memory, queries answered', { timeout: 180_000 }, async () => {
  server = await startServe(['--db', join(dir, 'load.duckdb'), '--no-detect', '--rate-per-address', '0']);
  const pid = server.proc.pid!;
  const url = server.url;
  let seq = 0;
  let accepted = 0;
  let status429 = 0;
  let without = 0;
  const other = new Map<number, number>();

  const rss: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) { rss.push(rssOf(pid)); await sleep(250); }
  })();
  const queries = { answered: 0, failed: 0, worstMs: 0 };
  const reader = (async () => {
    await sleep(1000);
    while (!done) {
      for (const path of ['api/v1/aggregation?grain=1h&by=cc', 'api/v1/incidents?limit=10', 'api/v1/measurements?limit=5']) {
        const t0 = Date.now();
        try {
          const r = await http(url + path, 'GET', undefined, { timeoutMs: 30_000 });
          if (r.status === 200) queries.answered++; else queries.failed++;
        } catch {
          queries.failed++;
        }
        queries.worstMs = Math.max(queries.worstMs, Date.now() - t0);
      }
      await sleep(200);
    }
  })();

  const result = await autocannon({
    url: `${url}api/v1/measurements`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    timeout: 60,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req: Record<string, unknown>) => {
        const n = seq++;
        return { ...req, body: JSON.stringify({ measurements: Array.from({ length: BATCH }, (_, i) => measurement(`load-${n}`, i)) }) };
      },
      onResponse: (status: number, body: string, _ctx: unknown, headers: Record<string, string>) => {
        if (status === 200) accepted += (JSON.parse(body) as { accepted: number }).accepted;
        else if (status === 429) {
          status429++;
          if (!/^[1-9]\d*$/.test(String(headers['retry-after'] ?? ''))) without++;
        } else other.set(status, (other.get(status) ?? 0) + 1);
      },
    }],
  });
  done = true;
  await Promise.all([sampler, reader]);

  assert.equal(result.errors, 0, 'socket errors');
  assert.equal(result.timeouts, 0, 'timeouts');
  assert.deepEqual([...other.entries()], [], 'statuses other than 200 and 429');
  assert.equal(without, 0, '429 without Retry-After');
  assert.ok(result['2xx'] > 0);
  assert.ok(queries.answered > 0 && queries.failed === 0, JSON.stringify(queries));
  const maxRss = Math.max(...rss);
  assert.ok(maxRss < RSS_BOUND, `RSS ${maxRss} over the bound`);
  // the store holds exactly what was acknowledged
  // (requests still in flight when autocannon stops are answered but not counted by it: >=)
  const total = await http(`${url}api/v1/measurements?limit=1`, 'GET');
  assert.ok(total.json.total >= accepted, `${total.json.total} stored < ${accepted} acknowledged`);
  assert.ok(total.json.total <= accepted + CONNECTIONS * BATCH, `${total.json.total} stored, far more than ${accepted} acknowledged`);
  const metrics = await http(`${url}metrics`, 'GET');
  assert.doesNotMatch(metrics.text, /status="5\d\d"/);
  assert.equal(await server.stop(), 0, server.err());
  server = null;

  const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
  console.log([
    `load: ${CONNECTIONS} connections for ${DURATION_S} s, batches of ${BATCH} measurements`,
    `  requests: ${result.requests.total} (${Math.round(result.requests.average)} req/s), 2xx ${result['2xx']}, 429 ${status429} (all with Retry-After), 5xx 0, socket errors 0`,
    `  measurements stored: ${accepted} (${Math.round(accepted / result.duration)} /s)`,
    `  latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    `  server RSS: start ${mb(rss[0] ?? 0)}, max ${mb(maxRss)}, end ${mb(rss[rss.length - 1] ?? 0)} (bound ${mb(RSS_BOUND)})`,
    `  queries during the load: ${queries.answered} answered, 0 failed, slowest ${queries.worstMs} ms`,
  ].join('\n'));
});
