// What the lab's sites serve: a page per site (deterministic, a few KB, so body-length and title
// comparisons mean something), a large object for vigil_throughput, and what the censor puts in
// their place (a CANTV-like block page, a rewritten page).
import type { LabSite } from './sites.js';

export const LARGE_OBJECT_PATH = '/vigil/large.bin';
export const LARGE_OBJECT_DEFAULT_BYTES = 1 << 20;
export const LARGE_OBJECT_MAX_BYTES = 64 << 20;

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const pageCache = new Map<string, Response>();

export function sitePage(site: LabSite): Response {
  const hit = pageCache.get(site.target);
  if (hit) return hit;
  const paras: string[] = [];
  // ~6 KB of text, different per site so sites are not mistaken for one another.
  for (let i = 0; i < 40; i++) paras.push(`<p>${site.title} lab page, paragraph ${i + 1}: the lab serves this instead of the real ${site.title}, with the same hostnames and certificates issued by the Vigil lab CA.</p>`);
  const html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${site.title}</title></head>\n<body><h1>${site.title}</h1>\n${paras.join('\n')}\n</body></html>\n`;
  const r: Response = {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', server: `lab-${site.target}`, 'x-lab-site': site.target, 'cache-control': 'no-cache' },
    body: Buffer.from(html),
  };
  pageCache.set(site.target, r);
  return r;
}

/** A block page in the style of CANTV's (its <title>CANTV</title> is one of OONI's fingerprints). */
export const BLOCK_PAGE: Response = {
  status: 200,
  headers: { 'content-type': 'text/html', server: 'squid', connection: 'close' },
  body: Buffer.from(
    '<html><head><title>CANTV</title></head><body><center><h2>Acceso restringido</h2>' +
    '<p>El sitio solicitado no se encuentra disponible por disposición de las autoridades competentes.</p>' +
    '</center></body></html>\n',
  ),
};

/** The site's page as an on-path box rewrites it: content stripped, a script injected, headers replaced. */
export function rewrittenPage(site: LabSite): Response {
  const body = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Contenido no disponible</title>' +
    '<script src="http://portal.cantv.example/inject.js"></script></head>' +
    `<body><p>El contenido de ${site.hostnames[0]} fue modificado en tránsito.</p></body></html>\n`;
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', via: '1.1 transparent-proxy' }, body: Buffer.from(body) };
}

let largeChunk: Buffer | null = null;
/** 64 KiB of a repeating pattern; large objects are streamed as repeats of it. */
export function largeObjectChunk(): Buffer {
  if (!largeChunk) {
    largeChunk = Buffer.alloc(64 << 10);
    for (let i = 0; i < largeChunk.length; i++) largeChunk[i] = (i * 31 + 7) & 0xff;
  }
  return largeChunk;
}

/** The large object's size for a request URL (`?bytes=N`, bounded), or null when the path is not the object's. */
export function largeObjectBytes(url: string): number | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== LARGE_OBJECT_PATH) return null;
  const m = q < 0 ? null : /(?:^|&)bytes=(\d{1,9})(?:&|$)/.exec(url.slice(q + 1));
  if (!m) return LARGE_OBJECT_DEFAULT_BYTES;
  return Math.min(Number(m[1]), LARGE_OBJECT_MAX_BYTES);
}
