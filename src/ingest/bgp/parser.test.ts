// The MRT parser against bgpdump: every sample in ../shared/data/bgp must print exactly the
// reference `bgpdump -m` lines in expected/, and the installed /usr/bin/bgpdump must agree on a
// couple of files run here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatBgpdump } from './bgpdump-format.js';
import { newReport, parseMrtFile } from './parser.js';
import { BGP_DATA, haveBgpData, mrtSamples } from './testdata.js';

async function dump(path: string, opts: { mask?: boolean; bzip2?: 'auto' | 'system' | 'js' } = {}): Promise<{ text: string; report: ReturnType<typeof newReport> }> {
  const report = newReport();
  let text = '';
  for await (const batch of await parseMrtFile(path, report, opts)) for (const e of batch) text += formatBgpdump(e);
  return { text, report };
}

// bgpdump 1.6.2 (Debian, which made the reference files) prints NLRI host bits as received;
// upstream bgpdump (2020) clears them, and the one reference file about that was made by upstream.
const UPSTREAM_MASKED = new Set(['edge-cases/updates.nlri_mask_trailing_bits.gz']);

const skip = haveBgpData() ? false : `no sample data at ${BGP_DATA}`;

test('every MRT sample prints the reference bgpdump -m lines, with EXPECTED.json record counts', { skip }, async () => {
  const expected = JSON.parse(readFileSync(join(BGP_DATA, 'EXPECTED.json'), 'utf8')) as Record<string, { mrt_records_by_type_subtype: Record<string, number>; decompressed_bytes: number }>;
  const files = mrtSamples();
  assert.ok(files.length >= 15, `found ${files.length} samples`);
  for (const f of files) {
    const name = f.split('/').pop()!;
    const ref = gunzipSync(readFileSync(join(BGP_DATA, 'expected', `${name}.bgpdump-m.txt.gz`))).toString('utf8');
    const { text, report } = await dump(join(BGP_DATA, f), { mask: UPSTREAM_MASKED.has(f) });
    if (text !== ref) {
      const want = ref.split('\n');
      const got = text.split('\n');
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        if (want[i] !== got[i]) assert.fail(`${f} line ${i + 1}:\n  bgpdump: ${want[i]}\n  vigil:   ${got[i]}`);
      }
    }
    const e = expected[f];
    assert.ok(e, `${f} in EXPECTED.json`);
    const total = Object.values(e.mrt_records_by_type_subtype).reduce((a, b) => a + b, 0);
    assert.equal(report.records, total, f);
    assert.equal(report.bytes, e.decompressed_bytes, f);
    assert.deepEqual(report.warnings.filter((w) => /truncated record|tail|stream/.test(w.reason)), [], f);
  }
});

test('the masked default differs from bgpdump 1.6.2 only on host bits', { skip }, async () => {
  const f = join(BGP_DATA, 'edge-cases/updates.nlri_mask_trailing_bits.gz');
  assert.match((await dump(f, { mask: false })).text, /\|11\.13\.0\.0\/13\|/);
  assert.match((await dump(f)).text, /\|11\.8\.0\.0\/13\|/);
});

const bgpdump = '/usr/bin/bgpdump';
test('agrees with the installed bgpdump on a RIB and an updates file', { skip: skip || (!existsSync(bgpdump) && 'no /usr/bin/bgpdump') }, async () => {
  for (const f of ['ris/updates.20100722.2015.gz', 'lab/bird_bgp.mrt', 'ris/bview.20180919.0800.64k_stream_overflow.gz']) {
    const path = join(BGP_DATA, f);
    const peer = execFileSync(bgpdump, ['-m', path], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }).toString('utf8');
    const { text } = await dump(path, { mask: false });
    assert.equal(text, peer, f);
  }
});

test('bzip2 through the system bzip2 and through seek-bzip give the same records', { skip }, async () => {
  const f = join(BGP_DATA, 'routeviews/updates.20240914.2230.bgp4mp_et.bz2');
  const sys = await dump(f, { bzip2: 'system' });
  const js = await dump(f, { bzip2: 'js' });
  assert.equal(sys.report.decoder, 'bzip2 -dc');
  assert.equal(js.report.decoder, 'seek-bzip');
  assert.equal(js.text, sys.text);
  assert.equal(sys.text.split('\n').length - 1, 268);
});
