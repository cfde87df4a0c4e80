// GET /api/v1/healthz (the store answers a trivial query) and GET /metrics (Prometheus text).
import type { FastifyInstance } from 'fastify';
import type { CollectorState } from '../state.js';

export function healthRoutes(st: CollectorState) {
  return async function health(app: FastifyInstance) {
    app.get('/api/v1/healthz', async (_req, reply) => {
      try {
        await st.store.getState('healthz');
        return { status: 'ok', engine: st.store.engine };
      } catch {
        return reply.code(503).send({ error: 'unavailable', reason: 'the store does not answer' });
      }
    });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return st.metrics.render(st.store);
    });
  };
}
