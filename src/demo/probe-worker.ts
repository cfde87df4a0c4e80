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

export type WorkerRequest = { type: 'tick'; tick: number; probes: number[] } | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready'; identities: Array<{ id: string; cc: string; asn: number; network: string; resolverIp: string | null }> }
  | { type: 'tick'; tick: number; measurements: number; uploaded: number; pending: number; failures: string[] }
  | { type: 'error'; message: string };

interface ProbeState { id: string; env: NetEnv; ctxBase: Omit<ExperimentContext, 'reportId'>; outbox: Outbox }

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

  port.on('message', async (msg: WorkerRequest) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    try {
      let measurements = 0;
      let uploaded = 0;
      let pending = 0;
      const failures: string[] = [];
      await Promise.all(msg.probes.map(async (i) => {
        const p = probes[i];
        const ctx: ExperimentContext = { ...p.ctxBase, reportId: newReportId(clock.now(), p.ctxBase.identity.cc, p.ctxBase.identity.asn) };
        for await (const m of runSuite(ctx, { concurrency: init.concurrency, only: ['web_connectivity'], onError: (_j, e) => failures.push(String((e as Error).message)) })) {
          await p.outbox.put(m);
          measurements++;
        }
        const r = await uploadOutbox(p.outbox, init.collector, { batchSize: 50 });
        uploaded += r.accepted + r.duplicates;
        if (r.failure) failures.push(`upload: ${r.failure}`);
        pending += await p.outbox.count();
      }));
      port.postMessage({ type: 'tick', tick: msg.tick, measurements, uploaded, pending, failures } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerReply);
    }
  });
}

main().catch((e) => parentPort?.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerReply));
