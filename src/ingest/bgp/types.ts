// Decoded MRT (RFC 6396) records and BGP UPDATE contents (RFC 4271, RFC 4760, RFC 6793, RFC 8050).
// Field meanings follow the RFCs; where bgpdump's reading differs (defaults for absent attributes,
// which MP_REACH slots exist) the comment says so, because `vigil bgp dump` must print what it prints.

export const MRT = {
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
} as const;

/** One MRT record as framed on disk: the 12-byte common header (+4 for _ET) and its body. */
export interface MrtRecord {
  /** byte offset of the record header in the decompressed stream */
  offset: number;
  timestamp: number;
  /** microseconds from the BGP4MP_ET extended header, else 0 */
  microseconds: number;
  type: number;
  subtype: number;
  /** body (without the ET microsecond field); a view into a shared buffer: copy it to keep it */
  body: Uint8Array;
}

/** A prefix; IPv4 addresses are kept as a uint32 (cheap), IPv6 as 16 bytes. */
export interface Prefix {
  afi: 1 | 2;
  /** prefix length as encoded (bgpdump prints it even when > 32 / > 128) */
  len: number;
  /** IPv4 address as an unsigned 32-bit number (afi 1) */
  v4: number;
  /** IPv6 address bytes (afi 2) */
  v6: Uint8Array | null;
  /** RFC 8050 / RFC 7911 path identifier, 0 without add-path */
  pathId: number;
}

export interface AsPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET */
  type: number;
  asns: number[];
}

export interface AsPath {
  segments: AsPathSegment[];
  /** bgpdump's count: a sequence counts its length, a set counts 1 (RFC 4271 §9.1.2.2) */
  count: number;
  /** malformed (bad segment type or length): bgpdump prints "! Error !" */
  error: boolean;
}

/** MP_REACH_NLRI / MP_UNREACH_NLRI contents for one AFI/SAFI (RFC 4760). */
export interface MpNlri {
  afi: number;
  safi: number;
  /** next hop length as encoded; 0 for MP_UNREACH */
  nextHopLen: number;
  /** first next hop: 4 bytes (IPv4) or 16 bytes (IPv6); null when the length is not 4/16/32 */
  nextHop: Uint8Array | null;
  prefixes: Prefix[];
}

export interface Attributes {
  /** bit (type-1) set for every attribute type 1..32 that was present and complete */
  flags: number;
  /** 0 IGP, 1 EGP, 2 INCOMPLETE; -1 when absent */
  origin: number;
  asPath: AsPath | null;
  /** AS4_PATH (RFC 6793) as received, before merging */
  as4Path: AsPath | null;
  /** NEXT_HOP as uint32, or null when absent (bgpdump prints 255.255.255.255) */
  nextHop: number | null;
  med: number | null;
  localPref: number | null;
  atomicAggregate: boolean;
  aggregator: { asn: number; addr: number } | null;
  communities: number[] | null;
  largeCommunities: Array<[number, number, number]> | null;
  /** raw 8-byte extended communities (RFC 4360) */
  extCommunities: Uint8Array[] | null;
  /** MP_REACH, keyed afi*256+safi; bgpdump keeps only AFI 1..2, SAFI 1..3 (and 0 for AFI) */
  mpReach: Map<number, MpNlri> | null;
  mpUnreach: Map<number, MpNlri> | null;
  /** type codes of attributes Vigil does not decode (kept by length) */
  unknown: number[] | null;
}

export interface PeerEntry {
  afi: 1 | 2;
  bgpId: number;
  ip: string;
  asn: number;
}

export interface PeerIndexTable {
  kind: 'peer_index';
  record: MrtRecord;
  collectorId: number;
  viewName: string;
  peers: PeerEntry[];
}

export interface RibEntry {
  peer: PeerEntry;
  peerIndex: number;
  originated: number;
  pathId: number;
  attrs: Attributes;
}

/** TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST and their add-path forms (RFC 6396 §4.3.2, RFC 8050). */
export interface RibRecord {
  kind: 'rib';
  record: MrtRecord;
  addPath: boolean;
  sequence: number;
  prefix: Prefix;
  entries: RibEntry[];
}

/** Legacy TABLE_DUMP (RFC 6396 §4.2). */
export interface TableDumpRecord {
  kind: 'table_dump';
  record: MrtRecord;
  afi: 1 | 2;
  view: number;
  sequence: number;
  prefix: Prefix;
  status: number;
  originated: number;
  peerIp: string;
  peerAs: number;
  attrs: Attributes;
}

/** BGP4MP(_ET) MESSAGE* carrying a BGP UPDATE (RFC 6396 §4.4). */
export interface UpdateRecord {
  kind: 'update';
  record: MrtRecord;
  /** session address family: 1 IPv4, 2 IPv6 */
  afi: 1 | 2;
  local: boolean;
  addPath: boolean;
  as4: boolean;
  peerAs: number;
  localAs: number;
  peerIp: string;
  localIp: string;
  withdrawn: Prefix[];
  announced: Prefix[];
  attrs: Attributes;
}

/** BGP4MP(_ET) STATE_CHANGE(_AS4) (RFC 6396 §4.4.1). */
export interface StateChangeRecord {
  kind: 'state';
  record: MrtRecord;
  afi: 1 | 2;
  peerAs: number;
  localAs: number;
  peerIp: string;
  oldState: number;
  newState: number;
}

/** A BGP message that is not an UPDATE (OPEN, NOTIFICATION, KEEPALIVE). */
export interface OtherMessageRecord {
  kind: 'message';
  record: MrtRecord;
  bgpType: number;
}

export type MrtEntry = PeerIndexTable | RibRecord | TableDumpRecord | UpdateRecord | StateChangeRecord | OtherMessageRecord;

/** Something skipped or suspicious, and where (decompressed byte offset of the record). */
export interface MrtWarning {
  offset: number;
  reason: string;
}
