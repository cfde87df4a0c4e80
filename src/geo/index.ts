// Geolocation of addresses (the probe's, its resolver's, a collector's caller's): see lookup.ts.
export { openGeo, geoFrom, unknownGeo, UNKNOWN_ASN, UNKNOWN_CC } from './lookup.js';
export type { GeoAnswer, GeoLookup, GeoOptions } from './lookup.js';
export { PrefixTable } from './prefix-table.js';
export { parseIp, isSpecialPurpose } from './ip.js';
