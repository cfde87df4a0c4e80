// `vigil serve` (DESIGN.md §6): the collector, the API, the feed, report pages and the dashboard,
// over one store. Detection (src/detect/run.ts) runs at start and as data arrives, debounced.
// SIGINT/SIGTERM stop it cleanly: in-flight requests finish, the store checkpoints.
import { existsSync } from 'node:fs';
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
import { repoPath } from '../../model/paths.js';
import { VigilError } from '../../model/errors.js';

const help = `usage: vigil serve [--db PATH|URL] [--host 127.0.0.1] [--port 8080] [--body-limit BYTES]
                   [--geo-asn FILE] [--geo-country FILE] [--prefix-table FILE]…
                   [--detect-every 10s | --no-detect] [--log]

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
Stops on SIGINT or SIGTERM: finishes requests in flight, then checkpoints the store.`;

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
    }, false);
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
          }
        }, detectEvery, (e) => ctx.stderr.write(`vigil: detection failed: ${(e as Error).message?.split('\n')[0] ?? String(e)}\n`));
      }
      const web = repoPath('dist', 'web');
      app = await createServer({
        store,
        geo,
        bodyLimit,
        logger: values.log === true,
        onIngest: () => runner?.trigger(),
        routes: [
          feedRoute(store),
          reportRoutes(store),
          geolookupRoute(geo),
          dashboardRoutes(store),
          ...(existsSync(web) ? [dashboardRoute(web)] : []),
        ],
      });
      try {
        await app.listen({ host, port });
      } catch (e) {
        throw new VigilError('NETWORK', `cannot listen on ${host}:${port}: ${(e as Error).message}`);
      }
      const addr = app.server.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      ctx.stdout.write(`vigil: collector listening on http://${shown}:${addr.port}/ (store: ${store.engine} ${db})\n`);
      if (!runner) ctx.stderr.write('vigil: detection off (--no-detect)\n');
      runner?.trigger();
      const sig = await waitForSignal();
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
