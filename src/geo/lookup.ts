// IP → (country, AS number, network name) from the databases an operator points Vigil at.
//
// Precedence (docs/geolocation.md):
//   1. an explicitly given prefix table (Vigil TSV or pyasn), longest prefix first. It even wins
//      over the special-purpose rule: the lab maps 127.x ranges to simulated networks on purpose;
//   2. private, loopback, link-local, CGNAT, documentation, multicast, reserved → ZZ / AS0, as OONI
//      answers for an address no database can place;
//   3. the ASN .mmdb (AS number + organisation) and the country .mmdb (ISO code); an mmdb name or
//      country only fills in what the prefix table left empty, and a name only for the same ASN;
//   4. nothing matched → ZZ / AS0 / "".
// `source` says which databases answered ("prefix:lab-prefixes.tsv", "mmdb:GeoLite2-ASN+mmdb:
// GeoLite2-Country", "special", "none", "invalid"), so a measurement's geolocation can be audited.
import { VigilError } from '../model/errors.js';
import { isSpecialPurpose, parseIp, v4ToString } from './ip.js';
import { openMmdb, type MmdbSource } from './mmdb.js';
import { PrefixTable } from './prefix-table.js';

export interface GeoAnswer {
  /** ISO 3166-1 alpha-2; "ZZ" when unknown */
  cc: string;
  /** AS number; 0 when unknown */
  asn: number;
  /** network (AS organisation) name; "" when unknown */
  network: string;
  source: string;
}

export interface GeoLookup {
  /** Never throws: an address no database places (or not an address at all) gets ZZ / AS0. */
  lookup(ip: string): GeoAnswer;
  /** the databases behind it, for logs and `vigil geo` */
  readonly sources: string[];
}

export interface GeoOptions {
  asnDb?: string;
  countryDb?: string;
  prefixTables?: string[];
}

export const UNKNOWN_CC = 'ZZ';
export const UNKNOWN_ASN = 0;

export function unknownGeo(source: string): GeoAnswer {
  return { cc: UNKNOWN_CC, asn: UNKNOWN_ASN, network: '', source };
}

/** Opens every database given; VigilError('GEO', …) naming the file when one cannot be used. */
export async function openGeo(opts: GeoOptions = {}): Promise<GeoLookup> {
  for (const [flag, v] of [['ASN database', opts.asnDb], ['country database', opts.countryDb]] as const) {
    if (v !== undefined && v.trim() === '') throw new VigilError('GEO', `${flag}: empty path`);
  }
  const tables = opts.prefixTables ?? [];
  if (tables.some((p) => p.trim() === '')) throw new VigilError('GEO', 'prefix table: empty path');
  const asnDb = opts.asnDb !== undefined ? await openMmdb(opts.asnDb, 'asn') : undefined;
  const countryDb = opts.countryDb !== undefined ? await openMmdb(opts.countryDb, 'country') : undefined;
  const table = tables.length ? PrefixTable.load(tables) : undefined;
  return geoFrom({ asnDb, countryDb, table });
}

/** Builds a lookup from already-opened parts (the lab and tests use an in-memory table). */
export function geoFrom(parts: { asnDb?: MmdbSource; countryDb?: MmdbSource; table?: PrefixTable }): GeoLookup {
  const { asnDb, countryDb, table } = parts;
  // An IPinfo file given only as the ASN database answers the country too.
  const ccDbs = [countryDb, asnDb && /ipinfo|Enterprise/i.test(asnDb.type) ? asnDb : undefined].filter((d): d is MmdbSource => !!d);
  const sources = [
    ...(table ? table.sources.map((t) => `prefix:${t}`) : []),
    ...(asnDb ? [`mmdb:${asnDb.type}`] : []),
    ...(countryDb ? [`mmdb:${countryDb.type}`] : []),
  ];
  return {
    sources,
    lookup(input: string): GeoAnswer {
      const ip = typeof input === 'string' ? parseIp(input) : null;
      if (!ip) return unknownGeo('invalid');
      const m = table?.lookup(ip) ?? null;
      const special = isSpecialPurpose(ip);
      if (special && !m) return unknownGeo('special');
      let cc = UNKNOWN_CC;
      let asn = UNKNOWN_ASN;
      let network = '';
      const used: string[] = [];
      if (m) {
        asn = m.asn;
        network = m.network;
        if (m.cc) cc = m.cc;
        used.push(`prefix:${m.table}`);
      }
      if (!special) {
        // mmdb-lib wants the plain form; an IPv4-mapped address is asked as IPv4.
        const text = ip.v === 4 ? v4ToString(ip.n) : input.trim().replace(/%.*$/, '');
        const a = asnDb?.asn(text);
        if (a && (asn === UNKNOWN_ASN || (a.asn === asn && network === '' && a.network !== ''))) {
          asn = a.asn;
          network = a.network;
          used.push(`mmdb:${asnDb!.type}`);
        }
        for (const db of ccDbs) {
          if (cc !== UNKNOWN_CC) break;
          const c = db.country(text);
          if (c) {
            cc = c;
            if (!used.includes(`mmdb:${db.type}`)) used.push(`mmdb:${db.type}`);
          }
        }
      }
      return { cc, asn, network, source: used.length ? used.join('+') : 'none' };
    },
  };
}
