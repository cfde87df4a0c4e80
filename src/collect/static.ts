// The dashboard: files from a built directory (dist/web) at `/`, with the single-page-app
// fallback (any other GET outside /api/ gets index.html). Paths are resolved inside the
// directory only; anything escaping it is a 404.
import type { FastifyInstance } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep, extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export function dashboardRoute(dir: string) {
  const root = resolve(dir);
  return async function dashboard(app: FastifyInstance) {
    app.get('/*', async (req, reply) => {
      const path = (req.url.split('?')[0] ?? '/');
      if (path.startsWith('/api/')) return reply.code(404).send({ error: 'not_found', reason: `no route GET ${path.slice(0, 100)}` });
      let rel: string;
      try {
        rel = decodeURIComponent(path);
      } catch {
        return reply.code(400).send({ error: 'bad_request', reason: 'malformed path' });
      }
      const file = resolve(root, '.' + (rel.endsWith('/') ? `${rel}index.html` : rel));
      const inside = file === root || file.startsWith(root + sep);
      const target = inside && !rel.includes('\u0000') && (await isFile(file)) ? file : resolve(root, 'index.html');
      if (!(await isFile(target))) return reply.code(404).send({ error: 'not_found', reason: 'dashboard not built' });
      reply.header('content-type', TYPES[extname(target)] ?? 'application/octet-stream');
      if (target !== file) reply.header('cache-control', 'no-cache');
      return reply.send(await readFile(target));
    });
  };
}
