// Token buckets in memory (issue 9 §4): per source address and per probe. A bucket holds up to
// `burst` tokens and refills at `ratePerSec`; a request costs `cost` tokens or is refused with the
// seconds until it would fit (the Retry-After header). Keys live only in this process's memory
// (an address is never written anywhere) and the map is bounded: past `maxKeys` the least
// recently used bucket is dropped (a dropped bucket comes back full, which only ever errs on the
// side of letting a request through).
import { parseIp } from '../../geo/ip.js';
export interface BucketOptions {
  ratePerSec: number;
  burst: number;
  maxKeys?: number;
  now?: () => number;
}

export type Take = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket { tokens: number; at: number }

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly o: BucketOptions) {
    if (!(o.ratePerSec > 0) || !(o.burst >= 1)) throw new RangeError('token bucket: rate must be > 0 and burst >= 1');
    this.maxKeys = o.maxKeys ?? 100_000;
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, cost = 1): Take {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-insert: Map order is the LRU order
      b.tokens = Math.min(this.o.burst, b.tokens + ((now - b.at) / 1000) * this.o.ratePerSec);
      b.at = now;
    } else {
      b = { tokens: this.o.burst, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, b);
    // A request larger than the whole bucket may pass when the bucket is full, so a big batch is
    // slowed down, never refused forever.
    const need = Math.min(cost, this.o.burst);
    if (b.tokens >= need) {
      b.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((need - b.tokens) / this.o.ratePerSec)) };
  }
}

/** The network an address belongs to, masked to `v4Prefix` / `v6Prefix` bits, as text; null
 *  for anything that is not an address. */
export function maskedPrefix(addr: string, v4Prefix: number, v6Prefix: number): string | null {
  const ip = parseIp(addr);
  if (!ip) return null;
  if (ip.v === 4) {
    const bits = Math.max(0, Math.min(32, v4Prefix));
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return `4/${((ip.n & mask) >>> 0).toString(16)}/${bits}`;
  }
  const bits = BigInt(Math.max(0, Math.min(128, v6Prefix)));
  const mask = bits === 0n ? 0n : ((1n << 128n) - 1n) ^ ((1n << (128n - bits)) - 1n);
  return `6/${(ip.n & mask).toString(16)}/${bits}`;
}

/** The bucket key of an address: IPv4 whole, IPv6 by its /64 (one subscriber usually holds a
 *  whole /64, so per-address limits on single IPv6 addresses would be trivially evaded). */
export function addressKey(addr: string): string {
  return maskedPrefix(addr, 32, 64) ?? `?${addr.slice(0, 64)}`;
}
