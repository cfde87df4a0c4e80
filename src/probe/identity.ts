// Where is the probe (issue 10 §2–3)? Its country, AS number and network name, and its resolver's
// egress address and AS, found without the probe ever writing down its own address:
//
//   1. the collector's GET /api/v1/geolookup, which places the connection's source address;
//   2. the probe's own database (GeoLookup) for the address it sends from (env.localAddress, or
//      the one the kernel picks towards the collector/resolver): right in the lab and on a host
//      with a public address, ZZ behind NAT;
//   3. the operator's --cc/--asn/--network flags.
// The first source that knows the AS number gives asn + network name; the country comes from the
// first that knows it. A probe that cannot tell says so (annotations.vigil_location = "unknown")
// and records ZZ / AS0: it never guesses.
//
// Resolver: the probe resolves <nonce>.<whoamiName> through its configured resolver; the helper's
// whoami server answers with the address the resolver asked from (src/helper/whoami-dns.ts).
// That address is placed by the collector (?resolver_ip=) or the probe's own database. If the
// collector says it is the probe's own address (a self-run recursive resolver), it is dropped.
import http from 'node:http';
import https from 'node:https';
import dgram from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { rootCertificates } from 'node:tls';
import type { NetEnv } from '../netx/env.js';
import { resolveHost } from '../netx/dns.js';
import { Trace } from '../netx/trace.js';
import type { GeoLookup } from '../geo/lookup.js';

export interface IdentityFlags {
  cc?: string;
  asn?: number;
  network?: string;
}

export interface IdentityOptions {
  /** base URL of the collector (http or https); its /api/v1/geolookup is asked first */
  collectorUrl?: string;
  /** the probe's own database (fallback for its own address; places the resolver) */
  geo?: GeoLookup;
  flags?: IdentityFlags;
  env: NetEnv;
  /** the helper's whoami zone, e.g. "whoami.vigil.invalid"; absent: resolver from the env only */
  whoamiName?: string;
  /** source address to send from; default env.localAddress */
  localAddress?: string;
}

export interface Identity {
  cc: string;
  asn: number;
  network: string;
  resolverIp: string | null;
  resolverAsn: number | null;
  resolverNetwork: string | null;
  /** where cc/asn came from: "collector", "geo:<db source>", "flags", joined by "+"; "unknown" */
  source: string;
  /** for the measurement envelope's annotations (strings only, never an address of the probe) */
  annotations: Record<string, string>;
}

interface Placed { cc: string; asn: number; network: string }
interface CollectorAnswer extends Placed {
  resolver?: Placed & { isCaller: boolean };
}

const CC_RE = /^[A-Z]{2}$/;

export async function resolveIdentity(opts: IdentityOptions): Promise<Identity> {
  const env = opts.env;
  const local = opts.localAddress ?? env.localAddress;
  const notes: string[] = [];

  // Resolver first: its address goes to the collector in the same request.
  const who = opts.whoamiName ? await whoami(opts.whoamiName, env, local) : { ip: null, why: 'no whoami name configured' };
  let resolverIp = who.ip;
  let resolverSource = who.ip ? 'whoami' : 'unknown';
  if (!resolverIp && env.resolver.kind === 'udp' && isIP(env.resolver.address)) {
    // The configured resolver is a fact, not a guess; its egress address may differ (forwarders,
    // anycast), which is why whoami is asked first and the annotation says which one this is.
    resolverIp = env.resolver.address;
    resolverSource = 'configured';
  }

  const candidates: Array<{ name: string; p: Placed }> = [];
  let collectorResolver: CollectorAnswer['resolver'];
  if (opts.collectorUrl) {
    const c = await askCollector(opts.collectorUrl, env, local, resolverIp);
    if (typeof c === 'string') notes.push(`collector: ${c}`);
    else {
      candidates.push({ name: 'collector', p: c });
      collectorResolver = c.resolver;
      if (c.asn === 0 && c.cc === 'ZZ') notes.push('collector: address not in its databases');
    }
  } else notes.push('collector: none configured');

  if (opts.geo) {
    const from = local ?? (await sourceAddressTowards(opts.collectorUrl, env));
    if (from) {
      const g = safeLookup(opts.geo, from);
      candidates.push({ name: `geo:${g.source}`, p: g });
      if (g.asn === 0 && g.cc === 'ZZ') notes.push(`own database: ${g.source === 'special' ? 'local address is private' : 'no answer'}`);
    } else notes.push('own database: no local address to look up');
  } else notes.push('own database: none configured');

  const f = opts.flags ?? {};
  const flagged: Placed = {
    cc: f.cc && CC_RE.test(f.cc.toUpperCase()) ? f.cc.toUpperCase() : 'ZZ',
    asn: f.asn && Number.isInteger(f.asn) && f.asn > 0 && f.asn <= 0xffffffff ? f.asn : 0,
    network: f.network ?? '',
  };
  if (flagged.asn || flagged.cc !== 'ZZ') candidates.push({ name: 'flags', p: flagged });

  const byAsn = candidates.find((c) => c.p.asn > 0);
  const byCc = candidates.find((c) => c.p.cc !== 'ZZ');
  const cc = byCc?.p.cc ?? 'ZZ';
  const asn = byAsn?.p.asn ?? 0;
  const network = byAsn?.p.network ?? '';
  const used = [...new Set([byAsn?.name, byCc?.name].filter((x): x is string => !!x))];
  const annotations: Record<string, string> = {};
  if (used.length === 0) {
    annotations.vigil_location = 'unknown';
    annotations.vigil_location_reason = notes.join('; ').slice(0, 300);
  } else {
    annotations.vigil_location_source = used.join('+');
    if (!byAsn) annotations.vigil_asn = 'unknown';
    if (!byCc) annotations.vigil_cc = 'unknown';
  }

  // Place the resolver: the collector's answer, else the probe's own database.
  let resolverAsn: number | null = null;
  let resolverNetwork: string | null = null;
  if (resolverIp) {
    if (collectorResolver?.isCaller) {
      // The resolver is this very machine seen from outside: recording it would store the probe's address.
      resolverIp = null;
      resolverSource = 'same_as_probe';
      resolverAsn = asn || null;
      resolverNetwork = asn ? network : null;
    } else if (collectorResolver && collectorResolver.asn > 0) {
      resolverAsn = collectorResolver.asn;
      resolverNetwork = collectorResolver.network;
    } else if (opts.geo) {
      const r = safeLookup(opts.geo, resolverIp);
      if (r.asn > 0) {
        resolverAsn = r.asn;
        resolverNetwork = r.network;
      }
    }
  }
  annotations.vigil_resolver_source = resolverSource;
  if (!resolverIp && resolverSource === 'unknown') annotations.vigil_resolver_reason = who.why.slice(0, 200);
  if (resolverIp && resolverAsn === null) annotations.vigil_resolver_asn = 'unknown';

  return { cc, asn, network, resolverIp, resolverAsn, resolverNetwork, source: used.join('+') || 'unknown', annotations };
}

/** Did the vantage point move? Compare before re-tagging measurements (and to log a change). */
export function identityChanged(prev: Identity | null | undefined, next: Identity): boolean {
  if (!prev) return true;
  return prev.cc !== next.cc || prev.asn !== next.asn || prev.network !== next.network
    || prev.resolverIp !== next.resolverIp || prev.resolverAsn !== next.resolverAsn;
}

/**
 * A cheap fingerprint of the machine's network attachment: a hash of its non-internal interface
 * names and addresses (plus the bound source address). It changes when Wi-Fi switches, a VPN
 * comes up, DHCP hands out a new address; the probe re-resolves its identity then. Only the hash
 * is kept, never the addresses.
 */
export function networkFingerprint(localAddress?: string): string {
  const parts: string[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) parts.push(`${name}|${a.address}|${a.netmask}`);
  }
  parts.sort();
  if (localAddress) parts.push(`bind|${localAddress}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Keeps a probe's identity fresh: `current(round)` re-resolves when the network fingerprint
 * changed or every `everyRounds` rounds (a NAT'd probe's public address can change behind an
 * unchanged local one), and otherwise returns the identity it has.
 */
export class IdentityWatcher {
  private last: Identity | null = null;
  private fp = '';
  private round = 0;
  constructor(
    private readonly opts: IdentityOptions,
    private readonly everyRounds = 12,
    private readonly fingerprint: () => string = () => networkFingerprint(opts.localAddress ?? opts.env.localAddress),
  ) {}

  /** The identity for this round and whether it differs from the previous round's. */
  async current(): Promise<{ identity: Identity; changed: boolean }> {
    const fp = this.fingerprint();
    const due = !this.last || fp !== this.fp || this.round % this.everyRounds === 0;
    this.round++;
    if (!due && this.last) return { identity: this.last, changed: false };
    const next = await resolveIdentity(this.opts);
    const changed = identityChanged(this.last, next);
    this.last = next;
    this.fp = fp;
    return { identity: next, changed };
  }
}

function safeLookup(geo: GeoLookup, ip: string): Placed & { source: string } {
  try {
    return geo.lookup(ip);
  } catch {
    return { cc: 'ZZ', asn: 0, network: '', source: 'error' };
  }
}

/** Resolves <nonce>.<zone> through the env's resolver; the A answer is the resolver's egress address. */
async function whoami(zone: string, env: NetEnv, local: string | undefined): Promise<{ ip: string | null; why: string }> {
  const name = `${randomBytes(6).toString('hex')}.${zone.replace(/^\.|\.$/g, '')}`;
  const trace = new Trace();
  try {
    const r = await resolveHost(name, local ? { ...env, localAddress: local } : env, trace);
    const ip = r.addrs.find((a) => isIP(a)) ?? null;
    return ip ? { ip, why: '' } : { ip: null, why: `whoami: ${r.failure ?? 'no answer'}` };
  } catch (e) {
    return { ip: null, why: `whoami: ${(e as Error).message}` };
  } finally {
    trace.close();
  }
}

/** The source address the kernel would use towards the collector (or the resolver): a UDP
 * "connect" sends nothing, it only picks a route. */
function sourceAddressTowards(collectorUrl: string | undefined, env: NetEnv): Promise<string | null> {
  let host: string | null = null;
  try {
    if (collectorUrl) host = new URL(collectorUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {}
  if (!host || !isIP(host)) host = env.resolver.kind === 'udp' ? env.resolver.address : null;
  if (!host || !isIP(host)) return Promise.resolve(null);
  const sock = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const done = (v: string | null) => {
      try {
        sock.close();
      } catch {}
      resolve(v);
    };
    sock.on('error', () => done(null));
    sock.connect(53, host!, () => {
      try {
        done(sock.address().address);
      } catch {
        done(null);
      }
    });
  });
}

/** GET /api/v1/geolookup; a validated answer, or a short reason (a failure string, no address). */
function askCollector(base: string, env: NetEnv, local: string | undefined, resolverIp: string | null): Promise<CollectorAnswer | string> {
  let url: URL;
  try {
    url = new URL('api/v1/geolookup', base.endsWith('/') ? base : base + '/');
  } catch {
    return Promise.resolve('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve(`unsupported scheme ${url.protocol}`);
  if (resolverIp) url.searchParams.set('resolver_ip', resolverIp);
  const mod = url.protocol === 'https:' ? https : http;
  const timeout = env.timeouts.http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: CollectorAnswer | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      headers: { accept: 'application/json' },
      ...(local ? { localAddress: local } : {}),
      ...(url.protocol === 'https:' && env.ca?.length ? { ca: [...rootCertificates, ...env.ca] } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) {
          req.destroy();
          done('answer too large');
        } else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return done(`HTTP ${res.statusCode}`);
        done(parseAnswer(Buffer.concat(chunks).toString('utf8')));
      });
      res.on('error', () => done('connection_reset'));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done('generic_timeout_error');
    }, timeout);
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection_refused' : e.code === 'ECONNRESET' ? 'connection_reset' : `error ${e.code ?? 'unknown'}`));
    req.end();
  });
}

function parseAnswer(text: string): CollectorAnswer | string {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'answer is not JSON';
  }
  if (!j || typeof j !== 'object') return 'answer is not an object';
  const cc = typeof j.cc === 'string' && CC_RE.test(j.cc) ? j.cc : null;
  const asn = typeof j.asn === 'number' && Number.isInteger(j.asn) && j.asn >= 0 && j.asn <= 0xffffffff ? j.asn : null;
  if (cc === null || asn === null) return 'answer without a valid cc/asn';
  const network = typeof j.network === 'string' ? j.network.slice(0, 256) : '';
  const out: CollectorAnswer = { cc, asn, network };
  const rAsn = typeof j.resolver_asn === 'string' ? /^AS(\d{1,10})$/.exec(j.resolver_asn) : null;
  if (rAsn || j.resolver_is_caller === true) {
    out.resolver = {
      asn: rAsn ? Number(rAsn[1]) : 0,
      cc: typeof j.resolver_cc === 'string' && CC_RE.test(j.resolver_cc) ? j.resolver_cc : 'ZZ',
      network: typeof j.resolver_network_name === 'string' ? j.resolver_network_name.slice(0, 256) : '',
      isCaller: j.resolver_is_caller === true,
    };
  }
  return out;
}
