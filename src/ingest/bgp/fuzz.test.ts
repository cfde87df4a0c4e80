// Bad input: random bytes, mutated real records, truncated files, lying lengths, attribute floods.
// The parser must never throw, always terminate, and say what it skipped and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { formatBgpdump } from './bgpdump-format.js';
import { newReport, parseMrtBatches } from './parser.js';
import { bgp4mpUpdate, peerIndexTable, ribIpv4 } from './mrt-writer.js';
import { VisibilityTracker } from './visibility.js';
import { BGP_DATA, haveBgpData } from './testdata.js';
import bgpCommand from '../../cli/commands/bgp.js';
import type { CliContext } from '../../cli/context.js';

async function* chunks(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Parses, formats and tracks everything; returns the report. Throws only if the code is wrong. */
async function run(b: Uint8Array, chunk = 4096) {
  const report = newReport();
  const tr = new VisibilityTracker({ visibilityFraction: 0 });
  let lines = 0;
  for await (const batch of parseMrtBatches(chunks(b, Math.max(1, chunk)), report)) {
    for (const e of batch) {
      lines += formatBgpdump(e).length > 0 ? 1 : 0;
      tr.apply(e);
    }
  }
  tr.finish();
  return { report, lines };
}

const ref = haveBgpData()
  ? [gunzipSync(readFileSync(join(BGP_DATA, 'ris/rrc06.updates.20150401.0000.gz'))).subarray(0, 20000),
    readFileSync(join(BGP_DATA, 'lab/quagga_bgp.mrt')), readFileSync(join(BGP_DATA, 'lab/bird-mrtdump_rib.mrt')),
    readFileSync(join(BGP_DATA, 'lab/openbgpd_rib_table-v2.mrt'))]
  : [Buffer.concat([peerIndexTable(1, '192.0.2.1', [{ ip: '192.0.2.2', asn: 1 }]), ribIpv4(1, 0, '10.0.0.0/8', [{ peerIndex: 0, attrs: { asPath: [1, 2], nextHop: '192.0.2.2' } }])])];

test('random bytes: never throws, always terminates', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 1, max: 600 }), async (bytes, chunk) => {
    await run(bytes, chunk);
  }), { numRuns: 300 });
});

test('random record bodies behind valid headers of every known type: never throws', async () => {
  const types = [[12, 1], [12, 2], [12, 3], [12, 4], [13, 1], [13, 2], [13, 4], [13, 8], [13, 10], [13, 6], [16, 0], [16, 1], [16, 4], [16, 5], [16, 6], [16, 7], [16, 8], [16, 9], [16, 10], [16, 11], [17, 4], [17, 1], [99, 1]];
  const header = (t: number, st: number, len: number) => { const h = Buffer.alloc(12); h.writeUInt32BE(1e9, 0); h.writeUInt16BE(t, 4); h.writeUInt16BE(st, 6); h.writeUInt32BE(len, 8); return h; };
  const peerTable = peerIndexTable(1, '192.0.2.1', [{ ip: '192.0.2.2', asn: 1 }, { ip: '192.0.2.3', asn: 2 }]);
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...types), fc.uint8Array({ maxLength: 300 })), { maxLength: 20 }), async (recs) => {
    const parts: Buffer[] = [peerTable];
    for (const [[t, st], body] of recs) {
      // BGP4MP bodies get a plausible prefix (ASNs, AFI 1, addresses, marker) so the fuzz reaches the UPDATE decoder
      const b = t === 16 || t === 17 ? Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 192, 0, 2, 2, 192, 0, 2, 1]), Buffer.alloc(16, 0xff), Buffer.from(body)]) : Buffer.from(body);
      parts.push(header(t, st, b.length), b);
    }
    await run(Buffer.concat(parts));
  }), { numRuns: 300 });
});

test('mutated real records: never throws, always terminates', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...ref),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
    fc.nat(),
    async (base, flips, cut) => {
      const b = Buffer.from(base);
      for (const [pos, v] of flips) b[pos % b.length] = v;
      await run(b.subarray(0, b.length - (cut % 64)), 1 + (cut % 5000));
    }), { numRuns: 150 });
});

test('truncated tail, lying length, unknown type: reported with offsets, the rest read', async () => {
  const rib = Buffer.concat([peerIndexTable(1, '192.0.2.1', [{ ip: '192.0.2.2', asn: 1 }]), ribIpv4(1, 0, '10.0.0.0/8', [{ peerIndex: 0, attrs: { asPath: [1, 2], nextHop: '192.0.2.2' } }])]);
  const unknown = Buffer.from([0, 0, 0, 1, 0, 99, 0, 7, 0, 0, 0, 3, 1, 2, 3]);
  const { report, lines } = await run(Buffer.concat([rib, unknown, rib.subarray(0, rib.length - 5)]));
  assert.equal(lines, 1 + 0); // the second RIB record is cut: its peer table was read, the RIB not
  assert.deepEqual(report.skipped, { '99/7': 1 });
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0].reason, /truncated record: header says \d+ bytes, only \d+ remain/);
  // the cut record is the second copy's RIB record, after its peer table
  const pit = peerIndexTable(1, '192.0.2.1', [{ ip: '192.0.2.2', asn: 1 }]).length;
  assert.equal(report.warnings[0].offset, rib.length + unknown.length + pit);
  const lying = Buffer.concat([rib, Buffer.from([0, 0, 0, 1, 0, 13, 0, 2, 0xff, 0xff, 0xff, 0xf0]), rib]);
  const r2 = await run(lying);
  assert.equal(r2.report.decoded, 2);
  assert.match(r2.report.warnings[0].reason, /lying length field/);
  assert.equal(r2.report.warnings[0].offset, rib.length);
});

test('an attribute flood ends with a warning, not a hang', async () => {
  const upd = bgp4mpUpdate(1, { peer: { ip: '192.0.2.2', asn: 1 }, announced: ['10.0.0.0/8'], attrs: { asPath: [1], nextHop: '192.0.2.2' } });
  // replace the attributes with 20000 empty unknown optional attributes (3 bytes each, extended record)
  const flood = Buffer.alloc(20000 * 3);
  for (let i = 0; i < 20000; i++) { flood[i * 3] = 0x80; flood[i * 3 + 1] = 200; }
  const head = upd.subarray(12, 12 + 20 + 16);
  const msg = Buffer.concat([Buffer.from([0, 0, 2, 0, 0]), Buffer.from([(flood.length >> 8) & 0xff, flood.length & 0xff]), flood]);
  msg.writeUInt16BE(0, 1); // withdrawn length 0; bytes 3-4: attribute length (overwritten below)
  const body = Buffer.concat([head, Buffer.from([0xff, 0xff]), Buffer.from([2]), Buffer.from([0, 0]), Buffer.from([(flood.length >> 8) & 0xff, flood.length & 0xff]), flood]);
  const rec = Buffer.alloc(12);
  rec.writeUInt32BE(1, 0); rec.writeUInt16BE(16, 4); rec.writeUInt16BE(4, 6); rec.writeUInt32BE(body.length, 8);
  const { report } = await run(Buffer.concat([rec, body]));
  assert.ok(report.warnings.some((w) => /more than 4096 path attributes/.test(w.reason)), JSON.stringify(report.warnings.slice(0, 3)));
});

test('vigil bgp dump: exit 0 with warnings when partial, 1 when nothing could be read', { skip: haveBgpData() ? false : 'no sample data' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bgp-dump-'));
  try {
    const full = gunzipSync(readFileSync(join(BGP_DATA, 'ris/updates.20160811.1600.gz')));
    const cut = join(dir, 'cut.gz');
    // a gzip cut in the middle: both the compressed stream and the last MRT record are incomplete
    const gz = gzipSync(full);
    writeFileSync(cut, gz.subarray(0, gz.length >> 1));
    const junk = join(dir, 'junk');
    writeFileSync(junk, Buffer.from('this is not MRT data, just some text that goes on\n'));
    const runCli = async (args: string[]) => {
      const out = new PassThrough(); const err = new PassThrough();
      let o = ''; let e = '';
      out.on('data', (d) => (o += d)); err.on('data', (d) => (e += d));
      const ctx: CliContext = { stdout: out, stderr: err, env: process.env, isTTY: false, verbose: false };
      const rc = await bgpCommand.run(args, ctx);
      await new Promise((r) => setImmediate(r));
      return { rc, o, e };
    };
    const a = await runCli(['dump', cut]);
    assert.equal(a.rc, 0);
    assert.ok(a.o.split('\n').length > 1000);
    assert.match(a.e, /warning: .*cut\.gz: offset \d+: truncated record/);
    const b = await runCli(['dump', junk]);
    assert.equal(b.rc, 1);
    assert.equal(b.o, '');
    assert.match(b.e, /no MRT record could be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
