// The demo's probes, in a worker thread (so probes and the lab/collector use both cores). Each
// probe is the production code path: it learns where it is from the collector's geolookup and
// its resolver through whoami, runs the suite through the lab's censor, writes every measurement
// to its outbox on disk and uploads it to the collector over HTTP, deleting only what was acked.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import type { NetEnv } from '../netx/env.js';
import type { Targets } from '../probe/targets.js';
import type { ExperimentContext } from '../probe/context.js';
import { resolveIdentity } from '../probe/identity.js';
import { Outbox } from '../probe/outbox.js';
import { runSuite } from '../probe/suite.js';
import { uploadOutbox } from '../probe/uploader.js';
import { newReportId } from '../probe/report-id.js';
import { SharedClock } from './shared-clock.js';

export interface WorkerInit {
  clockBuffer: SharedArrayBuffer;
  collector: string;
  helperUrl: string;
  targets: Targets;
  whoamiZone: string;
  outboxRoot: string;
  concurrency: number;
  probes: Array<{ id: string; env: NetEnv }>;
}

export type WorkerRequest = { type: 'tick'; tick: number; probes: number[] } | { type: 'flush' } | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready'; identities: Array<{ id: string; cc: string; asn: number; network: string; resolverIp: string | null }> }
  | { type: 'tick'; tick: number; measurements: number; failures: string[] }
  | { type: 'flushed'; uploaded: number; pending: number; failures: string[] }
  | { type: 'error'; message: string };

interface ProbeState { id: string; env: NetEnv; ctxBase: Omit<ExperimentContext, 'reportId'>; outbox: Outbox; uploading: Promise<void> | null }

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const clock = new SharedClock(init.clockBuffer);
  const probes: ProbeState[] = [];
  for (const p of init.probes) {
    const id = await resolveIdentity({ collectorUrl: init.collector, env: p.env, whoamiName: init.whoamiZone });
    probes.push({
      id: p.id,
      env: p.env,
      outbox: await Outbox.open(join(init.outboxRoot, p.id)),
      uploading: null,
      ctxBase: {
        env: p.env,
        helperUrl: init.helperUrl,
        clock,
        targets: init.targets,
        identity: { cc: id.cc, asn: id.asn, network: id.network, probeId: p.id, resolverIp: id.resolverIp, resolverAsn: id.resolverAsn, annotations: id.annotations },
      },
    });
  }
  port.postMessage({
    type: 'ready',
    identities: probes.map((p) => ({ id: p.id, cc: p.ctxBase.identity.cc, asn: p.ctxBase.identity.asn, network: p.ctxBase.identity.network, resolverIp: p.ctxBase.identity.resolverIp ?? null })),
  } satisfies WorkerReply);

  // Uploads run in the background, as a probe's uploader does after each round: one at a time
  // per probe, draining its outbox, while the next round is measured.
  let uploaded = 0;
  const uploadFailures: string[] = [];
  const upload = (p: ProbeState) => {
    if (p.uploading) return;
    p.uploading = (async () => {
      try {
        const r = await uploadOutbox(p.outbox, init.collector, { batchSize: 100 });
        uploaded += r.accepted + r.duplicates;
        if (r.failure) uploadFailures.push(`upload: ${r.failure}`);
      } finally {
        p.uploading = null;
      }
    })();
  };

  port.on('message', async (msg: WorkerRequest) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    try {
      if (msg.type === 'flush') {
        // what was measured before the detector looks must have reached the collector
        for (;;) {
          const busy = probes.filter((p) => p.uploading).map((p) => p.uploading);
          if (busy.length) await Promise.all(busy);
          const left = (await Promise.all(probes.map((p) => p.outbox.count()))).reduce((a, b) => a + b, 0);
          if (left === 0 || uploadFailures.length) break;
          for (const p of probes) upload(p);
        }
        const pending = (await Promise.all(probes.map((p) => p.outbox.count()))).reduce((a, b) => a + b, 0);
        port.postMessage({ type: 'flushed', uploaded, pending, failures: uploadFailures.splice(0) } satisfies WorkerReply);
        return;
      }
      let measurements = 0;
      const failures: string[] = [];
      await Promise.all(msg.probes.map(async (i) => {
        const p = probes[i];
        const ctx: ExperimentContext = { ...p.ctxBase, reportId: newReportId(clock.now(), p.ctxBase.identity.cc, p.ctxBase.identity.asn) };
        for await (const m of runSuite(ctx, { concurrency: init.concurrency, only: ['web_connectivity'], onError: (_j, e) => failures.push(String((e as Error).message)) })) {
          await p.outbox.put(m);
          measurements++;
        }
        upload(p);
      }));
      port.postMessage({ type: 'tick', tick: msg.tick, measurements, failures } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerReply);
    }
  });
}

main().catch((e) => parentPort?.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerReply));
