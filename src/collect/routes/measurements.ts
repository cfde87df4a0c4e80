// POST /api/v1/measurements (one measurement, or {"measurements": [...]}) and the measurement
// list/fetch (DESIGN.md §6). Ingest answers {accepted, duplicates, rejected: [{index, error}]};
// it is idempotent on uid, so a probe that re-sends after a lost answer changes nothing.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { forbiddenKey } from '../json-body.js';
import * as P from '../params.js';
import type { CollectorState } from '../state.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; error: string }>;
}
export type IngestFn = (store: Store, items: unknown[]) => Promise<IngestResult>;

/** DESIGN.md §2: a probe's address is never stored; whatever it sent is replaced here. */
const SCRUBBED_IP = '127.0.0.1';

/** Oldest measurement time a collector accepts (OONI's archive starts in 2012). */
const MIN_TIME = Date.UTC(2000, 0, 1);

/**
 * Checks the collector adds to the pipeline's schema validation, for what a schema cannot say:
 * times from before 2000 or from the future (beyond `maxFutureMs` of clock skew), AS numbers
 * beyond 32 bits, negative or absurd runtimes. A string is the rejection reason.
 */
export function sanity(it: unknown, now: number, maxFutureMs: number): string | null {
  if (it === null || typeof it !== 'object' || Array.isArray(it)) return null; // the schema reports it
  const m = it as Record<string, unknown>;
  for (const k of ['measurement_start_time', 'test_start_time']) {
    const v = m[k];
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v)) continue;
    const t = Date.parse(`${v.slice(0, 10)}T${v.slice(11)}Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== `${v.slice(0, 10)}T${v.slice(11)}`) return `/${k}: not a valid date: ${v}`;
    if (t < MIN_TIME) return `/${k}: before 2000-01-01: ${v}`;
    if (t > now + maxFutureMs) return `/${k}: in the future: ${v}`;
  }
  if (typeof m.probe_asn === 'string' && /^AS\d+$/.test(m.probe_asn) && Number(m.probe_asn.slice(2)) > 4294967295) return `/probe_asn: beyond 32 bits: ${m.probe_asn}`;
  const rt = m.test_runtime;
  if (typeof rt === 'number' && (!(rt >= 0) || rt > 86400)) return `/test_runtime: expected 0..86400 seconds, got ${rt}`;
  return null;
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

export function measurementRoutes(st: CollectorState) {
  return async function measurements(app: FastifyInstance) {
    app.post('/api/v1/measurements', async (req, reply) => {
      const body = req.body as unknown;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new P.ParamError(`expected one measurement object or {"measurements": [...]}, got ${describe(body)}`);
      }
      let items: unknown[];
      if (Object.prototype.hasOwnProperty.call(body, 'measurements')) {
        const list = (body as Record<string, unknown>).measurements;
        if (!Array.isArray(list)) throw new P.ParamError(`measurements: expected an array, got ${describe(list)}`);
        items = list;
      } else items = [body];
      if (items.length > st.maxBatch) {
        return reply.code(413).send({ error: 'payload_too_large', reason: `too many measurements in one request: ${items.length} (max ${st.maxBatch})` });
      }
      if (st.inflight >= st.maxInflight) {
        // Backpressure: writes are serialized by the store, so more waiting requests only grow memory.
        return reply.code(429).header('retry-after', '1').send({ error: 'too_many_requests', reason: 'ingest is busy; retry after 1 s' });
      }
      const rejected: IngestResult['rejected'] = [];
      const pass: unknown[] = [];
      const origin: number[] = [];
      items.forEach((it, i) => {
        const bad = forbiddenKey(it);
        if (bad) {
          rejected.push({ index: i, error: `${bad}: forbidden key` });
          return;
        }
        const insane = sanity(it, st.now(), st.maxFutureMs);
        if (insane) {
          rejected.push({ index: i, error: insane });
          return;
        }
        if (it !== null && typeof it === 'object' && !Array.isArray(it)) (it as Record<string, unknown>).probe_ip = SCRUBBED_IP;
        pass.push(it);
        origin.push(i);
      });
      st.inflight++;
      let r: IngestResult;
      try {
        r = pass.length ? await st.ingest(st.store, pass) : { accepted: 0, duplicates: 0, rejected: [] };
      } finally {
        st.inflight--;
      }
      for (const x of r.rejected) rejected.push({ index: origin[x.index] ?? x.index, error: String(x.error) });
      rejected.sort((a, b) => a.index - b.index);
      st.metrics.ingestRequests++;
      st.metrics.ingested += r.accepted;
      st.metrics.duplicates += r.duplicates;
      st.metrics.rejected += rejected.length;
      const answer = { accepted: r.accepted, duplicates: r.duplicates, rejected };
      if (r.accepted > 0) st.onIngest?.({ accepted: r.accepted, duplicates: r.duplicates, rejected: rejected.length });
      if (items.length > 0 && r.accepted + r.duplicates === 0) {
        // Nothing usable: a 4xx so clients that only look at the status see it, same body plus a reason.
        return reply.code(400).send({ error: 'bad_request', reason: `no valid measurement: ${rejected[0]?.error ?? 'empty'}`, ...answer });
      }
      return answer;
    });

    const LIST = ['cc', 'asn', 'test_name', 'target', 'since', 'until', 'limit', 'offset', 'order'] as const;
    app.get('/api/v1/measurements', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, LIST);
      const filter = { cc: P.cc(q), asn: P.asn(q), test_name: P.testName(q), target: P.target(q), since: P.time(q, 'since'), until: P.time(q, 'until') };
      P.range(filter.since, filter.until);
      const limit = P.int(q, 'limit', 1, 10_000) ?? 100;
      const offset = P.int(q, 'offset', 0, 1_000_000_000) ?? 0;
      const order = P.oneOf(q, 'order', ['asc', 'desc'] as const) ?? 'desc';
      const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      const [rows, total] = await Promise.all([st.store.measurements({ ...clean, limit, offset, order }), st.store.countMeasurements(clean)]);
      return { total, limit, offset, measurements: rows };
    });

    app.get<{ Params: { uid: string } }>('/api/v1/measurements/:uid', async (req, reply) => {
      const uid = P.id(req.params.uid, 'uid');
      const m = await st.store.measurement(uid);
      if (!m) return reply.code(404).send({ error: 'not_found', reason: `no measurement with uid ${JSON.stringify(uid)}` });
      return m;
    });

    app.get<{ Params: { uid: string } }>('/api/v1/measurements/:uid/observations', async (req, reply) => {
      const uid = P.id(req.params.uid, 'uid');
      const obs = await st.store.observationsOf(uid);
      if (obs.length === 0 && !(await st.store.measurement(uid))) {
        return reply.code(404).send({ error: 'not_found', reason: `no measurement with uid ${JSON.stringify(uid)}` });
      }
      return { uid, observations: obs };
    });
  };
}
