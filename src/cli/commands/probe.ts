// `vigil probe`: run the measurement suite once or every --interval, writing JSONL (--out) and/or
// uploading through the crash-safe outbox (--collector, --outbox). Identity comes from
// resolveIdentity (collector geolookup, then its own geo databases, then flags); unknown stays
// ZZ / AS0, annotated.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../context.js';
import { netEnvFromFlags } from '../net-flags.js';
import { parse, parseDuration, parseIntFlag } from '../args.js';
import { UsageError, VigilError } from '../../model/errors.js';
import { systemClock } from '../../model/time.js';
import { defaultTargets, loadTargets } from '../../probe/targets.js';
import { Outbox } from '../../probe/outbox.js';
import { runProbe } from '../../probe/runner.js';
import { EXPERIMENTS } from '../../probe/registry.js';
import { resolveIdentity } from '../../probe/identity.js';
import { GEO_FLAGS, geoOptionsFrom } from '../../geo/config.js';
import { openGeo } from '../../geo/lookup.js';
import type { ProbeIdentity } from '../../probe/context.js';

const help = `usage: vigil probe (--out FILE | --collector URL) [--once | --interval 5m] [options]

Runs Vigil's experiments (${EXPERIMENTS.join(', ')}) against the targets
and writes OONI-format measurements.

output:
  --out FILE           append measurements as JSONL
  --collector URL      upload to a collector (POST URL/api/v1/measurements)
  --outbox DIR         where measurements wait for upload (default ./vigil-outbox)
  --token-file F       the collector's upload token (from POST /api/v1/probes/register), for a
                       collector run with --auth tokens (or $VIGIL_PROBE_TOKEN)
schedule:
  --once               one round (the default)
  --interval DUR       a round every DUR (30s, 5m, 1h) until interrupted
what to measure:
  --targets FILE       targets JSON (default: the built-in platforms and control sites)
  --only a,b           only these experiments
  --concurrency N      measurements at once (default 8)
  --helper URL         control helper for web_connectivity (none: control_failure)
network:
  --resolver IP:PORT   DNS over UDP to this resolver (default: the system resolver)
  --local-address IP   bind this source address
  --ca FILE            also trust the CA certificates in this PEM file
  --http-port N, --https-port N   dial these instead of 80/443 (lab servers)
  --loopback-normal    127/8 answers are not bogons (lab)
identity:
  --asn-db F --country-db F --prefix-table F
                       the probe's own geolocation databases (.mmdb, Vigil TSV or pyasn), asked
                       when the collector cannot say (or $VIGIL_GEO_ASN_DB, …_COUNTRY_DB, …_PREFIX_TABLES)
  --whoami ZONE        learn the resolver the network really uses by resolving a name under this
                       zone, served by a helper's whoami DNS (vigil helper --whoami-port)
  --cc CC --asn N --network NAME   where the probe is, when nothing better is known
  --probe-id ID        stable pseudonymous probe id (default: kept in ~/.vigil/probe-id)
`;

function readToken(file: string | undefined, env: string | undefined): string | undefined {
  let t = env?.trim();
  if (file) {
    try {
      t = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--token-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (t !== undefined && t !== '' && !/^[A-Za-z0-9._~+/=-]{16,512}$/.test(t)) throw new UsageError('--token-file: not a token (16 to 512 characters of base64url)');
  return t || undefined;
}

function probeId(flag: string | undefined, outbox: string | undefined): string {
  if (flag) return flag;
  const dir = outbox ?? join(homedir(), '.vigil');
  const file = join(dir, 'probe-id');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {}
  const id = `vp_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, id + '\n', { flag: 'wx' });
  } catch {}
  return id;
}

const command: Command = {
  summary: 'run the measurement suite (once or on an interval), write JSONL or upload',
  help,
  async run(args, ctx) {
    const { values: v, positionals } = parse(args, {
      once: { type: 'boolean' }, interval: { type: 'string' }, out: { type: 'string' }, collector: { type: 'string' },
      outbox: { type: 'string' }, targets: { type: 'string' }, only: { type: 'string' }, concurrency: { type: 'string' },
      helper: { type: 'string' }, resolver: { type: 'string' }, 'local-address': { type: 'string' }, ca: { type: 'string' },
      'http-port': { type: 'string' }, 'https-port': { type: 'string' }, 'loopback-normal': { type: 'boolean' },
      cc: { type: 'string' }, asn: { type: 'string' }, network: { type: 'string' }, 'probe-id': { type: 'string' },
      'token-file': { type: 'string' }, whoami: { type: 'string' }, ...GEO_FLAGS,
    }, false);
    const token = readToken(v['token-file'], ctx.env.VIGIL_PROBE_TOKEN);
    void positionals;
    if (!v.out && !v.collector) throw new UsageError('probe: give --out FILE or --collector URL (see vigil probe --help)');
    if (v.once && v.interval) throw new UsageError('probe: --once and --interval exclude each other');
    const intervalMs = v.interval ? parseDuration(v.interval, '--interval') : undefined;
    if (intervalMs !== undefined && intervalMs < 1000) throw new UsageError('--interval: at least 1s');
    const concurrency = parseIntFlag(v.concurrency, '--concurrency', 1, 1024) ?? 8;
    const asn = parseIntFlag(v.asn, '--asn', 0, 4294967295);
    if (v.cc !== undefined && !/^[A-Za-z]{2}$/.test(v.cc)) throw new UsageError(`--cc: expected a two-letter country code (got "${v.cc}")`);
    const only = v.only ? v.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    for (const n of only ?? []) if (!(EXPERIMENTS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown experiment "${n}" (known: ${EXPERIMENTS.join(', ')})`);
    for (const [flag, url] of [['--collector', v.collector], ['--helper', v.helper]] as const) {
      if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`${flag}: expected an http(s) URL (got "${url}")`);
    }
    const env = netEnvFromFlags(v);
    if (v['loopback-normal']) env.loopbackIsNormal = true;
    const targets = v.targets ? await loadTargets(v.targets) : defaultTargets();

    const outboxDir = v.collector ? (v.outbox ?? 'vigil-outbox') : v.outbox;
    const outbox = outboxDir ? await Outbox.open(outboxDir) : undefined;
    if (v.whoami !== undefined && !/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}\.?$/i.test(v.whoami)) throw new UsageError(`--whoami: not a DNS zone: "${v.whoami.slice(0, 80)}"`);
    const geoOpts = geoOptionsFrom(v, ctx.env);
    const geo = Object.keys(geoOpts).length ? await openGeo(geoOpts) : undefined;
    const found = await resolveIdentity({ env, geo, whoamiName: v.whoami, collectorUrl: v.collector, flags: { cc: v.cc?.toUpperCase(), asn, network: v.network } });
    const identity: ProbeIdentity = {
      cc: found.cc, asn: found.asn, network: found.network, probeId: probeId(v['probe-id'], outboxDir),
      resolverIp: found.resolverIp, resolverAsn: found.resolverAsn, annotations: found.annotations,
    };
    if (found.source === 'unknown') ctx.stderr.write('vigil probe: location unknown: recording ZZ / AS0 (give --cc/--asn/--network)\n');

    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let count = 0;
    try {
      const sum = await runProbe({
        ctx: { env, helperUrl: v.helper, identity, clock: systemClock, targets, reportId: '' },
        concurrency, only, outFile: v.out, outbox, collector: v.collector,
        upload: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
        rounds: intervalMs ? Infinity : 1, intervalMs, signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'measurement') {
            count++;
            if (ctx.isTTY) ctx.stderr.write(`\r${count} measurements`);
          } else if (e.type === 'job_error') ctx.stderr.write(`vigil probe: ${e.name} ${e.input ?? ''}: ${e.error}\n`);
          else if (e.type === 'upload' && ctx.verbose) ctx.stderr.write(`upload: ${JSON.stringify(e.report)}\n`);
          else if (e.type === 'round' && intervalMs) ctx.stderr.write(`round ${e.round}: ${e.measurements} measurements\n`);
        },
      });
      if (ctx.isTTY) ctx.stderr.write('\n');
      const parts = [`${sum.measurements} measurements in ${sum.rounds} round(s)`];
      if (v.out) parts.push(`written to ${v.out}`);
      if (v.collector) parts.push(`${sum.uploaded} uploaded, ${sum.pending} pending in ${outboxDir}`);
      ctx.stdout.write(parts.join('; ') + '\n');
      if (v.collector && sum.pending > 0) {
        ctx.stderr.write(`vigil probe: collector not reached (${sum.lastUploadFailure ?? 'unknown'}); measurements stay in ${outboxDir} and upload on the next run\n`);
        return 1;
      }
      return 0;
    } catch (e) {
      if (e instanceof VigilError) throw e;
      throw new VigilError('INTERNAL', (e as Error).message, { cause: e });
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  },
};
export default command;
