// GET /api/v1/incidents/:id/report.{md,html,json,txt} (DESIGN.md §6): the same reports as
// `vigil report`, rendered on request.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { buildReportData } from '../../report/report-data.js';
import { render, type Format } from '../../report/render/index.js';

const TYPES: Record<string, [Format, string]> = {
  md: ['md', 'text/markdown; charset=utf-8'],
  html: ['html', 'text/html; charset=utf-8'],
  json: ['json', 'application/json; charset=utf-8'],
  txt: ['text', 'text/plain; charset=utf-8'],
};

export function reportRoutes(store: Store) {
  return async function reports(app: FastifyInstance) {
    app.get<{ Params: { id: string; ext: string } }>('/api/v1/incidents/:id/report.:ext', async (req, reply) => {
      const t = TYPES[req.params.ext];
      if (!t) return reply.code(404).send({ error: 'not_found', reason: 'report formats: md, html, json, txt' });
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(req.params.id)) return reply.code(400).send({ error: 'bad_request', reason: 'invalid incident id' });
      const inc = await store.incident(req.params.id);
      if (!inc) return reply.code(404).send({ error: 'not_found', reason: `no incident ${req.params.id}` });
      const data = await buildReportData(store, inc, { baseUrl: `${req.protocol}://${req.headers.host ?? 'localhost'}` });
      reply.header('content-type', t[1]);
      return render(data, t[0]);
    });
  };
}
