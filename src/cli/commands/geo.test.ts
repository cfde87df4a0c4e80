// `vigil geo lookup` through the CLI shell: answers, JSON, and the one-line errors with exit codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { main } from '../main.js';

const MM = new URL('../../../../shared/data/geo/maxmind-test/', import.meta.url).pathname;
const LAB_TSV = new URL('../../lab/data/lab-prefixes.tsv', import.meta.url).pathname;

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const code = await main(args, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env, isTTY: false });
  return { code, out, err };
}

describe('vigil geo lookup', () => {
  it('prints AS, country, network and source per address', async () => {
    const r = await run(['geo', 'lookup', '1.0.0.1', '127.81.3.3', '192.168.1.1', '--asn-db', `${MM}GeoLite2-ASN-Test.mmdb`, '--prefix-table', LAB_TSV]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), [
      '1.0.0.1\tAS15169\tZZ\tGoogle Inc.\t(mmdb:GeoLite2-ASN)',
      '127.81.3.3\tAS6306\tVE\tMovistar\t(prefix:lab-prefixes.tsv)',
      '192.168.1.1\tAS0\tZZ\t-\t(special)',
    ]);
  });

  it('--json, with databases from the environment', async () => {
    const r = await run(['geo', 'lookup', '2600:6000::1', '--json'], { VIGIL_GEO_ASN_DB: `${MM}GeoLite2-ASN-Test.mmdb`, VIGIL_GEO_COUNTRY_DB: `${MM}GeoLite2-Country-Test.mmdb` });
    assert.equal(r.code, 0, r.err);
    const [row] = JSON.parse(r.out);
    assert.equal(row.probe_asn, 'AS237');
    assert.equal(row.ip, '2600:6000::1');
  });

  it('errors: one line, exit 2 for usage, 1 for a bad database', async () => {
    for (const [args, code, re] of [
      [['geo'], 2, /expected a subcommand/],
      [['geo', 'where'], 2, /unknown subcommand/],
      [['geo', 'lookup'], 2, /at least one IP/],
      [['geo', 'lookup', '1.2.3.999'], 2, /not an IP address/],
      [['geo', 'lookup', '1.2.3.4', '--asn-db', `${MM}GeoLite2-City-Test.mmdb`], 1, /"GeoLite2-City" database, expected/],
      [['geo', 'lookup', '1.2.3.4', '--prefix-table', '/nonexistent/x.tsv'], 1, /no such file/],
    ] as Array<[string[], number, RegExp]>) {
      const r = await run(args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.err, re);
      assert.equal(r.err.trim().split('\n').length, 1);
    }
  });
});
