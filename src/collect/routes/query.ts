// GET /api/v1/aggregation and /api/v1/incidents[/:id] (DESIGN.md §6). Aggregation counts are
// computed by the store's SQL; rows carry t (bin start, Unix seconds) and time (the same, ISO).
import type { FastifyInstance } from 'fastify';
import * as P from '../params.js';
import { grainSeconds } from '../../store/store.js';
import { isoSeconds } from '../../model/time.js';
import type { CollectorState } from '../state.js';

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function queryRoutes(st: CollectorState) {
  return async function query(app: FastifyInstance) {
    const AGG = ['cc', 'asn', 'target', 'test_name', 'since', 'until', 'grain', 'by'] as const;
    app.get('/api/v1/aggregation', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, AGG);
      const f = { cc: P.cc(q), asn: P.asn(q), target: P.target(q), test_name: P.testName(q), since: P.time(q, 'since'), until: P.time(q, 'until') };
      P.range(f.since, f.until);
      const grain = P.grain(q, '1h');
      const by = P.by(q);
      const rows = await st.store.aggregate({ ...defined(f), grain, ...(by ? { by } : {}) });
      return {
        grain: grainSeconds(grain),
        rows: rows.map((r) => ({ ...r, time: isoSeconds(Number(r.t) * 1000) })),
      };
    });

    const INC = ['cc', 'asn', 'status', 'kind', 'since', 'until', 'limit'] as const;
    app.get('/api/v1/incidents', async (req) => {
      const q = req.query as Record<string, unknown>;
      P.onlyKnown(q, INC);
      const f = {
        cc: P.cc(q), asn: P.asn(q), status: P.incidentStatus(q), kind: P.incidentKind(q),
        since: P.time(q, 'since'), until: P.time(q, 'until'), limit: P.int(q, 'limit', 1, 10_000) ?? 100,
      };
      P.range(f.since, f.until);
      return { incidents: await st.store.incidents(defined(f)) };
    });

    app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (req, reply) => {
      const id = P.id(req.params.id, 'id');
      const inc = await st.store.incident(id);
      if (!inc) return reply.code(404).send({ error: 'not_found', reason: `no incident with id ${JSON.stringify(id)}` });
      return inc;
    });
  };
}
