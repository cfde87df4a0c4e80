// The lab's address plan (loopback). Linux routes all of 127.0.0.0/8 to `lo`, so every simulated
// network gets its own /16 there: probes bind source addresses inside it, which is how the censor
// (keyed by the connection's source address) knows which network a packet comes from.
// The geolocation engineer reads the same plan from data/lab-prefixes.tsv (written from here).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LabNetwork {
  name: string;
  asn: number;
  cc: string;
  /** the /16 the network's probes (and its resolver) live in */
  prefix: string;
  /** the ISP resolver (DNS, UDP) address */
  resolver: string;
  /** censored by scenarios (false for the outside network that hosts the control helper) */
  censored: boolean;
}

/** The three Venezuelan access networks the seed scenario is about, plus the outside world. */
export const NETWORKS: LabNetwork[] = [
  { name: 'CANTV', asn: 8048, cc: 'VE', prefix: '127.80.0.0/16', resolver: '127.80.0.53', censored: true },
  { name: 'Movistar', asn: 6306, cc: 'VE', prefix: '127.81.0.0/16', resolver: '127.81.0.53', censored: true },
  { name: 'Digitel', asn: 264731, cc: 'VE', prefix: '127.82.0.0/16', resolver: '127.82.0.53', censored: true },
];

/** Outside the censored country: the clean resolver and the control helper live here. */
export const OUTSIDE: LabNetwork = {
  name: 'Lab Transit', asn: 64500, cc: 'US', prefix: '127.90.0.0/16', resolver: '127.90.0.53', censored: false,
};

/** Where the platforms' and control sites' servers live (a hosting network, never censored itself). */
export const HOSTING = { name: 'Lab Hosting', asn: 64501, cc: 'US', prefix: '127.100.0.0/16' };

export const HELPER_ADDRESS = '127.90.0.10';
export const OUTSIDE_CLIENT_ADDRESS = '127.90.0.11';

/** Probe i of a network binds 127.N.1+⌊i/250⌋.(i%250)+1: up to 64k probes per network. */
export function probeAddress(net: LabNetwork, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 250 * 250) throw new RangeError(`probe index out of range: ${index}`);
  const [a, b] = net.prefix.split('.');
  return `${a}.${b}.${1 + Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export function ipv4ToInt(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) return -1;
  let n = 0;
  for (const s of p) {
    const v = Number(s);
    if (!/^\d{1,3}$/.test(s) || v > 255) return -1;
    n = n * 256 + v;
  }
  return n;
}

export function inPrefix(ip: string, prefix: string): boolean {
  const [base, len] = prefix.split('/');
  const n = ipv4ToInt(ip.replace(/^::ffff:/, ''));
  if (n < 0) return false;
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  const start = ipv4ToInt(base);
  return n >= start && n < start + size;
}

/** The network a source address belongs to (censored networks and outside), or null. */
export function networkOf(ip: string): LabNetwork | null {
  // The second octet identifies the /16: a switch on one number keeps per-connection work light.
  const m = /^(?:::ffff:)?127\.(\d{1,3})\./.exec(ip);
  if (!m) return null;
  const second = Number(m[1]);
  for (const n of NETWORKS) if (Number(n.prefix.split('.')[1]) === second) return n;
  if (Number(OUTSIDE.prefix.split('.')[1]) === second) return OUTSIDE;
  return null;
}

export function networkByName(name: string): LabNetwork | undefined {
  const k = name.toLowerCase();
  return [...NETWORKS, OUTSIDE].find((n) => n.name.toLowerCase() === k);
}

/** The prefix table for geolocation: `prefix<TAB>asn<TAB>cc<TAB>network name`. */
export function prefixTableTsv(): string {
  const rows = [...NETWORKS, OUTSIDE, HOSTING].map((n) => `${n.prefix}\t${n.asn}\t${n.cc}\t${n.name}`);
  return rows.join('\n') + '\n';
}

/** data/lab-prefixes.tsv, found from src/lab or a compiled dist/(src/)lab alike (tsc does not copy data files). */
export const PREFIX_TABLE_PATH = ((): string => {
  const candidates = ['./data/lab-prefixes.tsv', '../../src/lab/data/lab-prefixes.tsv', '../../../src/lab/data/lab-prefixes.tsv']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
})();
