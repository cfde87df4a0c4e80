// The suite: every experiment over every target, `concurrency` at a time, yielding measurements
// as they complete (so a long run streams to the outbox instead of piling up in memory).
import type { Measurement } from '../model/measurement.js';
import { UsageError } from '../model/errors.js';
import type { ExperimentContext } from './context.js';
import { EXPERIMENTS, isExperiment, runExperiment, type ExperimentName } from './registry.js';

export interface SuiteOptions {
  concurrency: number;
  /** experiment names to run; default all */
  only?: string[];
  /** called when a job cannot run at all (bad targets entry); the suite goes on */
  onError?: (job: { name: string; input: string | null }, e: unknown) => void;
}

export function suiteJobs(ctx: ExperimentContext, only?: string[]): Array<{ name: ExperimentName; input: string | null }> {
  const want = new Set<string>(only && only.length ? only : EXPERIMENTS);
  const t = ctx.targets;
  const jobs: Array<{ name: ExperimentName; input: string | null }> = [];
  if (want.has('web_connectivity')) for (const w of t.web) jobs.push({ name: 'web_connectivity', input: w.url });
  for (const n of ['whatsapp', 'facebook_messenger', 'telegram', 'signal'] as const) if (want.has(n) && t[n]) jobs.push({ name: n, input: null });
  if (want.has('vigil_throughput')) for (const e of t.throughput ?? []) jobs.push({ name: 'vigil_throughput', input: e.target });
  return jobs;
}

export async function* runSuite(ctx: ExperimentContext, opts: SuiteOptions): AsyncIterable<Measurement> {
  for (const n of opts.only ?? []) if (!isExperiment(n)) throw new UsageError(`unknown experiment "${n}" (known: ${EXPERIMENTS.join(', ')})`);
  const jobs = suiteJobs(ctx, opts.only);
  const n = Math.max(1, Math.min(opts.concurrency, jobs.length || 1));
  const done: Measurement[] = [];
  let wake: (() => void) | null = null;
  let next = 0;
  let running = 0;
  let firstError: unknown = null;
  const start = () => {
    while (running < n && next < jobs.length) {
      const job = jobs[next++];
      running++;
      runExperiment(job.name, job.input, ctx)
        .then((m) => done.push(m), (e) => {
          if (opts.onError) opts.onError(job, e);
          else firstError ??= e;
        })
        .finally(() => {
          running--;
          start();
          wake?.();
        });
    }
  };
  start();
  while (running > 0 || done.length > 0) {
    if (done.length === 0) await new Promise<void>((r) => (wake = r));
    wake = null;
    while (done.length) yield done.shift()!;
  }
  // without onError, a job that could not run fails the suite once the others have finished
  if (firstError) throw firstError;
}
