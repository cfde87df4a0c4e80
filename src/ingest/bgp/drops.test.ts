// A simulated shutdown: a RIB and an update file written here with the MRT writer; the prefixes of
// one AS are withdrawn by every peer for an hour. The drop must start and end at the right bins,
// and nothing else may drop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BgpVisibilityRow } from '../../store/store.js';
import { detectBgpDrops } from '../../detect/bgp-drops.js';
import { bgp4mpUpdate, peerIndexTable, ribIpv4, type PathAttrs } from './mrt-writer.js';
import { newReport, parseMrtFile } from './parser.js';
import { VisibilityTracker } from './visibility.js';
import { Writable } from 'node:stream';
import { main } from '../../cli/main.js';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { runDetection } from '../../detect/run.js';

const T0 = 1_577_836_800; // 2020-01-01 00:00 UTC
const HOUR = 3600;
const peers = [1, 2, 3, 4, 5].map((i) => ({ ip: `198.51.100.${i}`, asn: 64600 + i }));
const attrs = (origin: number): PathAttrs => ({ asPath: [64600, 3356, origin], nextHop: '198.51.100.254' });
const VICTIM = ['203.0.113.0/24', '192.0.2.0/24', '100.64.0.0/22'];
const OTHER = ['198.18.0.0/16', '198.19.0.0/24'];

function files(dir: string): string[] {
  const rib = [peerIndexTable(T0, '198.51.100.200', peers)];
  let seq = 0;
  for (const p of VICTIM) rib.push(ribIpv4(T0, seq++, p, peers.map((_, i) => ({ peerIndex: i, attrs: attrs(64512) }))));
  for (const p of OTHER) rib.push(ribIpv4(T0, seq++, p, peers.map((_, i) => ({ peerIndex: i, attrs: attrs(64513) }))));
  const upd: Buffer[] = [];
  // routine churn every 10 minutes for 6 hours (keeps bins flowing, changes nothing)
  for (let t = T0 + 60; t < T0 + 6 * HOUR; t += 600) upd.push(bgp4mpUpdate(t, { peer: peers[t % 5], announced: [OTHER[1]], attrs: attrs(64513) }));
  // 03:00:20 every peer withdraws AS64512's prefixes; 04:00:40 they come back
  for (const p of peers) upd.push(bgp4mpUpdate(T0 + 3 * HOUR + 20, { peer: p, withdrawn: VICTIM }));
  for (const p of peers) upd.push(bgp4mpUpdate(T0 + 4 * HOUR + 40, { peer: p, announced: VICTIM, attrs: attrs(64512) }));
  upd.sort((a, b) => a.readUInt32BE(0) - b.readUInt32BE(0));
  const ribFile = join(dir, 'bview.gz');
  const updFile = join(dir, 'updates.mrt');
  writeFileSync(ribFile, gzipSync(Buffer.concat(rib)));
  writeFileSync(updFile, Buffer.concat(upd));
  return [ribFile, updFile];
}

test('withdrawing one network for an hour yields one drop with the right start and end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bgp-drop-'));
  try {
    const tr = new VisibilityTracker();
    let rows: BgpVisibilityRow[] = [];
    for (const f of files(dir)) {
      const report = newReport();
      for await (const batch of await parseMrtFile(f, report)) for (const e of batch) rows = rows.concat(tr.apply(e));
      assert.deepEqual(report.warnings, []);
    }
    rows = rows.concat(tr.finish());
    const victim = rows.filter((r) => r.asn === 64512);
    assert.equal(victim.length, 71); // 00:00 to 05:50, the last update at 05:51
    assert.equal(victim.find((r) => r.t === T0 + 3 * HOUR)!.slash24, 0);
    assert.equal(victim.find((r) => r.t === T0 + 3 * HOUR - 300)!.slash24, 6);
    const drops = detectBgpDrops(rows);
    assert.deepEqual(drops, [{ asn: 64512, cc: '', start: T0 + 3 * HOUR, end: T0 + 4 * HOUR, baseline: 6, min: 0 }]);

    // issue 7: the same files through `vigil import bgp` and detection yield a network_outage
    const db = join(dir, 'vigil.duckdb');
    const out: string[] = [];
    const sink = new Writable({ write(c, _e, cb) { out.push(String(c)); cb(); } });
    const code = await main(['import', 'bgp', ...files(dir), '--db', db], { stdout: sink, stderr: sink, isTTY: false, env: {} });
    assert.equal(code, 0, out.join(''));
    const store = await openDuckDbStore(db);
    try {
      const r = await runDetection(store, { now: T0 + 6 * HOUR });
      const outages = r.incidents.filter((i) => i.kind === 'network_outage');
      assert.equal(outages.length, 1, JSON.stringify(r.incidents));
      const o = outages[0];
      assert.deepEqual(o.asns, [64512]);
      assert.equal(o.start, new Date((T0 + 3 * HOUR) * 1000).toISOString().replace('.000Z', 'Z'));
      assert.equal(o.end, new Date((T0 + 4 * HOUR) * 1000).toISOString().replace('.000Z', 'Z'));
      assert.deepEqual(o.evidence.bgp, { baseline_slash24: 6, min_slash24: 0 });
      assert.equal(r.incidents.filter((i) => i.asns.includes(64513)).length, 0, 'the network that kept its routes has no incident');
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detectBgpDrops: stable series, ongoing drop, partial dip, too little history', () => {
  const row = (i: number, n: number, asn = 1, cc = 'VE'): BgpVisibilityRow => ({ t: 1000 + 300 * i, asn, cc, slash24: n, peers: 10 });
  assert.deepEqual(detectBgpDrops(Array.from({ length: 20 }, (_, i) => row(i, 100))), []);
  const ongoing = Array.from({ length: 20 }, (_, i) => row(i, i < 10 ? 100 : 10));
  assert.deepEqual(detectBgpDrops(ongoing), [{ asn: 1, cc: 'VE', start: 1000 + 3000, end: null, baseline: 100, min: 10 }]);
  // a dip to 60 % is not a drop at the default ratio 0.5
  assert.deepEqual(detectBgpDrops(Array.from({ length: 20 }, (_, i) => row(i, i === 12 ? 60 : 100))), []);
  // two bins of history are not a baseline
  assert.deepEqual(detectBgpDrops([row(0, 100), row(1, 100), row(2, 0)]), []);
  // order of rows does not matter; series are separate per (asn, cc)
  const mixed = [...ongoing, ...Array.from({ length: 20 }, (_, i) => row(i, 50, 2, 'SD'))].reverse();
  assert.equal(detectBgpDrops(mixed).length, 1);
});
