// The censor in the kernel (netns lab, DESIGN.md §7): what the router (and, for a site down
// everywhere, the servers' namespace) is told to do for each technique. Pure: technique and
// target in, command lines out; lab.ts runs them inside the namespaces.
import { SITES, relocate, type LabSite } from '../sites.js';
import type { Technique } from '../techniques.js';
import { NETNS_PLAN as P } from './plan.js';

export interface RuleSet {
  /** an `nft -f -` script for the router */
  nft: string[];
  /** iptables argument lists for the router */
  iptables: string[][];
  /** tc argument lists for the router (interface r0 faces the client) */
  tc: string[][];
  /** an `nft -f -` script for the servers namespace */
  serversNft: string[];
}

export const emptyRules = (): RuleSet => ({ nft: [], iptables: [], tc: [], serversNft: [] });

export function sitesFor(targets: string[]): LabSite[] {
  return targets.includes('*') ? SITES : SITES.filter((s) => targets.includes(s.target));
}

/** Names to match in a ClientHello: the site's hostnames minus those another one already covers. */
export function sniPatterns(site: LabSite): string[] {
  return site.hostnames.filter((h) => !site.hostnames.some((o) => o !== h && h.endsWith('.' + o)));
}

const boxAddress = (site: LabSite, hosting: string) => relocate(site.address, hosting);

export function rulesFor(technique: Technique, targets: string[], into: RuleSet = emptyRules()): RuleSet {
  const sites = sitesFor(targets);
  const addr = (s: LabSite) => relocate(s.address, P.hosting);
  switch (technique) {
    case 'dns_nxdomain':
    case 'dns_bogon':
    case 'dns_inject':
      // A transparent DNS proxy: the ISP's resolver traffic goes to a liar that lies about the targets.
      into.nft.push(`add rule ip vgl pre ip daddr ${P.resolver} udp dport 53 dnat to ${P.liars[technique]}`);
      break;
    case 'tcp_blackhole':
      for (const s of sites) into.nft.push(`add rule ip vgl filt ip daddr ${addr(s)} drop`);
      break;
    case 'tcp_rst':
      for (const s of sites) into.iptables.push(['-A', 'FORWARD', '-d', addr(s), '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
      break;
    case 'sni_reset':
    case 'sni_stall':
      for (const s of sites) for (const name of sniPatterns(s)) {
        into.iptables.push(['-A', 'FORWARD', '-p', 'tcp', '--dport', '443', '-m', 'string', '--string', name, '--algo', 'bm',
          '-j', ...(technique === 'sni_reset' ? ['REJECT', '--reject-with', 'tcp-reset'] : ['DROP'])]);
      }
      break;
    case 'tls_intercept':
      for (const s of sites) into.nft.push(`add rule ip vgl pre ip daddr ${addr(s)} tcp dport 443 dnat to ${boxAddress(s, P.interceptHosting)}`);
      break;
    case 'http_blockpage':
    case 'http_rewrite': {
      const hosting = technique === 'http_blockpage' ? P.blockpageHosting : P.rewriteHosting;
      for (const s of sites) into.nft.push(`add rule ip vgl pre ip daddr ${addr(s)} tcp dport 80 dnat to ${boxAddress(s, hosting)}`);
      break;
    }
    case 'throttle':
      // Traffic from the targets towards the client goes through a token bucket (tbf), the rest
      // does not: an htb root only sorts packets into two classes (this kernel has no prio qdisc).
      if (into.tc.length === 0) {
        into.tc.push(['qdisc', 'add', 'dev', 'r0', 'root', 'handle', '1:', 'htb', 'default', '20', 'r2q', '100000']);
        into.tc.push(['class', 'add', 'dev', 'r0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit']);
        into.tc.push(['class', 'add', 'dev', 'r0', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '10gbit']);
        into.tc.push(['qdisc', 'add', 'dev', 'r0', 'parent', '1:10', 'handle', '10:', 'tbf', 'rate', `${P.throttleKbit}kbit`, 'burst', '8kb', 'latency', '200ms']);
      }
      for (const s of sites) into.tc.push(['filter', 'add', 'dev', 'r0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'src', `${addr(s)}/32`, 'flowid', '1:10']);
      break;
    case 'down':
      for (const s of sites) into.serversNft.push(`add rule inet vgl input ip daddr ${addr(s)} tcp dport { 80, 443 } reject with tcp reset`);
      break;
  }
  return into;
}

/** The router's nft script: a fresh `ip vgl` table with a DNAT and a forward chain, then the rules. */
export function routerNftScript(rules: string[]): string {
  return [
    'table ip vgl',
    'delete table ip vgl',
    'add table ip vgl',
    'add chain ip vgl pre { type nat hook prerouting priority -100; }',
    'add chain ip vgl filt { type filter hook forward priority 0; }',
    ...rules,
  ].join('\n') + '\n';
}

export function serversNftScript(rules: string[]): string {
  return [
    'table inet vgl',
    'delete table inet vgl',
    'add table inet vgl',
    'add chain inet vgl input { type filter hook input priority 0; }',
    ...rules,
  ].join('\n') + '\n';
}
