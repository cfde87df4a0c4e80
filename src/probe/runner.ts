// The probe's main loop: rounds of the suite, every measurement to the outbox (and/or a JSONL
// file) first, then upload with exponential backoff until the next round is due. Stoppable with
// an AbortSignal between steps; nothing pending is ever dropped.
import { promises as fs } from 'node:fs';
import type { Measurement } from '../model/measurement.js';
import type { ExperimentContext } from './context.js';
import type { Outbox } from './outbox.js';
import { ioError } from './outbox.js';
import { newReportId } from './report-id.js';
import { runSuite } from './suite.js';
import { backoffMs, uploadOutbox, type UploadOptions, type UploadReport } from './uploader.js';

export interface ProbeRunOptions {
  ctx: ExperimentContext;
  concurrency: number;
  only?: string[];
  /** rounds to run; default 1 (Infinity with an interval: until aborted) */
  rounds?: number;
  intervalMs?: number;
  /** append measurements here as JSONL */
  outFile?: string;
  outbox?: Outbox;
  collector?: string;
  upload?: UploadOptions;
  /** backoff base and cap, ms */
  backoff?: { baseMs: number; capMs: number };
  /** after the last round, keep retrying the upload this long; default 30 s */
  finalDrainMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: ProbeEvent) => void;
}

export type ProbeEvent =
  | { type: 'measurement'; m: Measurement }
  | { type: 'round'; round: number; measurements: number }
  | { type: 'upload'; report: UploadReport; attempt: number }
  | { type: 'job_error'; name: string; input: string | null; error: string };

export interface ProbeRunSummary {
  rounds: number;
  measurements: number;
  uploaded: number;
  pending: number;
  lastUploadFailure: string | null;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted || ms <= 0) return resolve();
  const t = setTimeout(done, ms);
  function done() {
    clearTimeout(t);
    signal?.removeEventListener('abort', done);
    resolve();
  }
  signal?.addEventListener('abort', done, { once: true });
});

export async function runProbe(o: ProbeRunOptions): Promise<ProbeRunSummary> {
  const rounds = o.rounds ?? 1;
  const interval = o.intervalMs ?? 0;
  const bo = o.backoff ?? { baseMs: 1000, capMs: 300_000 };
  const sum: ProbeRunSummary = { rounds: 0, measurements: 0, uploaded: 0, pending: 0, lastUploadFailure: null };
  let attempt = 0;

  // Upload until drained or `until` (ms since epoch, real time) passes.
  const drain = async (until: number) => {
    if (!o.collector || !o.outbox) return;
    for (;;) {
      if (o.signal?.aborted) return;
      const r = await uploadOutbox(o.outbox, o.collector, o.upload);
      sum.uploaded += r.accepted + r.duplicates;
      o.onEvent?.({ type: 'upload', report: r, attempt });
      sum.lastUploadFailure = r.failure;
      if (!r.failure) {
        attempt = 0;
        return;
      }
      const wait = backoffMs(attempt++, bo.baseMs, bo.capMs);
      if (Date.now() + wait > until) return;
      await sleep(wait, o.signal);
    }
  };

  for (let round = 1; round <= rounds && !o.signal?.aborted; round++) {
    const started = Date.now();
    const ctx: ExperimentContext = { ...o.ctx, reportId: newReportId(o.ctx.clock.now(), o.ctx.identity.cc, o.ctx.identity.asn) };
    let n = 0;
    const lines: string[] = [];
    for await (const m of runSuite(ctx, {
      concurrency: o.concurrency,
      only: o.only,
      onError: (job, e) => o.onEvent?.({ type: 'job_error', name: job.name, input: job.input, error: (e as Error).message }),
    })) {
      if (o.outbox) await o.outbox.put(m);
      if (o.outFile) lines.push(JSON.stringify(m));
      n++;
      o.onEvent?.({ type: 'measurement', m });
      if (o.outFile) await flush(); // each line on disk as soon as it exists
    }
    await flush();
    sum.rounds = round;
    sum.measurements += n;
    o.onEvent?.({ type: 'round', round, measurements: n });
    const last = round === rounds;
    const next = last ? Date.now() + (o.finalDrainMs ?? 30_000) : started + interval;
    await drain(next);
    if (!last) await sleep(next - Date.now(), o.signal);

    async function flush() {
      if (!o.outFile || lines.length === 0) return;
      const text = lines.join('\n') + '\n';
      lines.length = 0;
      try {
        await fs.appendFile(o.outFile, text);
      } catch (e) {
        throw ioError(e, `append to ${o.outFile}`);
      }
    }
  }
  sum.pending = o.outbox ? await o.outbox.count() : 0;
  return sum;
}
