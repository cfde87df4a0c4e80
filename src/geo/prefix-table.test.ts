// The longest-prefix match against a naive scan over random tables (fast-check), the pyasn table
// against an independent string-keyed LPM, and the line parser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { PrefixTable, parseLine } from './prefix-table.js';
import { parseIp, isSpecialPurpose } from './ip.js';

const PYASN = new URL('../../../shared/data/geo/pyasn/ipasn_20140513.dat.gz', import.meta.url).pathname;
const v4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const mask = (n: number, len: number) => (len === 0 ? 0 : (n & ((0xffffffff << (32 - len)) >>> 0)) >>> 0);

describe('PrefixTable', () => {
  it('agrees with a naive longest-prefix scan on random IPv4 tables (first row wins a duplicate)', () => {
    const prefix = fc.record({ net: fc.nat({ max: 0xffffffff }), len: fc.integer({ min: 0, max: 32 }), asn: fc.integer({ min: 1, max: 70000 }) });
    fc.assert(
      fc.property(fc.array(prefix, { minLength: 1, maxLength: 60 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 30 }), (rows, probes) => {
        // Bias probes into the table's prefixes so matches are common.
        const ips = [...probes, ...rows.map((r) => (r.net ^ 0x55) >>> 0)];
        const text = rows.map((r) => `${v4(r.net)}/${r.len}\t${r.asn}`).join('\n');
        const t = PrefixTable.fromText('rand', text);
        for (const ip of ips) {
          let best: { len: number; asn: number } | null = null;
          for (const r of rows) {
            if (mask(ip, r.len) === mask(r.net, r.len) && (!best || r.len > best.len)) best = { len: r.len, asn: r.asn };
          }
          const got = t.lookup({ v: 4, n: ip });
          assert.equal(got?.asn ?? null, best?.asn ?? null, `${v4(ip)} in\n${text}`);
          if (best) assert.equal(got?.prefix, `${v4(mask(ip, best.len))}/${best.len}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("pyasn's 512k-prefix RouteViews table answers like an independent string-keyed lookup", (t) => {
    const t0 = performance.now();
    const table = PrefixTable.load([PYASN]);
    t.diagnostic(`loaded ${table.size} prefixes in ${(performance.now() - t0).toFixed(0)} ms`);
    const byPrefix = new Map<string, number>();
    const lines = gunzipSync(readFileSync(PYASN)).toString('utf8').split('\n');
    for (const l of lines) {
      if (!l || l.startsWith(';')) continue;
      const [p, a] = l.split('\t');
      if (!byPrefix.has(p)) byPrefix.set(p, Number(a));
    }
    assert.equal(table.size, byPrefix.size);
    let checked = 0;
    let hits = 0;
    for (let i = 0; i < 20000; i++) {
      const ip = Math.imul(i, 2654435761) >>> 0;
      let want: number | null = null;
      for (let len = 32; len >= 0 && want === null; len--) want = byPrefix.get(`${v4(mask(ip, len))}/${len}`) ?? null;
      assert.equal(table.lookup({ v: 4, n: ip })?.asn ?? null, want, v4(ip));
      checked++;
      if (want !== null) hits++;
    }
    assert.ok(hits > 5000, `${hits} of ${checked} addresses routed`);
    // CANTV's space (SOURCES.md: AS8048, 231 prefixes in this RIB).
    const cantv = [...byPrefix].filter(([, a]) => a === 8048);
    assert.equal(cantv.length, 231);
    for (const [p] of cantv) assert.equal(table.lookup(parseIp(p.split('/')[0])!)?.asn, 8048, p);
  });
});

describe('parseLine', () => {
  it('reads both formats, masks host bits, accepts ASnnn, upper-cases the country', () => {
    assert.deepEqual(parseLine('1.2.3.4/24\t15169'), { ip: { v: 4, n: 0x01020300 }, len: 24, asn: 15169, cc: '', network: '' });
    assert.deepEqual(parseLine('127.80.0.0/16\tAS8048\tve\tCANTV Servicios'), { ip: { v: 4, n: 0x7f500000 }, len: 16, asn: 8048, cc: 'VE', network: 'CANTV Servicios' });
    assert.deepEqual(parseLine('10.0.0.0/8 64512'), { ip: { v: 4, n: 0x0a000000 }, len: 8, asn: 64512, cc: '', network: '' });
    assert.equal((parseLine('1.2.3.4\t1') as { len: number }).len, 32);
  });
  it('says why a line is bad', () => {
    assert.match(parseLine('garbage') as string, /expected "prefix<TAB>asn/);
    assert.match(parseLine('1.2.3.0/24\t99999999999') as string, /not an AS number/);
    assert.match(parseLine('1.2.3.0/24\t1\tVEN') as string, /two-letter/);
    assert.match(parseLine('::ffff:1.2.3.0/64\t1') as string, /shorter than \/96/);
    assert.match(parseLine('300.1.1.1/8\t1') as string, /not an IP prefix/);
  });
});

describe('ip', () => {
  it('parses IPv4, IPv6 (compressed, embedded IPv4, zone) and maps ::ffff:a.b.c.d to IPv4', () => {
    assert.deepEqual(parseIp('1.2.3.4'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('::ffff:1.2.3.4'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('::FFFF:0102:0304'), { v: 4, n: 0x01020304 });
    assert.deepEqual(parseIp('2001:db8::1'), { v: 6, n: (0x20010db8n << 96n) | 1n });
    assert.deepEqual(parseIp('fe80::1%eth0'), { v: 6, n: (0xfe80n << 112n) | 1n });
    assert.deepEqual(parseIp('1:2:3:4:5:6:7:8'), { v: 6, n: 0x00010002000300040005000600070008n });
    assert.deepEqual(parseIp('64:ff9b::192.0.2.33'), { v: 6, n: (0x64ff9bn << 96n) | 0xc0000221n });
    for (const bad of ['', '1.2.3', '01.2.3.4.5', 'hello', '1::2::3', '[::1]']) assert.equal(parseIp(bad), null, bad);
  });
  it('special-purpose ranges', () => {
    for (const s of ['10.0.0.1', '127.1.2.3', '100.127.255.255', '::1', 'fd00::1', '2001:db8:1::1', '3fff::1', '2002:c000:0204::1'])
      assert.equal(isSpecialPurpose(parseIp(s)!), true, s);
    for (const s of ['1.1.1.1', '100.128.0.1', '190.72.10.1', '2600:6000::1', '2a00:1450::1', '2001:218::1'])
      assert.equal(isSpecialPurpose(parseIp(s)!), false, s);
  });
});
