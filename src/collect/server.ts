// The collector (DESIGN.md §6): a Fastify server with the JSON API under /api/v1 and /metrics.
// Hostile input (issue 9 §1) is stopped at the edge: a body size limit, JSON only (else 415), a
// UTF-8 and nesting check before parsing, prototype keys refused per item, every query parameter
// validated; errors answer {error, reason} with no stack trace. The probe's address is never
// logged (custom request serializer) nor stored (probe_ip is overwritten before ingest).
import Fastify, { type FastifyInstance, type FastifyError, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Writable } from 'node:stream';
import type { Store } from '../store/store.js';
import { isVigilError } from '../model/errors.js';
import { parseJsonBody, BodyError } from './json-body.js';
import { ParamError } from './params.js';
import { Metrics } from './metrics.js';
import type { CollectorState } from './state.js';
import { measurementRoutes, type IngestFn } from './routes/measurements.js';
import { queryRoutes } from './routes/query.js';
import { healthRoutes } from './routes/health.js';
import { ingest } from '../ingest/pipeline.js';
import { installAccess, type AccessOptions } from './auth/access.js';

export type { IngestFn, IngestResult } from './routes/measurements.js';

export interface ServerOptions {
  store: Store;
  /** measurement batch → stored rows; default: src/ingest/pipeline.ts */
  ingest?: IngestFn;
  /** handed to route plugins that need it (geolookup) */
  geo?: unknown;
  /** largest request body in bytes (default 10 MB) */
  bodyLimit?: number;
  /** true: JSON logs on stdout; or a stream (tests capture logs to prove no address is in them) */
  logger?: boolean | { stream: Writable; level?: string };
  /** called after every ingest that stored something: the hook where detection runs */
  onIngest?: (r: { accepted: number; duplicates: number; rejected: number }) => void;
  /** extra plugins: feed, report pages, geolookup, the dashboard */
  routes?: Array<(app: FastifyInstance) => Promise<void> | void>;
  /** most measurements in one POST (default 10,000) */
  maxBatch?: number;
  /** concurrent ingest requests before 429 (default 64) */
  maxInflight?: number;
  /** clock for the future-timestamp check, and the allowed skew (default 1 day) */
  now?: () => number;
  maxFutureMs?: number;
  /** tokens, admin token, rate limits, source groups (src/collect/auth/; docs/reliability.md) */
  access?: AccessOptions;
  /** serve HTTPS with this certificate chain and key (PEM) */
  https?: { cert: string | Buffer; key: string | Buffer };
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

const STATUS_NAMES: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  408: 'request_timeout', 413: 'payload_too_large', 414: 'uri_too_long', 415: 'unsupported_media_type',
  429: 'too_many_requests', 431: 'headers_too_large',
};

/** Errors raised before routing (a malformed URL, a bad content-type header): the same answer shape. */
const frameworkErrors: FastifyServerOptions['frameworkErrors'] = (err, _req, reply) => {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  void (reply as unknown as FastifyReply).code(status).send({ error: STATUS_NAMES[status] ?? 'bad_request', reason: err.message.split('\n')[0].slice(0, 300) });
};

export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logger = opts.logger === true
    ? { level: 'info' }
    : opts.logger && typeof opts.logger === 'object'
      ? { level: opts.logger.level ?? 'info', stream: opts.logger.stream }
      : false;
  const app = Fastify({
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    bodyLimit,
    logger: logger
      ? {
          ...logger,
          // No remoteAddress, remotePort or Host: the caller's address is never logged.
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.slice(0, 200) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        }
      : false,
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 512 },
    connectionTimeout: 120_000,
    frameworkErrors,
    requestTimeout: 120_000,
  }) as unknown as FastifyInstance;

  const st: CollectorState = {
    store: opts.store,
    ingest: opts.ingest ?? ((store, items) => ingest(store, items, { now: st.now(), maxFutureMs: st.maxFutureMs })),
    metrics: new Metrics(),
    maxBatch: opts.maxBatch ?? 10_000,
    maxInflight: opts.maxInflight ?? 64,
    inflight: 0,
    now: opts.now ?? Date.now,
    maxFutureMs: opts.maxFutureMs ?? 86_400_000,
    onIngest: opts.onIngest,
  };
  app.decorate('vigil', st);

  // JSON only; any other content type on a body gets Fastify's 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // Backpressure before the body is read (issue 9 §3): when ingest is saturated, a 429 costs no
  // parsing. Under load the refused uploads' JSON parsing took the CPU the store's writer needed.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'POST' && st.inflight >= st.maxInflight && req.url.split('?')[0] === '/api/v1/measurements') {
      return reply.code(429).header('retry-after', '1').send({ error: 'too_many_requests', reason: 'ingest is busy; retry after 1 s' });
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    st.metrics.request(req.method, req.routeOptions?.url ?? 'unmatched', reply.statusCode);
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    let status: number;
    let reason: string;
    if (err instanceof ParamError || err instanceof BodyError) {
      status = err.statusCode;
      reason = err.reason;
    } else if (isVigilError(err) && (err.code === 'BAD_INPUT' || err.code === 'USAGE')) {
      status = 400;
      reason = err.message;
    } else {
      status = (err as FastifyError).statusCode ?? 500;
      reason = err.message;
    }
    if (status < 400 || status >= 500) {
      req.log.error({ err: { message: err.message, code: (err as FastifyError).code, stack: err.stack } }, 'request failed');
      const code = status >= 500 && status !== 500 ? status : 500;
      return reply.code(code).send({ error: code === 503 ? 'unavailable' : 'internal', reason: code === 503 ? 'service unavailable' : 'internal error' });
    }
    return reply.code(status).send({ error: STATUS_NAMES[status] ?? 'bad_request', reason: reason.split('\n')[0].slice(0, 500) });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'not_found', reason: `no route ${req.method} ${req.url.split('?')[0].slice(0, 100)}` });
  });

  if (opts.access) await installAccess(app, st, opts.access);
  await app.register(measurementRoutes(st));
  await app.register(queryRoutes(st));
  await app.register(healthRoutes(st));
  for (const r of opts.routes ?? []) await app.register(async (scope) => { await r(scope); });
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    vigil: CollectorState;
  }
}
