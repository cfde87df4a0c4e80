// The visibility signal: EXPECTED.json's per-origin /24 totals for every RIB sample (union mode),
// IODA's "at least half of the full-feed peers" on a RIB written here, sessions going down, the
// country table, and `vigil import bgp` storing rows in DuckDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { newReport, parseMrt, parseMrtFile } from './parser.js';
import { parsePrefixTable } from './prefix-table.js';
import { peerIndexTable, ribIpv4, stateChange, bgp4mpUpdate, type PathAttrs } from './mrt-writer.js';
import { VisibilityTracker, type VisibilityOptions } from './visibility.js';
import { BGP_DATA, haveBgpData } from './testdata.js';
import { runImportBgp } from './import-command.js';
import type { CliContext } from '../../cli/context.js';

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> { yield b; }

async function track(bytes: Buffer, opts: VisibilityOptions = {}): Promise<VisibilityTracker> {
  const tr = new VisibilityTracker(opts);
  for await (const e of parseMrt(once(bytes))) tr.apply(e);
  return tr;
}

const skip = haveBgpData() ? false : `no sample data at ${BGP_DATA}`;

interface Expected { bgpdump_lines_by_kind: Record<string, number>; top_origin_asns_by_prefix_count: Array<{ asn: number; ipv4_slash24_equiv_union_len1to24: number }> }

test('union mode matches EXPECTED.json per-origin /24 totals for every RIB sample', { skip }, async () => {
  const expected = JSON.parse(readFileSync(join(BGP_DATA, 'EXPECTED.json'), 'utf8')) as Record<string, Expected>;
  const ribs = Object.entries(expected).filter(([, e]) => e.bgpdump_lines_by_kind.B);
  assert.ok(ribs.length >= 5);
  for (const [f, e] of ribs) {
    const tr = new VisibilityTracker({ visibilityFraction: 0 });
    for await (const batch of await parseMrtFile(join(BGP_DATA, f), newReport())) for (const x of batch) tr.apply(x);
    const counts = tr.snapshot().counts;
    for (const o of e.top_origin_asns_by_prefix_count) {
      assert.equal(counts.get(o.asn)?.get('') ?? 0, o.ipv4_slash24_equiv_union_len1to24, `${f} AS${o.asn}`);
    }
  }
});

test('RouteViews RIB at IODA threshold: 30 full-feed peers of 35, ≤ union, a few partial /24s drop out', { skip }, async () => {
  const tr = new VisibilityTracker();
  for await (const batch of await parseMrtFile(join(BGP_DATA, 'routeviews/rib.20140523.0600.route-views2.first9070records.mrt.gz'), newReport())) for (const x of batch) tr.apply(x);
  const snap = tr.snapshot();
  assert.equal(snap.peers, 30);
  assert.equal(snap.counts.get(8402)?.get(''), 1024);
  assert.equal(snap.counts.get(48159)?.get(''), 1483); // 1515 in the union: 32 /24s seen by < 15 peers
  const rows = tr.finish();
  assert.equal(rows[0].t, 1400824800);
  assert.ok(rows.every((r) => r.peers === 30 && r.cc === ''));
});

const T0 = 1_700_000_100; // bins of 300 s: 1700000100 is a bin start
const peers = [1, 2, 3, 4].map((i) => ({ ip: `192.0.2.${i}`, asn: 65000 + i }));
const attrs = (origin: number): PathAttrs => ({ asPath: [65100, origin], nextHop: '192.0.2.100' });

function rib(extra: Buffer[] = []): Buffer {
  const recs = [peerIndexTable(T0, '192.0.2.200', [...peers, { ip: '192.0.2.9', asn: 65009 }])];
  let seq = 0;
  // AS 64500: 10.0.0.0/16 (256 /24s) by all four full-feed peers
  recs.push(ribIpv4(T0, seq++, '10.0.0.0/16', [0, 1, 2, 3].map((p) => ({ peerIndex: p, attrs: attrs(64500) }))));
  // AS 64501: 10.1.0.0/24 by 2 of 4 (counted: half), 10.1.1.0/24 by 1 of 4 (not counted)
  recs.push(ribIpv4(T0, seq++, '10.1.0.0/24', [0, 1].map((p) => ({ peerIndex: p, attrs: attrs(64501) }))));
  recs.push(ribIpv4(T0, seq++, '10.1.1.0/24', [{ peerIndex: 2, attrs: attrs(64501) }]));
  // AS 64502: 10.2.0.0/23 by peers 0-1 and 10.2.0.0/24 by peers 2-3: the first /24 is seen by 4
  // (union per peer), the second by 2 → both counted; /25s are never counted
  recs.push(ribIpv4(T0, seq++, '10.2.0.0/23', [0, 1].map((p) => ({ peerIndex: p, attrs: attrs(64502) }))));
  recs.push(ribIpv4(T0, seq++, '10.2.0.0/24', [2, 3].map((p) => ({ peerIndex: p, attrs: attrs(64502) }))));
  recs.push(ribIpv4(T0, seq++, '10.2.4.0/25', [0, 1, 2, 3].map((p) => ({ peerIndex: p, attrs: attrs(64502) }))));
  // filler so peers 0-3 are full-feed; peer 4 (partial feed, one prefix) is not
  for (let i = 0; i < 20; i++) recs.push(ribIpv4(T0, seq++, `172.16.${i}.0/24`, [0, 1, 2, 3].map((p) => ({ peerIndex: p, attrs: attrs(64600) }))));
  recs.push(ribIpv4(T0, seq++, '10.9.0.0/24', [{ peerIndex: 4, attrs: attrs(64509) }]));
  return Buffer.concat([...recs, ...extra]);
}

test('at least half of the full-feed peers; a partial feed does not count', async () => {
  const tr = await track(rib());
  const c = tr.snapshot();
  assert.equal(c.peers, 4);
  assert.equal(c.counts.get(64500)?.get(''), 256);
  assert.equal(c.counts.get(64501)?.get(''), 1);
  assert.equal(c.counts.get(64502)?.get(''), 2);
  assert.equal(c.counts.get(64509), undefined);
  const union = (await track(rib(), { visibilityFraction: 0 })).snapshot();
  assert.equal(union.peers, 5);
  assert.equal(union.counts.get(64501)?.get(''), 2);
  assert.equal(union.counts.get(64509)?.get(''), 1);
});

test('a session leaving Established takes its routes with it; updates re-add them', async () => {
  const later = T0 + 600;
  const tr = await track(rib([
    stateChange(later, peers[0], 6, 1),
    stateChange(later, peers[1], 6, 1),
    stateChange(later, peers[2], 6, 1),
  ]));
  // one full-feed peer left: it alone is "at least half" of the one full-feed peer
  const c = tr.snapshot();
  assert.equal(c.peers, 1);
  assert.equal(c.counts.get(64501)?.get(''), 0);
  const tr2 = await track(rib([bgp4mpUpdate(later, { peer: peers[3], withdrawn: ['10.0.0.0/16'] }), bgp4mpUpdate(later, { peer: peers[2], withdrawn: ['10.0.0.0/16'] })]));
  assert.equal(tr2.snapshot().counts.get(64500)?.get(''), 256); // 2 of 4 still see it
  const tr3 = await track(rib([bgp4mpUpdate(later, { peer: peers[3], withdrawn: ['10.0.0.0/16'] }), bgp4mpUpdate(later, { peer: peers[2], withdrawn: ['10.0.0.0/16'] }), bgp4mpUpdate(later, { peer: peers[1], withdrawn: ['10.0.0.0/16'] })]));
  assert.equal(tr3.snapshot().counts.get(64500)?.get(''), 0);
});

test('rows per 5-minute bin, with the country from the prefix table', async () => {
  const { table, errors } = parsePrefixTable('# test\n10.0.0.0/8\t64500\tVE\tCANTV\n10.2.0.0/16\t64502\tSD\tSudatel\nbad line\n');
  assert.equal(errors.length, 1);
  const tr = new VisibilityTracker({ prefixTable: table });
  const bytes = rib([bgp4mpUpdate(T0 + 700, { peer: peers[0], announced: ['10.3.0.0/24'], attrs: attrs(64503) })]);
  let rows: ReturnType<VisibilityTracker['finish']> = [];
  for await (const e of parseMrt(once(bytes))) rows = rows.concat(tr.apply(e));
  rows = rows.concat(tr.finish());
  assert.deepEqual([...new Set(rows.map((r) => r.t))], [T0, T0 + 300, T0 + 600]);
  const at = (t: number, asn: number) => rows.find((r) => r.t === t && r.asn === asn);
  assert.deepEqual(at(T0, 64500), { t: T0, asn: 64500, cc: 'VE', slash24: 256, peers: 4 });
  assert.equal(at(T0, 64502)?.cc, 'SD');
  assert.equal(at(T0, 64600)?.cc, '');
  assert.equal(at(T0 + 300, 64503), undefined); // announced by 1 of 4 at T0+700
});

test('vigil import bgp stores the signal in DuckDB', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bgp-'));
  try {
    const db = join(dir, 'v.duckdb');
    const file = join(dir, 'rib.mrt');
    writeFileSync(file, rib());
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const ctx: CliContext = { stdout: out, stderr: err, env: {}, isTTY: false, verbose: false };
    const rc = await runImportBgp([file, join(BGP_DATA, 'lab/quagga_rib.mrt'), '--db', db, '--visibility', '0'], ctx);
    assert.equal(rc, 0, text);
    assert.match(text, /rows/);
    const { openStore } = await import('../../store/open.js');
    const store = await openStore(db);
    try {
      const rows = await store.bgpVisibility({ asn: 64500 });
      assert.equal(rows[0].slash24, 256);
      assert.equal(Number(rows[0].t), T0);
      const q = await store.bgpVisibility({ asn: 64512 });
      assert.equal(q.length > 0, true);
      assert.equal(q[q.length - 1].slash24, 3); // EXPECTED.json: quagga_rib AS64512 → 3
    } finally {
      await store.close();
    }
    // nothing readable → exit 1
    const junk = join(dir, 'junk.mrt');
    writeFileSync(junk, Buffer.from('not an MRT file at all'));
    assert.equal(await runImportBgp([junk, '--db', db], ctx), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
