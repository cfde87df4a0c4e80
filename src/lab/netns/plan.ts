// The netns lab's address plan. Every address lives only inside the namespaces the lab creates
// (client ↔ router ↔ servers); nothing touches the host's interfaces or routes.
export const NETNS_PLAN = {
  /** the client namespace: one CANTV probe */
  network: 'CANTV',
  clientAddr: '10.80.1.1',
  clientPrefixLen: 16,
  clientGateway: '10.80.0.1',
  /** router ↔ servers link */
  routerServersAddr: '10.99.0.1',
  serversLinkAddr: '10.99.0.2',
  linkPrefixLen: 24,
  /** the servers namespace owns 10.100.0.0/14 (an "AnyIP" local route): sites, resolvers, helper, censor boxes */
  serversLocalRange: '10.100.0.0/14',
  /** sites: the loopback plan's 127.100.x.y become 10.100.x.y */
  hosting: '10.100',
  /** the ISP resolver the probe uses (truthful) and the liars the router DNATs DNS to */
  resolver: '10.100.0.53',
  liars: { dns_nxdomain: '10.100.0.54', dns_bogon: '10.100.0.55', dns_inject: '10.100.0.56' },
  helperAddr: '10.100.0.10',
  helperPort: 8080,
  /** censor boxes the router DNATs to: 10.101.x.y intercepts TLS, 10.102 serves the block page, 10.103 rewrites */
  interceptHosting: '10.101',
  blockpageHosting: '10.102',
  rewriteHosting: '10.103',
  /** tbf rate for `throttle` */
  throttleKbit: 1000,
} as const;

export interface NetnsNames {
  client: string;
  router: string;
  servers: string;
}

/** Unique namespace names per lab: vgl-<pid>-<random>-{c,r,s}. */
export function netnsNames(tag: string): NetnsNames {
  return { client: `${tag}-c`, router: `${tag}-r`, servers: `${tag}-s` };
}
