// `vigil import ooni` end to end on the real DuckDB store: the shared OONI samples, bad input of
// every kind (each a reported rejection, the good rows kept), gzip (whole and truncated), stdin,
// and re-import adding nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { importOoni } from './importer.js';
import { splitLines } from './lines.js';
import { main } from '../../cli/main.js';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'data', 'ooni-samples');
const dir = mkdtempSync(join(tmpdir(), 'vigil-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function m(i: number): Record<string, unknown> {
  return {
    data_format_version: '0.2.0', input: 'https://www.youtube.com/', measurement_start_time: `2024-01-01 01:00:${String(i % 60).padStart(2, '0')}`,
    probe_asn: 'AS8048', probe_cc: 'VE', probe_ip: '198.51.100.7', probe_network_name: 'CANTV', report_id: `r${i}`,
    software_name: 'ooniprobe', software_version: '3.20', test_name: 'web_connectivity', test_version: '0.4.3',
    test_keys: {
      queries: [{ engine: 'system', failure: 'dns_nxdomain_error', hostname: 'www.youtube.com', query_type: 'A', answers: null }],
      control_failure: null, control: { dns: { failure: null, addrs: ['142.250.1.1'] }, http_request: { failure: null, status_code: 200, body_length: 1, title: '', headers: {} } },
    },
  };
}
const line = (i: number) => JSON.stringify(m(i));

function sink(): Writable & { text: string } {
  const w = new Writable({ write(c, _e, cb) { w.text += String(c); cb(); } }) as Writable & { text: string };
  w.text = '';
  return w;
}

test('imports every measurement file in the OONI samples, says why for the rest, and re-import adds nothing', { skip: !existsSync(SAMPLES) && 'samples not present' }, async () => {
  const db = join(dir, 'samples.duckdb');
  const run = async () => {
    const out = sink();
    const err = sink();
    const code = await main(['import', 'ooni', SAMPLES, '--db', db], { stdout: out, stderr: err, env: {}, isTTY: false });
    return { code, out: out.text, err: err.text };
  };
  const r1 = await run();
  assert.equal(r1.code, 0, r1.err);
  // 45 measurement files; 6 synthetic wc05 files share (empty report_id, input, frozen time) with
  // another and are the same measurement under DESIGN.md's uid rule
  assert.match(r1.out, /^imported 39, duplicates 6, rejected 0 /);
  for (const why of ['fastpath table row', 'aggregation response', 'measurement list', 'fingerprint list', 'minipipeline', 'test_keys only', 'metadata rows', 'SOURCES.md: not a']) {
    assert.ok(r1.out.includes(why), `missing skip reason "${why}"\n${r1.out}`);
  }
  const r2 = await run();
  assert.match(r2.out, /^imported 0, duplicates 45, rejected 0 /);
  const store = await openDuckDbStore(db);
  try {
    const st = await store.stats();
    assert.equal(st.measurements, 39);
    assert.ok(st.observations >= 25);
    for (const s of await store.measurements({ limit: 100 })) assert.equal((await store.measurement(s.uid))?.probe_ip ?? '127.0.0.1', '127.0.0.1');
  } finally {
    await store.close();
  }
});

test('bad lines are reported with file:line and reason; good lines are kept', async () => {
  const f = join(dir, 'bad.jsonl');
  const lines = [
    line(1),
    '{"broken": ',                                                   // invalid JSON
    '[1, 2]',                                                        // an array where measurements belong
    JSON.stringify({ ...m(2), probe_asn: 8048 }),                    // wrong type
    JSON.stringify({ ...m(3), test_keys: undefined }),               // missing field
    '{"__proto__": {"x": 1}, "test_keys": {}}',                      // __proto__ key
    '',
    line(4),
  ];
  const bytes = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), Buffer.from(line(5) + '\n')]);
  writeFileSync(f, bytes);
  const store = await openDuckDbStore(join(dir, 'bad.duckdb'));
  try {
    const s = await importOoni(store, [f]);
    assert.equal(s.imported, 3);
    const byLine = Object.fromEntries(s.rejections.map((r) => [r.where.replace(/^.*bad\.jsonl:/, ''), r.error]));
    assert.match(byLine['2'], /invalid JSON/);
    assert.match(byLine['3[0]'], /expected a JSON object/);
    assert.match(byLine['3[1]'], /expected a JSON object/);
    assert.match(byLine['4'], /probe_asn/);
    assert.match(byLine['5'], /test_keys/);
    assert.match(byLine['6'], /__proto__/);
    assert.match(byLine['9'], /invalid UTF-8/);
    assert.equal(s.rejected, 7);
    assert.equal((await store.stats()).measurements, 3);
  } finally {
    await store.close();
  }
});

test('a 50 MB line is rejected without being buffered whole, and the next line still imports', async () => {
  const f = join(dir, 'huge.jsonl');
  const ws = createWriteStream(f);
  ws.write(line(1) + '\n');
  ws.write('{"data_format_version":"0.2.0","pad":"');
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 50; i++) if (!ws.write(chunk)) await once(ws, 'drain');
  ws.write('"}\n' + line(2) + '\n');
  ws.end();
  await once(ws, 'finish');
  const store = await openDuckDbStore(join(dir, 'huge.duckdb'));
  try {
    const s = await importOoni(store, [f]);
    assert.equal(s.imported, 2);
    assert.equal(s.rejected, 1);
    assert.match(s.rejections[0].where, /huge\.jsonl:2$/);
    assert.match(s.rejections[0].error, /exceeds the \d+-byte limit/);
  } finally {
    await store.close();
  }
});

test('line splitter: the cap drops the long line only, CRLF and a last line without newline', async () => {
  async function* src() { yield Buffer.from('ab\r\nxxxxxxxx'); yield Buffer.from('xx\ncd'); }
  const out = [];
  for await (const l of splitLines(src(), 5)) out.push([l.no, l.data?.toString() ?? null, l.bytes]);
  assert.deepEqual(out, [[1, 'ab', 3], [2, null, 10], [3, 'cd', 2]]);
});

test('gzip, directories, measurement_meta wrappers and stdin; a truncated gzip keeps the lines before it', async () => {
  const d = join(dir, 'tree');
  mkdirSync(join(d, 'sub'), { recursive: true });
  writeFileSync(join(d, 'a.jsonl.gz'), gzipSync([line(10), line(11)].join('\n') + '\n'));
  writeFileSync(join(d, 'sub', 'meta.json'), JSON.stringify({ measurement_uid: 'u1', raw_measurement: line(12), anomaly: false }, null, 2));
  const full = gzipSync(Array.from({ length: 200 }, (_, i) => line(100 + i)).join('\n') + '\n');
  writeFileSync(join(dir, 'cut.jsonl.gz'), full.subarray(0, Math.floor(full.length * 0.6)));
  const store = await openDuckDbStore(join(dir, 'tree.duckdb'));
  try {
    const s1 = await importOoni(store, [d]);
    assert.deepEqual([s1.imported, s1.rejected, s1.errors.length], [3, 0, 0]);
    const s2 = await importOoni(store, ['-'], { stdin: Readable.from([Buffer.from(gzipSync(line(20) + '\n' + line(10) + '\n'))]) });
    assert.deepEqual([s2.imported, s2.duplicates], [1, 1]);
    const s3 = await importOoni(store, [join(dir, 'cut.jsonl.gz')]);
    assert.equal(s3.errors.length, 1);
    assert.match(s3.errors[0].error, /truncated gzip/);
    assert.ok(s3.imported > 10 && s3.imported < 200, `kept ${s3.imported}`);
    assert.equal((await store.stats()).measurements, 4 + s3.imported);
  } finally {
    await store.close();
  }
});

test('CLI: usage errors and a missing file', async () => {
  const out = sink();
  const err = sink();
  assert.equal(await main(['import', 'ooni'], { stdout: out, stderr: err, env: {}, isTTY: false }), 2);
  assert.equal(await main(['import', 'nope'], { stdout: out, stderr: err, env: {}, isTTY: false }), 2);
  const code = await main(['import', 'ooni', join(dir, 'missing.jsonl'), '--db', join(dir, 'cli.duckdb')], { stdout: out, stderr: err, env: {}, isTTY: false });
  assert.equal(code, 1);
  assert.match(err.text, /missing\.jsonl: no such file/);
});

test('a store that fails mid-import stops it with one STORE error (nothing reported as kept that was not)', async () => {
  const f = join(dir, 'store-fails.jsonl');
  writeFileSync(f, [line(900), line(901)].join('\n') + '\n');
  const store = await openDuckDbStore(join(dir, 'closed.duckdb'));
  await store.close(); // every write now fails
  await assert.rejects(importOoni(store, [f]), (e: Error & { code?: string }) => e.code === 'STORE' && /store write failed at .*store-fails\.jsonl:1/.test(e.message));
});
