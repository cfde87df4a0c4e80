// `vigil serve` (DESIGN.md §6): the collector, the API, the feed, report pages and the dashboard,
// over one store. Detection (src/detect/run.ts) runs at start and as data arrives, debounced.
// SIGINT/SIGTERM stop it cleanly: in-flight requests finish, the store checkpoints.
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Command, CliContext } from '../context.js';
import { parse, parseIntFlag, parseDuration } from '../args.js';
import { resolveDb, openStore } from '../../store/open.js';
import { createServer, DEFAULT_BODY_LIMIT } from '../../collect/server.js';
import { DebouncedRunner } from '../../collect/detect-hook.js';
import { dashboardRoute } from '../../collect/static.js';
import { feedRoute } from '../../collect/routes/feed.js';
import { reportRoutes } from '../../collect/routes/reports.js';
import { geolookupRoute } from '../../collect/routes/geolookup.js';
import { dashboardRoutes } from '../../collect/routes/dashboard-api.js';
import { openGeo } from '../../geo/lookup.js';
import { runDetection } from '../../detect/run.js';
import { WebhookNotifier, loadWebhookConfig, notifyChanges, type WebhookTarget } from '../../report/alerts/webhooks.js';
import { repoPath } from '../../model/paths.js';
import { VigilError, UsageError } from '../../model/errors.js';
import type { AccessOptions } from '../../collect/auth/access.js';

const help = `usage: vigil serve [--db PATH|URL] [--host 127.0.0.1] [--port 8080] [--body-limit BYTES]
                   [--geo-asn FILE] [--geo-country FILE] [--prefix-table FILE]…
                   [--detect-every 10s | --no-detect] [--log]
                   [--auth open|tokens] [--admin-token-file F] [--auth-pepper-file F]
                   [--rate-per-address N] [--rate-per-probe N] [--source-prefix 24 | --no-source-groups]
                   [--tls-cert F --tls-key F]
                   [--webhook URL --webhook-secret-file F | --webhooks FILE] [--dead-letter FILE]

Runs the collector: POST /api/v1/measurements from probes, the query API (/api/v1/…), the Atom
feed (/feed.atom), Prometheus metrics (/metrics) and the dashboard (/, when dist/web is built).
  --db            DuckDB file or clickhouse://HOST:PORT/DATABASE (default $VIGIL_DB or ./vigil.duckdb)
  --host, --port  where to listen (default 127.0.0.1:8080; --port 0 picks a free port)
  --body-limit    largest request body in bytes (default ${DEFAULT_BODY_LIMIT})
  --geo-asn, --geo-country, --prefix-table
                  databases for GET /api/v1/geolookup (without them it answers ZZ / AS0)
  --detect-every  run detection at most this often while data arrives (default 10s)
  --no-detect     never run detection from the collector
  --log           JSON request logs on stdout (never with the caller's address)
  --auth          open (default: anyone may upload, like OONI) or tokens (uploads need
                  "Authorization: Bearer T"; POST /api/v1/probes/register hands out T)
  --admin-token-file  the admin secret for DELETE /api/v1/incidents/:id, token revocation and
                  POST /api/v1/admin/detect (or $VIGIL_ADMIN_TOKEN; without it they answer 403)
  --auth-pepper-file  HMAC key for stored token hashes (or $VIGIL_AUTH_PEPPER; default: one kept
                  in the store)
  --rate-per-address  requests per second per client address, burst 4x (default 100; 0 = off)
  --rate-per-probe    measurements per second per token, burst 10x (default 200; 0 = off)
  --source-prefix     IPv4 prefix length that makes one source network for probe agreement
                  (default 24; IPv6 uses 48); --no-source-groups counts claimed probe ids instead
  --tls-cert, --tls-key   serve HTTPS with this PEM certificate chain and key
  --webhook URL   POST incident.opened / .updated / .resolved events there, signed with
                  HMAC-SHA256 (header X-Vigil-Signature: sha256=…) with the secret in
                  --webhook-secret-file (or $VIGIL_WEBHOOK_SECRET); retried with backoff
  --webhooks FILE several: {"webhooks":[{"url","secret","events"?}]}
  --dead-letter FILE  deliveries that never succeeded (JSONL; default: none kept)
Stops on SIGINT or SIGTERM: finishes requests in flight, then checkpoints the store.`;

function readSecret(file: string | undefined, env: string | undefined, what: string): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const v = text.trim();
    if (v.length < 16) throw new UsageError(`${what}: ${file} holds fewer than 16 characters`);
    return v;
  }
  if (env !== undefined && env.trim() !== '') {
    if (env.trim().length < 16) throw new UsageError(`${what}: the environment value holds fewer than 16 characters`);
    return env.trim();
  }
  return undefined;
}

function rate(v: string | undefined, flag: string, dflt: number, burstFactor: number): { ratePerSec: number; burst: number } | false {
  if (v === undefined) return { ratePerSec: dflt, burst: dflt * burstFactor };
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`${flag}: expected a number of requests per second (0 = off), got "${v}"`);
  const n = Number(v);
  return n === 0 ? false : { ratePerSec: n, burst: Math.max(1, n * burstFactor) };
}

function accessOptions(v: Record<string, string | boolean | string[] | undefined>, env: NodeJS.ProcessEnv): AccessOptions & { mode: 'open' | 'tokens' } {
  const mode = (v.auth as string | undefined) ?? 'open';
  if (mode !== 'open' && mode !== 'tokens') throw new UsageError(`--auth: expected open or tokens, got "${mode}"`);
  const adminToken = readSecret(v['admin-token-file'] as string | undefined, env.VIGIL_ADMIN_TOKEN, '--admin-token-file');
  const pepper = readSecret(v['auth-pepper-file'] as string | undefined, env.VIGIL_AUTH_PEPPER, '--auth-pepper-file');
  const prefix = v['source-prefix'] as string | undefined;
  if (prefix !== undefined && (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32)) throw new UsageError(`--source-prefix: expected 0..32, got "${prefix}"`);
  return {
    mode,
    adminToken,
    pepper: pepper ? Buffer.from(pepper, 'utf8') : undefined,
    perAddress: rate(v['rate-per-address'] as string | undefined, '--rate-per-address', 100, 4),
    perProbe: rate(v['rate-per-probe'] as string | undefined, '--rate-per-probe', 200, 10),
    sourceGroups: v['no-source-groups'] ? false : { v4Prefix: prefix !== undefined ? Number(prefix) : 24, v6Prefix: 48 },
  };
}

function tlsFiles(cert: string | undefined, key: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  const read = (f: string, flag: string) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw new UsageError(`${flag}: cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key') };
}

async function webhookNotifier(v: Record<string, string | boolean | string[] | undefined>, env: NodeJS.ProcessEnv): Promise<WebhookNotifier | null> {
  const urls = (v.webhook as string[] | undefined) ?? [];
  const targets: WebhookTarget[] = v.webhooks ? await loadWebhookConfig(v.webhooks as string) : [];
  if (urls.length) {
    const secret = readSecret(v['webhook-secret-file'] as string | undefined, env.VIGIL_WEBHOOK_SECRET, '--webhook-secret-file');
    if (!secret) throw new UsageError('--webhook needs a secret: --webhook-secret-file F or $VIGIL_WEBHOOK_SECRET');
    for (const url of urls) {
      if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--webhook: expected an http(s) URL, got "${url.slice(0, 100)}"`);
      targets.push({ url, secret });
    }
  }
  if (targets.length === 0) return null;
  return new WebhookNotifier({ targets, deadLetterPath: v['dead-letter'] as string | undefined });
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

const command: Command = {
  summary: 'collector + API + dashboard',
  help,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values } = parse(args, {
      db: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, 'body-limit': { type: 'string' },
      'geo-asn': { type: 'string' }, 'geo-country': { type: 'string' }, 'prefix-table': { type: 'string', multiple: true },
      'detect-every': { type: 'string' }, 'no-detect': { type: 'boolean' }, log: { type: 'boolean' },
      auth: { type: 'string' }, 'admin-token-file': { type: 'string' }, 'auth-pepper-file': { type: 'string' },
      'rate-per-address': { type: 'string' }, 'rate-per-probe': { type: 'string' },
      'source-prefix': { type: 'string' }, 'no-source-groups': { type: 'boolean' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
      webhook: { type: 'string', multiple: true }, 'webhook-secret-file': { type: 'string' }, webhooks: { type: 'string' },
      'dead-letter': { type: 'string' },
    }, false);
    const notifier = await webhookNotifier(values, ctx.env);
    const access = accessOptions(values, ctx.env);
    const https = tlsFiles(values['tls-cert'], values['tls-key']);
    const host = values.host ?? '127.0.0.1';
    const port = parseIntFlag(values.port, '--port', 0, 65535) ?? 8080;
    const bodyLimit = parseIntFlag(values['body-limit'], '--body-limit', 1024, 1024 ** 3) ?? DEFAULT_BODY_LIMIT;
    const detectEvery = values['detect-every'] ? parseDuration(values['detect-every'], '--detect-every') : 10_000;
    const geo = await openGeo({ asnDb: values['geo-asn'], countryDb: values['geo-country'], prefixTables: values['prefix-table'] });
    const db = resolveDb(values.db, ctx.env);
    const store = await openStore(db);

    let runner: DebouncedRunner | null = null;
    let app: FastifyInstance | null = null;
    try {
      // The detection hook: runs at start and then debounced after ingest.
      if (!values['no-detect']) {
        runner = new DebouncedRunner(async () => {
          const r = await runDetection(store);
          if (r.opened.length + r.updated.length + r.resolved.length > 0) {
            ctx.stderr.write(`vigil: detection: ${r.opened.length} opened, ${r.updated.length} updated, ${r.resolved.length} resolved\n`);
            if (notifier) {
              const failed = (await notifyChanges(notifier, r)).filter((d) => !d.ok);
              for (const d of failed) ctx.stderr.write(`vigil: webhook ${d.event} to ${d.url} failed after ${d.attempts} attempts: ${d.error}\n`);
            }
          }
        }, detectEvery, (e) => ctx.stderr.write(`vigil: detection failed: ${(e as Error).message?.split('\n')[0] ?? String(e)}\n`));
      }
      const web = repoPath('dist', 'web');
      const created = createServer({
        store,
        geo,
        bodyLimit,
        logger: values.log === true,
        onIngest: () => runner?.trigger(),
        https,
        access: {
          ...access,
          detect: async () => {
            if (runner) {
              runner.trigger();
              await runner.idle();
              return { ran: true };
            }
            const r = await runDetection(store);
            if (notifier) void notifyChanges(notifier, r);
            return { opened: r.opened.length, updated: r.updated.length, resolved: r.resolved.length };
          },
        },
        routes: [
          feedRoute(store),
          reportRoutes(store),
          geolookupRoute(geo),
          dashboardRoutes(store),
          ...(existsSync(web) ? [dashboardRoute(web)] : []),
        ],
      });
      try {
        app = await created;
      } catch (e) {
        if (https && !(e instanceof VigilError)) throw new VigilError('CONFIG', `--tls-cert/--tls-key: cannot use them: ${(e as Error).message.split('\n')[0]}`);
        throw e;
      }
      try {
        await app.listen({ host, port });
      } catch (e) {
        throw new VigilError('NETWORK', `cannot listen on ${host}:${port}: ${(e as Error).message}`);
      }
      const addr = app.server.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      // listen for signals before announcing: whoever reads the line may signal at once
      const signalled = waitForSignal();
      ctx.stdout.write(`vigil: collector listening on ${https ? 'https' : 'http'}://${shown}:${addr.port}/ (store: ${store.engine} ${db.replace(/\/\/[^/@]*@/, '//')})\n`);
      ctx.stderr.write(`vigil: uploads ${access.mode === 'tokens' ? 'need a probe token' : 'open to anyone'}; admin API ${access.adminToken ? 'on' : 'off'}\n`);
      if (!runner) ctx.stderr.write('vigil: detection off (--no-detect)\n');
      runner?.trigger();
      const sig = await signalled;
      ctx.stderr.write(`vigil: ${sig}: stopping\n`);
    } finally {
      await app?.close();
      await runner?.stop();
      await store.close();
    }
    ctx.stdout.write('vigil: collector stopped, store closed\n');
    return 0;
  },
};
export default command;
