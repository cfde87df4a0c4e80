// Access control for the collector (issue 9 §4), installed on the root Fastify instance before
// the routes so its hooks cover all of them:
//   - per-address token bucket on every request (healthz aside): 429 + Retry-After;
//   - uploads: in `tokens` mode `Authorization: Bearer <token>` is required (401 otherwise) and
//     the token's probe id replaces whatever probe id the measurements claim; a per-probe bucket
//     charged per measurement; each measurement is tagged with its source-network pseudonym
//     (./source-groups.ts) — the address itself goes no further than this hook;
//   - POST /api/v1/probes/register mints a token (rate-limited per address);
//   - admin endpoints need the admin token: DELETE /api/v1/incidents/:id,
//     DELETE /api/v1/probes/:probe_id/token, POST /api/v1/admin/detect.
// `open` mode (the default, like OONI's collector) takes uploads without a token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CollectorState } from '../state.js';
import { TokenBuckets, addressKey, type BucketOptions } from './rate-limit.js';
import { SourceGroups, type SourceGroupOptions } from './source-groups.js';
import { TokenRegistry, bearer, sameSecret } from './tokens.js';

export type AuthMode = 'open' | 'tokens';
type Limit = Omit<BucketOptions, 'now'> | false;

export interface AccessOptions {
  /** default 'open' */
  mode?: AuthMode;
  /** the admin secret; without it the admin endpoints answer 403 */
  adminToken?: string;
  /** HMAC key for stored token hashes (default: generated once, kept in the store) */
  pepper?: Buffer;
  /** requests per address (default 100/s, burst 400) */
  perAddress?: Limit;
  /** measurements per probe, tokens mode (default 200/s, burst 2000) */
  perProbe?: Limit;
  /** registrations per address (default 1 per 10 s, burst 10) */
  register?: Limit;
  /** tag measurements with their source network (default on: /24 and /48) */
  sourceGroups?: SourceGroupOptions | false;
  /** what POST /api/v1/admin/detect runs (501 without it) */
  detect?: () => Promise<unknown>;
  now?: () => number;
}

export const DEFAULT_LIMITS = {
  perAddress: { ratePerSec: 100, burst: 400 },
  perProbe: { ratePerSec: 200, burst: 2000 },
  register: { ratePerSec: 0.1, burst: 10 },
} as const;

export interface Access {
  registry: TokenRegistry;
  groups: SourceGroups | null;
  mode: AuthMode;
}

function tooMany(reply: FastifyReply, retryAfterS: number, what: string) {
  return reply.code(429).header('retry-after', String(retryAfterS)).send({ error: 'too_many_requests', reason: `${what}; retry after ${retryAfterS} s` });
}

function unauthorized(reply: FastifyReply, reason: string) {
  return reply.code(401).header('www-authenticate', 'Bearer realm="vigil"').send({ error: 'unauthorized', reason });
}

function bucket(l: Limit | undefined, dflt: Omit<BucketOptions, 'now'>, now?: () => number): TokenBuckets | null {
  if (l === false) return null;
  return new TokenBuckets({ ...(l ?? dflt), now });
}

/** The items of an upload body, as the measurements route reads them (objects only). */
function uploadItems(body: unknown): Array<Record<string, unknown>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const list = Object.prototype.hasOwnProperty.call(body, 'measurements') ? (body as { measurements: unknown }).measurements : [body];
  if (!Array.isArray(list)) return [];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

const REDACTED = '127.0.0.1';

/**
 * The caller's own address must never be stored (DESIGN.md §2), wherever the client wrote it:
 * probe_ip is scrubbed by the measurements route, but a probe running its own resolver reports
 * it as resolver_ip, and test_keys may quote it. Every string value that contains the address
 * (as a whole token, not as part of a longer number) gets it replaced. Cheap when absent: one
 * serialization and a substring test per item.
 */
export function redactAddress(item: Record<string, unknown>, address: string): void {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (a.length < 2 || !JSON.stringify(item).includes(a)) return;
  const esc = a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = a.includes(':')
    ? new RegExp(`(?<![0-9A-Fa-f:])${esc}(?![0-9A-Fa-f:])`, 'g')
    : new RegExp(`(?<![0-9.])${esc}(?![0-9]|\\.[0-9])`, 'g');
  const stack: unknown[] = [item];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const c = o[k];
      if (typeof c === 'string') { if (c.includes(a)) o[k] = c.replace(re, REDACTED); } else if (c !== null && typeof c === 'object') stack.push(c);
    }
  }
}

export async function installAccess(app: FastifyInstance, st: CollectorState, o: AccessOptions = {}): Promise<Access> {
  const mode = o.mode ?? 'open';
  const registry = await TokenRegistry.open(st.store, { pepper: o.pepper, now: o.now });
  const groups = o.sourceGroups === false ? null : new SourceGroups(o.sourceGroups ?? {});
  const perAddress = bucket(o.perAddress, DEFAULT_LIMITS.perAddress, o.now);
  const perProbe = bucket(o.perProbe, DEFAULT_LIMITS.perProbe, o.now);
  const register = bucket(o.register, DEFAULT_LIMITS.register, o.now);
  const peer = (req: FastifyRequest) => req.socket.remoteAddress ?? '';

  app.addHook('onRequest', async (req, reply) => {
    if (!perAddress || req.url === '/api/v1/healthz') return;
    const t = perAddress.take(addressKey(peer(req)));
    if (!t.ok) return tooMany(reply, t.retryAfterS, 'too many requests from this address');
  });

  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/api/v1/measurements') return;
    let probeId: string | null = null;
    if (mode === 'tokens') {
      const token = bearer(req.headers.authorization);
      if (!token) return unauthorized(reply, 'uploads need "Authorization: Bearer <token>" (POST /api/v1/probes/register gives one)');
      probeId = await registry.verify(token);
      if (!probeId) return unauthorized(reply, 'unknown or revoked token');
    }
    const items = uploadItems(req.body);
    if (perProbe && probeId) {
      const t = perProbe.take(probeId, Math.max(1, items.length));
      if (!t.ok) return tooMany(reply, t.retryAfterS, 'too many measurements from this probe');
    }
    const group = groups ? groups.of(peer(req)) : null;
    const addr = peer(req);
    for (const it of items) redactAddress(it, addr);
    for (const it of items) {
      const a = it.annotations;
      // a non-object annotations value is left for the schema to reject
      if (a !== undefined && a !== null && (typeof a !== 'object' || Array.isArray(a))) continue;
      const ann: Record<string, unknown> = a ? (a as Record<string, unknown>) : {};
      if (probeId) ann.probe_id = probeId;
      if (group) ann.vigil_source_group = group;
      else delete ann.vigil_source_group; // only the collector may say where a measurement came from
      it.annotations = ann;
    }
  });

  app.post('/api/v1/probes/register', async (req, reply) => {
    if (register) {
      const t = register.take(addressKey(peer(req)));
      if (!t.ok) return tooMany(reply, t.retryAfterS, 'too many registrations from this address');
    }
    const b = req.body;
    if (b !== undefined && (b === null || typeof b !== 'object' || Array.isArray(b))) {
      return reply.code(400).send({ error: 'bad_request', reason: 'expected no body or a JSON object' });
    }
    const r = await registry.register();
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ ...r, note: 'keep the token: it is shown once and stored only as a hash' });
  });

  const admin = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!o.adminToken) return reply.code(403).send({ error: 'forbidden', reason: 'admin API disabled (start the collector with an admin token)' });
    const token = bearer(req.headers.authorization);
    if (!token) return unauthorized(reply, 'admin endpoints need "Authorization: Bearer <admin token>"');
    if (!sameSecret(token, o.adminToken)) return reply.code(403).send({ error: 'forbidden', reason: 'wrong admin token' });
  };
  const idOk = (s: string) => s.length >= 1 && s.length <= 256 && !/[\u0000-\u001f\u007f]/.test(s);

  app.delete<{ Params: { id: string } }>('/api/v1/incidents/:id', { preHandler: admin }, async (req, reply) => {
    if (!idOk(req.params.id)) return reply.code(400).send({ error: 'bad_request', reason: 'id: expected 1–256 printable characters' });
    if (!(await st.store.incident(req.params.id))) return reply.code(404).send({ error: 'not_found', reason: 'no such incident' });
    await st.store.deleteIncidents([req.params.id]);
    return reply.code(204).send();
  });

  app.delete<{ Params: { probe_id: string } }>('/api/v1/probes/:probe_id/token', { preHandler: admin }, async (req, reply) => {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(req.params.probe_id)) return reply.code(400).send({ error: 'bad_request', reason: 'probe_id: expected letters, digits, _ . : -' });
    if (!(await registry.revoke(req.params.probe_id))) return reply.code(404).send({ error: 'not_found', reason: 'no active token for this probe id' });
    return reply.code(204).send();
  });

  app.post('/api/v1/admin/detect', { preHandler: admin }, async (_req, reply) => {
    if (!o.detect) return reply.code(501).send({ error: 'not_implemented', reason: 'detection is not wired to this collector' });
    const r = await o.detect();
    return { ok: true, result: r ?? null };
  });

  return { registry, groups, mode };
}
