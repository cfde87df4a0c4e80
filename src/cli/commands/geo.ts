// `vigil geo lookup IP…`: what Vigil's geolocation says about addresses, for operators checking
// their databases (the collector and the probe use the same lookup). See docs/geolocation.md.
import type { Command } from '../context.js';
import { parse } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { openGeo } from '../../geo/lookup.js';
import { parseIp } from '../../geo/ip.js';
import { GEO_FLAGS, geoOptionsFrom } from '../../geo/config.js';

const help = `usage: vigil geo lookup IP… [--asn-db FILE] [--country-db FILE] [--prefix-table FILE]… [--json]

Looks addresses up the way the collector and the probe do: an explicit prefix table first (Vigil
TSV "prefix<TAB>asn<TAB>cc<TAB>name" or pyasn ipasn .dat/.dat.gz), then private/loopback/reserved
addresses → ZZ / AS0, then the ASN and country .mmdb files (GeoLite2, DB-IP lite, IPinfo lite).

  --asn-db FILE        ASN database (.mmdb)               [env VIGIL_GEO_ASN_DB]
  --country-db FILE    country database (.mmdb)           [env VIGIL_GEO_COUNTRY_DB]
  --prefix-table FILE  prefix table; repeat for several   [env VIGIL_GEO_PREFIX_TABLES, ':'-separated]
  --json               one JSON array instead of lines

Output, one line per address: IP  ASnnn  CC  network name  (source)
Unknown addresses print AS0 / ZZ, as OONI does.
`;

const command: Command = {
  summary: 'look addresses up in the geolocation databases (AS, country, network)',
  help,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...GEO_FLAGS, json: { type: 'boolean' } });
    const [sub, ...ips] = positionals;
    if (sub !== 'lookup') throw new UsageError(sub === undefined ? 'geo: expected a subcommand: lookup IP…' : `geo: unknown subcommand "${sub}" (expected lookup)`);
    if (ips.length === 0) throw new UsageError('geo lookup: give at least one IP address');
    const bad = ips.find((ip) => !parseIp(ip));
    if (bad !== undefined) throw new UsageError(`geo lookup: not an IP address: "${bad.slice(0, 80)}"`);
    const geo = await openGeo(geoOptionsFrom(values, ctx.env));
    const rows = ips.map((ip) => ({ ip, ...geo.lookup(ip) }));
    if (values.json) {
      ctx.stdout.write(JSON.stringify(rows.map((r) => ({ ip: r.ip, cc: r.cc, asn: r.asn, probe_asn: `AS${r.asn}`, network: r.network, source: r.source })), null, 2) + '\n');
    } else {
      if (geo.sources.length === 0) ctx.stderr.write('vigil: no geolocation database given (--asn-db, --country-db, --prefix-table): every answer is AS0 / ZZ\n');
      for (const r of rows) ctx.stdout.write(`${r.ip}\tAS${r.asn}\t${r.cc}\t${r.network || '-'}\t(${r.source})\n`);
    }
    return 0;
  },
};
export default command;
