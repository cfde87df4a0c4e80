// Where the geolocation databases come from: flags first, then the environment, so `vigil serve`,
// `vigil probe` and `vigil geo` read them the same way (docs/geolocation.md).
//   VIGIL_GEO_ASN_DB        path of an ASN .mmdb (GeoLite2-ASN, DBIP-ASN-Lite, IPinfo lite)
//   VIGIL_GEO_COUNTRY_DB    path of a country .mmdb (GeoLite2-Country/-City, DBIP-Country-Lite)
//   VIGIL_GEO_PREFIX_TABLES prefix tables (Vigil TSV or pyasn .dat[.gz]), separated by ':'
import type { GeoOptions } from './lookup.js';

/** parseArgs options for the three geo flags (--prefix-table may be given several times). */
export const GEO_FLAGS = {
  'asn-db': { type: 'string' },
  'country-db': { type: 'string' },
  'prefix-table': { type: 'string', multiple: true },
} as const;

export interface GeoFlagValues {
  'asn-db'?: string;
  'country-db'?: string;
  'prefix-table'?: string[];
}

export function geoOptionsFrom(flags: GeoFlagValues, env: NodeJS.ProcessEnv = {}): GeoOptions {
  const tables = flags['prefix-table'] ?? (env.VIGIL_GEO_PREFIX_TABLES ? env.VIGIL_GEO_PREFIX_TABLES.split(':').filter(Boolean) : undefined);
  const o: GeoOptions = {};
  const asn = flags['asn-db'] ?? (env.VIGIL_GEO_ASN_DB || undefined);
  const country = flags['country-db'] ?? (env.VIGIL_GEO_COUNTRY_DB || undefined);
  if (asn !== undefined) o.asnDb = asn;
  if (country !== undefined) o.countryDb = country;
  if (tables?.length) o.prefixTables = tables;
  return o;
}
