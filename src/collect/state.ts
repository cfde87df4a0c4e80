// What the collector's routes share: the store, the ingest function, counters and limits.
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { IngestFn } from './routes/measurements.js';

export interface CollectorState {
  store: Store;
  ingest: IngestFn;
  metrics: Metrics;
  /** most measurements accepted in one POST */
  maxBatch: number;
  /** ingest requests allowed to wait on the store at once; more get 429 + Retry-After */
  maxInflight: number;
  inflight: number;
  /** wall clock (ms) and how far ahead of it a measurement time may be (probe clock skew, lab clocks) */
  now: () => number;
  maxFutureMs: number;
  onIngest?: (r: { accepted: number; duplicates: number; rejected: number }) => void;
}
