// The network environment a probe (or the control helper) measures from. The same code runs on
// the real internet and in the lab: the lab binds a source address per simulated network, points
// DNS at its own resolver, serves TLS with its own CA and listens on high ports while URLs keep
// their real hostnames (DESIGN.md §7).
export type ResolverSpec = { kind: 'system' } | { kind: 'udp'; address: string; port: number };

export interface NetEnv {
  resolver: ResolverSpec;
  /** bind source IP: the lab's simulated network */
  localAddress?: string;
  /** lab servers listen on high ports: URLs keep real hostnames; 80 → http, 443 → https */
  ports?: { http?: number; https?: number };
  /** extra trusted CA PEMs (added to Node's root store) */
  ca?: string[];
  /** lab: 127/8 answers are not bogons */
  loopbackIsNormal?: boolean;
  /** never connect to a non-public address (bogons: RFC 1918, loopback, link-local, …): the
   *  control helper measures for strangers and must not become a proxy into its own network */
  publicOnly?: boolean;
  /** per-step deadlines in ms */
  timeouts: { dns: number; connect: number; tls: number; http: number };
  /** byte caps: response body and response header block */
  caps: { body: number; headers: number };
}

export function defaultNetEnv(over: Partial<NetEnv> = {}): NetEnv {
  return {
    resolver: { kind: 'system' },
    ...over,
    timeouts: { dns: 5000, connect: 10000, tls: 10000, http: 15000, ...(over.timeouts ?? {}) },
    caps: { body: 1 << 20, headers: 64 * 1024, ...(over.caps ?? {}) },
  };
}

/** The port actually dialled for a URL's port: 80/443 are remapped in the lab. */
export function mapPort(env: NetEnv, port: number): number {
  if (port === 80 && env.ports?.http) return env.ports.http;
  if (port === 443 && env.ports?.https) return env.ports.https;
  return port;
}

/** "ip:port" with brackets for IPv6, as OONI writes endpoints. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Splits "ip:port" / "[v6]:port"; null when malformed. */
export function splitEndpoint(s: string): { ip: string; port: number } | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:\s]+):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { ip: m[1], port };
}
