// A measurement's trace: the df-001/002/005/006 entries every network step appends, with t0/t in
// seconds relative to the measurement's start and a transaction_id per logical operation.
// Times come from the monotonic clock (performance.now) so a lab's virtual wall clock, which only
// sets measurement_start_time, never distorts durations.
import type { DnsQuery, HttpRequestEntry, TcpConnect, TlsHandshake } from '../model/measurement.js';

export class Trace {
  private readonly origin: number;
  private tx = 0;
  readonly queries: DnsQuery[] = [];
  readonly tcp: TcpConnect[] = [];
  readonly tls: TlsHandshake[] = [];
  readonly requests: HttpRequestEntry[] = [];
  /** cleanups for background work (a DNS socket still listening for late replies) */
  private readonly closers = new Set<() => void>();

  constructor(origin = performance.now()) {
    this.origin = origin;
  }

  /** seconds since the measurement started, microsecond precision */
  now(): number {
    return Math.round((performance.now() - this.origin) * 1000) / 1e6;
  }

  nextTx(): number {
    return ++this.tx;
  }

  onClose(fn: () => void): () => void {
    this.closers.add(fn);
    return () => this.closers.delete(fn);
  }

  /** Stops background listeners; entries already recorded stay. */
  close(): void {
    for (const fn of [...this.closers]) {
      try {
        fn();
      } catch {}
    }
    this.closers.clear();
  }
}

/** Sets an extra (x_*, tags) key on an entry: the model's objects are open, their TS types are not. */
export function setExtra<T extends object>(o: T, key: string, value: unknown): T {
  (o as Record<string, unknown>)[key] = value;
  return o;
}
