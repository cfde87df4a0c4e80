// GET /feed.atom: the incidents as an Atom feed (issue 5 §2).
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { atomFeed } from '../../report/feed/atom.js';

export function feedRoute(store: Store, opts: { baseUrl?: string } = {}) {
  return async function feed(app: FastifyInstance) {
    app.get('/feed.atom', async (req, reply) => {
      const incidents = await store.incidents({ limit: 200 });
      const base = opts.baseUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
      reply.header('content-type', 'application/atom+xml; charset=utf-8');
      return atomFeed(incidents, { baseUrl: base, now: Date.now() });
    });
  };
}
