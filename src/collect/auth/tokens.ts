// Per-probe upload tokens (issue 9 §4). `register()` mints a random 256-bit token and a probe id;
// the token is returned once and only its HMAC-SHA256 under a per-server pepper is kept, in the
// store's key/value state (so every collector in front of one store shares the registry):
//   auth.token.<hash>      → {"probe_id", "created", "revoked"?}
//   auth.probe.<probe_id>  → <hash>            (for revocation by probe id)
// A database dump therefore holds no usable token: a 256-bit random secret cannot be guessed
// from its hash, and without the pepper the hash cannot even be tested against a candidate.
// Verified tokens are cached for a few seconds, so a revocation takes effect on every collector
// within `cacheMs` (immediately on the one that revoked it).
import { createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { Store } from '../../store/store.js';

export interface TokenRecord {
  probe_id: string;
  created: string;
  revoked?: string;
}

const TOKEN = /^vgt_[A-Za-z0-9_-]{43}$/;
const PEPPER_KEY = 'auth.pepper';

export class TokenRegistry {
  private readonly cache = new Map<string, { probeId: string | null; until: number }>();

  private constructor(
    private readonly store: Store,
    private readonly pepper: Buffer,
    private readonly now: () => number,
    private readonly cacheMs: number,
  ) {}

  /**
   * The pepper: given (from a file or VIGIL_AUTH_PEPPER, kept apart from the database — the
   * stronger choice), else one generated once and kept in the store's state.
   */
  static async open(store: Store, o: { pepper?: Buffer; now?: () => number; cacheMs?: number } = {}): Promise<TokenRegistry> {
    let pepper = o.pepper;
    if (!pepper || pepper.length === 0) {
      const kept = await store.getState(PEPPER_KEY);
      if (kept && /^[0-9a-f]{64}$/.test(kept)) pepper = Buffer.from(kept, 'hex');
      else {
        pepper = randomBytes(32);
        await store.setState(PEPPER_KEY, pepper.toString('hex'));
      }
    }
    return new TokenRegistry(store, pepper, o.now ?? Date.now, o.cacheMs ?? 5000);
  }

  hash(token: string): string {
    return createHmac('sha256', this.pepper).update(token).digest('hex');
  }

  async register(): Promise<{ probe_id: string; token: string }> {
    const token = 'vgt_' + randomBytes(32).toString('base64url');
    const probe_id = 'vp_' + randomBytes(10).toString('hex');
    const h = this.hash(token);
    const rec: TokenRecord = { probe_id, created: new Date(this.now()).toISOString() };
    await this.store.setState(`auth.token.${h}`, JSON.stringify(rec));
    await this.store.setState(`auth.probe.${probe_id}`, h);
    return { probe_id, token };
  }

  /** The probe id a token belongs to, or null (malformed, unknown or revoked). */
  async verify(token: string): Promise<string | null> {
    if (!TOKEN.test(token)) return null;
    const h = this.hash(token);
    const c = this.cache.get(h);
    const now = this.now();
    if (c && c.until > now) return c.probeId;
    let probeId: string | null = null;
    const raw = await this.store.getState(`auth.token.${h}`);
    if (raw) {
      try {
        const rec = JSON.parse(raw) as TokenRecord;
        if (!rec.revoked && typeof rec.probe_id === 'string') probeId = rec.probe_id;
      } catch { /* a damaged record grants nothing */ }
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(h, { probeId, until: now + this.cacheMs });
    return probeId;
  }

  /** Revokes the token of a probe id; false when there is none (or it was revoked already). */
  async revoke(probeId: string): Promise<boolean> {
    const h = await this.store.getState(`auth.probe.${probeId}`);
    if (!h || !/^[0-9a-f]{64}$/.test(h)) return false;
    const raw = await this.store.getState(`auth.token.${h}`);
    if (!raw) return false;
    let rec: TokenRecord;
    try { rec = JSON.parse(raw) as TokenRecord; } catch { return false; }
    if (rec.revoked) return false;
    rec.revoked = new Date(this.now()).toISOString();
    await this.store.setState(`auth.token.${h}`, JSON.stringify(rec));
    this.cache.delete(h);
    return true;
  }
}

/** Constant-time comparison of a presented secret with the expected one (hashes first, so the
 *  lengths match and the length of the secret does not leak either). */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearer(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const m = /^Bearer[ ]+([\x21-\x7e]{1,512})[ ]*$/i.exec(header);
  return m ? m[1] : null;
}
