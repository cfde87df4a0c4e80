// `vigil bench ingest`: OONI JSONL → store, in measurements/s and MB/s, against the floor of only
// JSON.parse-ing the same lines in the same run (how close the import is to parse-bound), and peak
// RSS. The input is generated: web_connectivity-sized measurements (≈ 6 KB, a body and headers).
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { importOoni } from '../src/ingest/ooni/importer.js';
import { decompressed, splitLines } from '../src/ingest/ooni/lines.js';

function measurement(i: number): string {
  const host = ['twitter.com', 'www.youtube.com', 'www.instagram.com', 'example.org', 'www.facebook.com'][i % 5];
  const body = `<html><head><title>Page ${i % 97}</title></head><body>${'lorem ipsum dolor sit amet '.repeat(150)}</body></html>`;
  return JSON.stringify({
    annotations: { engine_name: 'ooniprobe-engine', platform: 'linux' },
    data_format_version: '0.2.0', input: `http://${host}/`, measurement_start_time: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().slice(0, 19).replace('T', ' '),
    probe_asn: `AS${8048 + (i % 7)}`, probe_cc: 'VE', probe_ip: '127.0.0.1', probe_network_name: 'CANTV', report_id: `20240101T000000Z_webconnectivity_VE_${i % 500}`,
    resolver_asn: 'AS8048', resolver_ip: '200.44.32.12', software_name: 'ooniprobe-cli', software_version: '3.20.0',
    test_name: 'web_connectivity', test_version: '0.4.3', test_runtime: 1.2, test_start_time: '2024-01-01 00:00:00',
    test_keys: {
      agent: 'redirect', client_resolver: '200.44.32.12', retries: 0,
      queries: [{ answers: [{ answer_type: 'A', ipv4: `104.244.42.${i % 250}`, asn: 13414 }], engine: 'system', failure: null, hostname: host, query_type: 'A', resolver_address: '', t: 0.01 }],
      tcp_connect: [{ ip: `104.244.42.${i % 250}`, port: 80, status: { blocked: false, failure: i % 10 === 0 ? 'generic_timeout_error' : null, success: i % 10 !== 0 }, t: 0.05 }],
      requests: [{ failure: null, request: { body: '', headers: { Accept: 'text/html', 'User-Agent': 'Mozilla/5.0' }, method: 'GET', url: `http://${host}/` },
        response: { body, body_is_truncated: false, code: 200, headers: { 'Content-Type': 'text/html', Server: 'nginx', 'X-Cache': 'HIT' } }, t: 0.3 }],
      control_failure: null,
      control: { dns: { failure: null, addrs: [`104.244.42.${i % 250}`] }, tcp_connect: { [`104.244.42.${i % 250}:80`]: { status: true, failure: null } },
        http_request: { body_length: body.length, failure: null, title: `Page ${i % 97}`, headers: { 'Content-Type': 'text/html', 'X-Cache': 'MISS' }, status_code: 200 } },
      dns_experiment_failure: null, dns_consistency: 'consistent', http_experiment_failure: null, body_length_match: true, body_proportion: 1,
      status_code_match: true, headers_match: true, title_match: true, accessible: true, blocking: false,
    },
  });
}

export async function benchIngest(opts: { db?: string; n?: number } = {}): Promise<string> {
  const n = opts.n ?? 50_000;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-'));
  try {
    const file = join(dir, 'ooni.jsonl');
    const ws = createWriteStream(file);
    for (let i = 0; i < n; i++) if (!ws.write(measurement(i) + '\n')) await once(ws, 'drain');
    ws.end();
    await once(ws, 'finish');
    const mb = statSync(file).size / 1e6;

    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    try {
      // floor: read + split + JSON.parse only
      let t0 = performance.now();
      let parsed = 0;
      for await (const l of splitLines(decompressed(createReadStream(file)))) if (l.data && l.data.length) { JSON.parse(l.data.toString('utf8')); parsed++; }
      const parseS = (performance.now() - t0) / 1000;

      const db = opts.db ?? join(dir, 'bench.duckdb');
      const store = await openStore(db);
      let s;
      try {
        t0 = performance.now();
        s = await importOoni(store, [file]);
      } finally {
        await store.close();
      }
      const importS = (performance.now() - t0) / 1000;
      peak = Math.max(peak, process.memoryUsage().rss);
      const rate = (k: number, secs: number) => Math.round(k / secs).toLocaleString('en-US');
      return [
        `ingest: ${n.toLocaleString('en-US')} web_connectivity measurements, ${mb.toFixed(1)} MB JSONL (${(mb * 1e3 / n).toFixed(1)} KB each)`,
        `  JSON.parse only (floor):  ${rate(parsed, parseS)} measurements/s, ${(mb / parseS).toFixed(1)} MB/s`,
        `  import → ${store.engine}:     ${rate(s.imported, importS)} measurements/s, ${(mb / importS).toFixed(1)} MB/s` +
          `  (${(parseS / importS * 100).toFixed(0)}% of parse-bound; imported ${s.imported}, rejected ${s.rejected})`,
        `  peak RSS: ${(peak / 1048576).toFixed(0)} MB`,
      ].join('\n');
    } finally {
      clearInterval(timer);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// run directly: npx tsx bench/ingest.ts [N]
if (process.argv[1] && /bench[\\/]ingest\.ts$/.test(process.argv[1])) {
  benchIngest({ n: process.argv[2] ? Number(process.argv[2]) : undefined }).then((r) => console.log(r));
}
