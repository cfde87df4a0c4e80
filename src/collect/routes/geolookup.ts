// GET /api/v1/geolookup (DESIGN.md §6): tells a probe which country and network it measures from,
// looked up from the address its connection comes from, so the probe never has to report (and
// nobody ever stores) that address. The address lives only in this handler's local variable:
// it is not stored, not echoed back, and the route logs at level "silent", so Fastify's per-request
// "incoming request" / "request completed" lines (whose req serializer writes remoteAddress) and
// any error line for this route are never written.
//
// `?resolver_ip=ADDR` (optional) also places the probe's resolver (learnt through the helper's
// whoami name), so a probe without its own database still records resolver_asn. When that address
// is the caller's own (a probe running its own recursive resolver), `resolver_is_caller` says so
// and the probe must not record it as resolver_ip: that would store the probe's address.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GeoAnswer, GeoLookup } from '../../geo/lookup.js';
import { parseIp } from '../../geo/ip.js';

export interface GeolookupOptions {
  /**
   * Honour X-Forwarded-For from a reverse proxy in front of the collector: true = one trusted
   * hop (the rightmost entry, the one the proxy itself appended), a number = that many hops.
   * Off by default: anyone can send the header, so it is only believed behind a proxy.
   */
  trustProxy?: boolean | number;
}

export interface GeolookupAnswer {
  cc: string;
  asn: number;
  network: string;
  /** the same in the measurement envelope's spelling (df-000) */
  probe_cc: string;
  probe_asn: string;
  probe_network_name: string;
  /** which databases answered (no address in it) */
  source: string;
  /** with ?resolver_ip= only */
  resolver_cc?: string;
  resolver_asn?: string;
  resolver_network_name?: string;
  resolver_is_caller?: boolean;
}

/** The caller's address: the socket peer, or an X-Forwarded-For entry when proxies are trusted. */
export function callerAddress(req: FastifyRequest, trustProxy: boolean | number = false): string {
  const peer = req.socket.remoteAddress ?? '';
  const hops = trustProxy === true ? 1 : typeof trustProxy === 'number' && trustProxy > 0 ? Math.floor(trustProxy) : 0;
  if (hops === 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const header = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  // [peer, rightmost XFF, …, leftmost]: each trusted hop vouches for the one before it.
  const chain = [peer, ...header.split(',').map((s) => s.trim()).filter(Boolean).reverse()];
  return chain[Math.min(hops, chain.length - 1)];
}

export function geolookupRoute(geo: GeoLookup, opts: GeolookupOptions = {}) {
  return async function geolookup(app: FastifyInstance): Promise<void> {
    app.get('/api/v1/geolookup', { logLevel: 'silent' }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const unknownKey = Object.keys(q).find((k) => k !== 'resolver_ip');
      if (unknownKey !== undefined) return reply.code(400).send({ error: 'bad_request', reason: 'unknown parameter (only resolver_ip is accepted)' });
      const rq = q.resolver_ip;
      const resolverIp = rq === undefined ? null : typeof rq === 'string' ? parseIp(rq) : null;
      if (rq !== undefined && !resolverIp) return reply.code(400).send({ error: 'bad_request', reason: 'resolver_ip: expected one IPv4 or IPv6 address' });
      const caller = callerAddress(req, opts.trustProxy);
      const g = safeLookup(geo, caller);
      const body: GeolookupAnswer = {
        cc: g.cc, asn: g.asn, network: g.network,
        probe_cc: g.cc, probe_asn: `AS${g.asn}`, probe_network_name: g.network,
        source: g.source,
      };
      if (resolverIp && typeof rq === 'string') {
        const r = safeLookup(geo, rq);
        const c = parseIp(caller);
        body.resolver_cc = r.cc;
        body.resolver_asn = `AS${r.asn}`;
        body.resolver_network_name = r.network;
        body.resolver_is_caller = !!c && c.v === resolverIp.v && c.n === resolverIp.n;
      }
      // Per-caller answer: no shared cache may keep it or hand it to someone else.
      reply.header('cache-control', 'no-store, private');
      return body;
    });
  };
}

function safeLookup(geo: GeoLookup, ip: string): GeoAnswer {
  try {
    return geo.lookup(ip);
  } catch {
    // GeoLookup.lookup does not throw; a foreign implementation might. Unknown, not an error page.
    return { cc: 'ZZ', asn: 0, network: '', source: 'error' };
  }
}
