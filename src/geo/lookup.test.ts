// openGeo against MaxMind's official test databases, whose source JSON is the ground truth, and
// against the lab's prefix table; every "Bad input" case of issue 10 answers ZZ/AS0 or a GEO error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGeo, type GeoLookup } from './lookup.js';
import { VigilError } from '../model/errors.js';

const DATA = new URL('../../../shared/data/geo/', import.meta.url).pathname;
const MM = join(DATA, 'maxmind-test');
const ASN_DB = join(MM, 'GeoLite2-ASN-Test.mmdb');
const COUNTRY_DB = join(MM, 'GeoLite2-Country-Test.mmdb');
const LAB_TSV = new URL('../lab/data/lab-prefixes.tsv', import.meta.url).pathname;

type Source = Array<Record<string, Record<string, any>>>;
function source(name: string): Array<[string, Record<string, any>]> {
  const rows = JSON.parse(readFileSync(join(MM, 'source-data', name), 'utf8')) as Source;
  return rows.map((r) => Object.entries(r)[0] as [string, Record<string, any>]);
}
/** The first address of a CIDR; MaxMind writes IPv4 ranges of IPv6 trees as ::a.b.c.d/len+96. */
function firstAddress(cidr: string): string {
  const a = cidr.split('/')[0];
  return /^::\d+\.\d+\.\d+\.\d+$/.test(a) ? a.slice(2) : a;
}

async function geoError(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof VigilError, `expected VigilError, got ${String(e)}`);
    assert.equal(e.code, 'GEO');
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'vigil-geo-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('MaxMind ASN database', () => {
  let geo: GeoLookup;
  before(async () => {
    geo = await openGeo({ asnDb: ASN_DB });
  });

  it('answers every network of GeoLite2-ASN-Test as its source data says (IPv4 and IPv6)', () => {
    const rows = source('GeoLite2-ASN-Test.json');
    assert.ok(rows.length > 700);
    let v6 = 0;
    for (const [cidr, rec] of rows) {
      const ip = firstAddress(cidr);
      if (ip.includes(':')) v6++;
      const got = geo.lookup(ip);
      assert.equal(got.asn, rec.autonomous_system_number, `${cidr} asn`);
      assert.equal(got.network, rec.autonomous_system_organization ?? '', `${cidr} name`);
      assert.equal(got.cc, 'ZZ', 'no country database given');
      assert.equal(got.source, 'mmdb:GeoLite2-ASN');
    }
    assert.ok(v6 > 200, 'IPv6 networks are looked up, not refused');
  });

  it('an address in no database is ZZ / AS0 / "" with source none', () => {
    assert.deepEqual(geo.lookup('8.8.8.8'), { cc: 'ZZ', asn: 0, network: '', source: 'none' });
  });

  it('an IPv4-mapped IPv6 address (a dual-stack socket peer) answers as its IPv4 form', () => {
    assert.deepEqual(geo.lookup('::ffff:1.0.0.1'), geo.lookup('1.0.0.1'));
    assert.equal(geo.lookup('::ffff:1.0.0.1').asn, 15169);
  });

  it('private, loopback, link-local, CGNAT, documentation, multicast, IPv6 ULA/link-local and non-addresses: ZZ/AS0, no throw', () => {
    const special = ['10.1.2.3', '192.168.1.1', '172.16.5.5', '127.0.0.1', '127.80.1.1', '169.254.1.1', '100.64.0.1',
      '0.0.0.0', '192.0.2.1', '198.51.100.7', '203.0.113.9', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1',
      'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', '2001:db8::1', 'ff02::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1'];
    for (const ip of special) assert.deepEqual(geo.lookup(ip), { cc: 'ZZ', asn: 0, network: '', source: 'special' }, ip);
    for (const bad of ['', 'not an ip', '1.2.3', '999.1.1.1', '1.2.3.4/24', '1.2.3.4:80', ' ', 'x'.repeat(10000), '::g']) {
      assert.deepEqual(geo.lookup(bad), { cc: 'ZZ', asn: 0, network: '', source: 'invalid' }, bad);
    }
    assert.equal(geo.lookup(undefined as unknown as string).source, 'invalid');
  });
});

describe('MaxMind country databases', () => {
  it('GeoLite2-Country-Test: every network answers its country (registered country when the located one is absent)', async () => {
    const geo = await openGeo({ countryDb: COUNTRY_DB });
    for (const [cidr, rec] of source('GeoLite2-Country-Test.json')) {
      const want = rec.country?.iso_code ?? rec.registered_country?.iso_code ?? 'ZZ';
      const got = geo.lookup(firstAddress(cidr));
      assert.equal(got.cc, want, cidr);
      assert.equal(got.asn, 0);
    }
  });

  it('a City database is accepted as the country database (a superset)', async () => {
    const geo = await openGeo({ countryDb: join(MM, 'GeoLite2-City-Test.mmdb') });
    const [cidr, rec] = source('GeoLite2-City-Test.json').find(([, r]) => r.country?.iso_code)!;
    assert.equal(geo.lookup(firstAddress(cidr)).cc, rec.country.iso_code);
  });

  it('ASN and country together fill both fields; sources are listed', async () => {
    const both = await openGeo({ asnDb: ASN_DB, countryDb: join(MM, 'GeoIP2-Country-Test.mmdb') });
    const asnOnly = await openGeo({ asnDb: ASN_DB });
    const ccOnly = await openGeo({ countryDb: join(MM, 'GeoIP2-Country-Test.mmdb') });
    assert.deepEqual(both.sources, ['mmdb:GeoLite2-ASN', 'mmdb:GeoIP2-Country']);
    let withBoth = 0;
    for (const [cidr] of [...source('GeoIP2-Country-Test.json'), ...source('GeoLite2-ASN-Test.json')]) {
      const ip = firstAddress(cidr);
      const g = both.lookup(ip);
      assert.equal(g.asn, asnOnly.lookup(ip).asn, ip);
      assert.equal(g.cc, ccOnly.lookup(ip).cc, ip);
      if (g.asn && g.cc !== 'ZZ') {
        withBoth++;
        assert.equal(g.source, 'mmdb:GeoLite2-ASN+mmdb:GeoIP2-Country');
      }
    }
    assert.ok(withBoth > 0, 'some addresses are in both test databases');
  });
});

describe('GeoIP2-ISP as the ASN database', () => {
  it('answers the AS number and organisation of its records', async () => {
    const geo = await openGeo({ asnDb: join(MM, 'GeoIP2-ISP-Test.mmdb') });
    let checked = 0;
    for (const [cidr, rec] of source('GeoIP2-ISP-Test.json')) {
      if (!rec.autonomous_system_number) continue;
      const got = geo.lookup(firstAddress(cidr));
      if (got.source === 'special') continue;
      assert.equal(got.asn, rec.autonomous_system_number, cidr);
      assert.equal(got.network, rec.autonomous_system_organization ?? rec.isp ?? rec.organization ?? '', cidr);
      checked++;
    }
    assert.ok(checked > 100, `checked ${checked}`);
  });
});

describe('database errors: one clear GEO line', () => {
  it('a City database given as the ASN database is refused, naming its type', async () => {
    await geoError(openGeo({ asnDb: join(MM, 'GeoLite2-City-Test.mmdb') }), /ASN database .*GeoLite2-City.*expected GeoLite2-ASN/);
  });
  it('an ASN database given as the country database is refused', async () => {
    await geoError(openGeo({ countryDb: ASN_DB }), /country database .*"GeoLite2-ASN" database, expected/);
  });
  it('a MaxMind DB of some other kind (decoder test) is refused for both roles', async () => {
    await geoError(openGeo({ asnDb: join(MM, 'MaxMind-DB-test-decoder.mmdb') }), /MaxMind DB Decoder Test/);
    await geoError(openGeo({ countryDb: join(MM, 'MaxMind-DB-test-decoder.mmdb') }), /MaxMind DB Decoder Test/);
  });
  it('a missing file, a directory, an empty path', async () => {
    await geoError(openGeo({ asnDb: join(tmp, 'nope.mmdb') }), /nope\.mmdb: no such file/);
    await geoError(openGeo({ countryDb: tmp }), /not a file/);
    await geoError(openGeo({ asnDb: '' }), /empty path/);
  });
  it('corrupt files: truncated, text, random bytes, empty', async () => {
    const buf = readFileSync(ASN_DB);
    const cases: Record<string, Buffer> = {
      'truncated.mmdb': buf.subarray(0, Math.floor(buf.length / 2)),
      'text.mmdb': Buffer.from('1.0.0.0/24\t15169\n'),
      'random.mmdb': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      'empty.mmdb': Buffer.alloc(0),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      writeFileSync(join(tmp, name), bytes);
      await geoError(openGeo({ asnDb: join(tmp, name) }), new RegExp(`${name.replace('.', '\\.')}: not a readable MaxMind DB file`));
    }
  });
  it('a damaged search tree (valid metadata) answers ZZ/AS0 instead of crashing', async () => {
    const buf = Buffer.from(readFileSync(ASN_DB));
    // Overwrite the first half of the tree/data section; the metadata at the end stays intact.
    for (let i = 0; i < Math.floor(buf.length / 2); i++) buf[i] = 0xff;
    const p = join(tmp, 'damaged.mmdb');
    writeFileSync(p, buf);
    const geo = await openGeo({ asnDb: p });
    for (const ip of ['1.0.0.1', '12.81.92.5', '2600:6000::1', '8.8.8.8']) {
      const g = geo.lookup(ip);
      assert.equal(typeof g.asn, 'number');
      assert.match(g.cc, /^[A-Z]{2}$/);
    }
  });
});

describe('prefix tables', () => {
  it("the lab's table maps its 127.x networks even though loopback is special-purpose", async () => {
    const geo = await openGeo({ prefixTables: [LAB_TSV], asnDb: ASN_DB });
    const rows = readFileSync(LAB_TSV, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    assert.ok(rows.length >= 3);
    for (const [prefix, asn, cc, name] of rows) {
      const [a, b] = prefix.split('.');
      const g = geo.lookup(`${a}.${b}.7.9`);
      assert.deepEqual(g, { cc, asn: Number(asn), network: name, source: 'prefix:lab-prefixes.tsv' });
    }
    // 127.0.0.1 is in none of the lab's networks: the special-purpose rule applies again.
    assert.equal(geo.lookup('127.0.0.1').source, 'special');
    // Public addresses still come from the mmdb.
    assert.equal(geo.lookup('1.0.0.1').asn, 15169);
  });

  it("pyasn's RouteViews table (.dat.gz) with the ASN mmdb filling in names for the same ASN", async () => {
    const pyasn = join(DATA, 'pyasn', 'ipasn_20140513.dat.gz');
    const geo = await openGeo({ prefixTables: [pyasn], asnDb: ASN_DB });
    assert.deepEqual(geo.lookup('190.72.10.1'), { cc: 'ZZ', asn: 8048, network: '', source: 'prefix:ipasn_20140513.dat.gz' });
    const g = geo.lookup('1.0.0.1');
    assert.equal(g.asn, 15169);
    assert.equal(g.network, 'Google Inc.');
    assert.equal(g.source, 'prefix:ipasn_20140513.dat.gz+mmdb:GeoLite2-ASN');
    assert.equal(geo.lookup('10.0.0.1').source, 'special');
  });

  it('the first table given wins for the same prefix; a longer prefix in a later table wins over a shorter one', async () => {
    const a = join(tmp, 'a.tsv');
    const b = join(tmp, 'b.tsv');
    writeFileSync(a, '# override\n198.18.0.0/16\tAS65001\tve\tFirst\n');
    writeFileSync(b, '198.18.0.0/16\t65002\tUS\tSecond\n198.18.5.0/24\t65003\t\tDeeper\n');
    const geo = await openGeo({ prefixTables: [a, b] });
    assert.deepEqual(geo.lookup('198.18.1.1'), { cc: 'VE', asn: 65001, network: 'First', source: 'prefix:a.tsv' });
    assert.deepEqual(geo.lookup('198.18.5.5'), { cc: 'ZZ', asn: 65003, network: 'Deeper', source: 'prefix:b.tsv' });
  });

  it('bad tables: missing, empty, binary (an mmdb), bad lines with their numbers, corrupt gzip', async () => {
    await geoError(openGeo({ prefixTables: [join(tmp, 'none.tsv')] }), /none\.tsv: no such file/);
    writeFileSync(join(tmp, 'empty.tsv'), '; only a comment\n\n');
    await geoError(openGeo({ prefixTables: [join(tmp, 'empty.tsv')] }), /no prefixes/);
    await geoError(openGeo({ prefixTables: [ASN_DB] }), /binary data.*--asn-db/);
    writeFileSync(join(tmp, 'bad.tsv'), '1.0.0.0/24\t15169\nfoo\t1\n1.0.0.0/33\t1\n2.0.0.0/8\tASX\n3.0.0.0/8\t3\tVEN\n4.0.0.0/8\t1\n');
    await geoError(openGeo({ prefixTables: [join(tmp, 'bad.tsv')] }),
      /bad\.tsv: line 2: not an IP prefix: "foo"; line 3: bad prefix length.*; line 4: not an AS number.*\(and 1 more bad lines\)/);
    writeFileSync(join(tmp, 'bad.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    await geoError(openGeo({ prefixTables: [join(tmp, 'bad.gz')] }), /corrupt gzip/);
    mkdirSync(join(tmp, 'dir.tsv'));
    await geoError(openGeo({ prefixTables: [join(tmp, 'dir.tsv')] }), /is a directory/);
  });

  it('an IPv6 table and an IPv4-mapped prefix', async () => {
    const p = join(tmp, 'v6.tsv');
    writeFileSync(p, '2a00:1450::/32\t15169\tUS\tGoogle\n2a00:1450:4000::/36\t64999\t\t\n::ffff:203.0.113.0/120\t64998\n');
    copyFileSync(p, join(tmp, 'v6copy.tsv'));
    const geo = await openGeo({ prefixTables: [p] });
    assert.equal(geo.lookup('2a00:1450:8000::1').asn, 15169);
    assert.equal(geo.lookup('2a00:1450:4001::1').asn, 64999);
    assert.equal(geo.lookup('2a00:1451::1').source, 'none');
    assert.equal(geo.lookup('203.0.113.77').asn, 64998);
  });

  it('no databases at all: everything is ZZ / AS0', async () => {
    const geo = await openGeo({});
    assert.deepEqual(geo.sources, []);
    assert.deepEqual(geo.lookup('1.0.0.1'), { cc: 'ZZ', asn: 0, network: '', source: 'none' });
  });
});
