// Bogon addresses (RFC 6890 special-purpose blocks): a DNS answer pointing there is a lie on the
// public internet. OONI does not turn them into a DNS failure; web_connectivity's analysis reads
// an all-bogon answer as dns_consistency "inconsistent" (ts-017; probe-cli's netxlite.IsBogon).
import { BlockList, isIP } from 'node:net';

const V4 = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const;
const V6 = [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64]] as const;

const bogons = new BlockList();
for (const [a, p] of V4) bogons.addSubnet(a, p, 'ipv4');
for (const [a, p] of V6) bogons.addSubnet(a, p, 'ipv6');
const loopback4 = new BlockList();
loopback4.addSubnet('127.0.0.0', 8, 'ipv4');

/** True for special-purpose addresses; 127/8 (and ::1) count unless the lab says loopback is normal. */
export function isBogon(ip: string, loopbackIsNormal = false): boolean {
  const fam = isIP(ip);
  if (fam === 0) return false;
  if (fam === 4) {
    if (loopback4.check(ip, 'ipv4')) return !loopbackIsNormal;
    return bogons.check(ip, 'ipv4');
  }
  if (ip === '::1') return !loopbackIsNormal;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isBogon(mapped[1], loopbackIsNormal);
  return bogons.check(ip, 'ipv6');
}
