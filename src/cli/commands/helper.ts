// `vigil helper`: the control helper (ts-017's test helper) on --host:--port, until interrupted.
import { isIP } from 'node:net';
import type { Command } from '../context.js';
import { netEnvFromFlags } from '../net-flags.js';
import { parse, parseIntFlag, parseDuration } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { startHelper } from '../../helper/server.js';
import { startWhoamiDns } from '../../helper/whoami-dns.js';

const help = `usage: vigil helper [--port N] [--host ADDR] [options]

The control helper: probes POST {http_request, tcp_connect, http_request_headers} and get
back what DNS, TCP, TLS and HTTP look like from here (OONI's web_connectivity control).

  --port N             listen port (default 8081)
  --host ADDR          listen address (default 127.0.0.1; 0.0.0.0 to serve the world)
  --resolver IP:PORT   resolve over UDP with this resolver (default: the system resolver)
  --local-address IP   measure from this source address
  --ca FILE            also trust the CA certificates in this PEM file
  --http-port N, --https-port N   dial these instead of 80/443 (lab servers)
  --allow-private      also measure non-public addresses (a lab; by default the helper refuses
                       RFC 1918, loopback, link-local and other bogons, so it is no proxy into
                       the network it runs in)
  --whoami-port N      also serve the whoami DNS zone (UDP, on --host): it answers with the address
                       a query came from, so probes learn which resolver their network uses;
                       delegate the zone to this host (docs/geolocation.md)
  --whoami-zone Z      the zone (default whoami.vigil.invalid)
  --cache DURATION     answer identical requests from one measurement for this long, e.g. 10s
                       (default 0: measure every request)
`;

const command: Command = {
  summary: 'run the control helper (the outside view for web_connectivity)',
  help,
  async run(args, ctx) {
    const { values: v } = parse(args, {
      port: { type: 'string' }, host: { type: 'string' }, resolver: { type: 'string' }, 'local-address': { type: 'string' },
      ca: { type: 'string' }, 'http-port': { type: 'string' }, 'https-port': { type: 'string' }, cache: { type: 'string' },
      'allow-private': { type: 'boolean' }, 'whoami-port': { type: 'string' }, 'whoami-zone': { type: 'string' },
    }, false);
    const whoamiPort = parseIntFlag(v['whoami-port'], '--whoami-port', 0, 65535);
    const cacheMs = v.cache ? parseDuration(v.cache, '--cache') : 0;
    const port = parseIntFlag(v.port, '--port', 0, 65535) ?? 8081;
    const host = v.host ?? '127.0.0.1';
    if (!isIP(host) && host !== 'localhost') throw new UsageError(`--host: expected an IP address (got "${host}")`);
    const env = netEnvFromFlags(v);
    env.publicOnly = !v['allow-private'];
    const h = await startHelper({ host, port, env, cacheMs });
    const who = whoamiPort === undefined ? null : await startWhoamiDns({ host, port: whoamiPort, ...(v['whoami-zone'] ? { zone: v['whoami-zone'] } : {}) }).catch(async (e) => {
      await h.close();
      throw e;
    });
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    ctx.stdout.write(`control helper listening on ${h.url}\n`);
    if (who) ctx.stdout.write(`whoami DNS for ${who.zone} on ${who.address}:${who.port}/udp\n`);
    await stopped;
    await who?.close();
    await h.close();
    return 0;
  },
};
export default command;
