// `vigil demo` (issue 5 §3, DESIGN.md §6): the seed scenario end to end on the loopback lab.
// A simulated Venezuela — CANTV (AS8048), Movistar (AS6306), Digitel (AS264731) — with probes on
// each network over a simulated day, a virtual clock, and every production part on the path:
// probes (geolocated by the collector, measuring real lab servers through the censor, outbox,
// HTTP upload) → collector (validation, analysis, DuckDB) → incremental detection → reports.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { startLoopbackLab, type Lab } from '../lab/loopback.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { createServer } from '../collect/server.js';
import { feedRoute } from '../collect/routes/feed.js';
import { reportRoutes } from '../collect/routes/reports.js';
import { geolookupRoute } from '../collect/routes/geolookup.js';
import { dashboardRoutes } from '../collect/routes/dashboard-api.js';
import { openGeo } from '../geo/index.js';
import { runDetection } from '../detect/run.js';
import type { Incident } from '../model/incident.js';
import { buildReportData } from '../report/report-data.js';
import { render } from '../report/render/index.js';
import { VigilError } from '../model/errors.js';
import { SharedClock } from './shared-clock.js';
import { demoScenario, demoContext, groundTruth } from './scenario.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './probe-worker.js';

export interface DemoOptions {
  out: string;
  /** probes per network (default 8: 24 probes) */
  probesPerNetwork?: number;
  /** each probe measures every this many minutes, probes staggered (default 20) */
  intervalMin?: number;
  /** virtual time runs at most this many times faster than real time; 0 = as fast as possible */
  speed?: number;
  /** detection runs every this many virtual minutes, as `vigil serve` would on arriving data */
  detectEveryMin?: number;
  /** keep the collector (API + dashboard) running after the day; the caller closes it */
  serve?: { host: string; port: number; routes?: Array<(app: FastifyInstance) => Promise<void> | void> } | null;
  onProgress?: (p: { t: number; fraction: number; measurements: number; incidents: number }) => void;
}

export interface DemoResult {
  incidents: Incident[];
  headline: string | null;
  measurements: number;
  files: Record<string, string>;
  truth: ReturnType<typeof groundTruth>;
  url: string | null;
  elapsedS: number;
  /** closes the collector and the store when the demo was asked to keep serving */
  close(): Promise<void>;
}

/** Web targets of the demo suite: the four platforms blocked in 2020, Facebook and a control site. */
const DEMO_WEB = ['https://twitter.com/', 'https://www.instagram.com/', 'https://www.youtube.com/', 'https://www.messenger.com/', 'https://www.facebook.com/', 'https://www.wikipedia.org/'];

const TICK_MS = 5 * 60_000;

/** The probe worker: compiled JS after the build; from the TypeScript sources (tests, tsx) a
 *  one-line bootstrap registers tsx inside the worker first. */
function startWorker(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./probe-worker.js', import.meta.url), { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./probe-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

function pickMain(incidents: Incident[]): Incident | null {
  return [...incidents].sort((a, b) => b.evidence.anomalies - a.evidence.anomalies || a.start.localeCompare(b.start))[0] ?? null;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const perNet = o.probesPerNetwork ?? 8;
  const period = Math.max(1, Math.round((o.intervalMin ?? 20) / 5));
  const dayStart = Date.parse(demoScenario.start);
  const dayEnd = Date.parse(demoScenario.end);
  await mkdir(o.out, { recursive: true });
  const dbPath = join(o.out, 'vigil.duckdb');
  await rm(dbPath, { force: true });
  await rm(`${dbPath}.wal`, { force: true });

  const clock = new SharedClock(dayStart);
  const cleanup: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  };
  let lab: Lab | null = null;
  let store: Store | null = null;
  let app: FastifyInstance | null = null;
  let worker: Worker | null = null;
  try {
    // The helper is outside the censored country and sites do not go down in this scenario: a short
    // answer cache lets the probes of one round share its control measurements.
    lab = await startLoopbackLab({ scenario: demoScenario, clock, probesPerNetwork: perNet, helperCacheMs: 2000 });
    cleanup.push(() => lab!.close());
    store = await openDuckDbStore(dbPath);
    cleanup.push(() => store!.close());
    const geo = await openGeo({ prefixTables: [lab.prefixTablePath] });
    const s = store;
    app = await createServer({
      store: s,
      // the demo's "now" is the virtual clock: measurements from 2020 are not "in the future"
      now: () => clock.now(),
      routes: [feedRoute(s), reportRoutes(s), geolookupRoute(geo), dashboardRoutes(s), ...(o.serve?.routes ?? [])],
    });
    await app.listen({ host: o.serve?.host ?? '127.0.0.1', port: o.serve?.port ?? 0 });
    cleanup.push(() => app!.close());
    const addr = app.server.address() as AddressInfo;
    const url = `http://${addr.address}:${addr.port}`;

    // The outboxes fsync every measurement (a probe must survive a power cut). All 24 simulated
    // probes share this machine's disk, so put them in memory (/dev/shm) when there is one: the
    // code path is the same, only the fsyncs become cheap.
    const outboxRoot = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'vigil-demo-outbox-'));
    cleanup.push(() => rm(outboxRoot, { recursive: true, force: true }));
    const probes = lab.networks.flatMap((n) => Array.from({ length: perNet }, (_, i) => ({ id: `demo-${n.name.toLowerCase()}-${i + 1}`, env: lab!.envFor(n.name, i) })));
    const targets = { ...lab.targets, web: lab.targets.web.filter((w) => DEMO_WEB.includes(w.url)) };
    const init: WorkerInit = {
      clockBuffer: clock.buffer, collector: url, helperUrl: lab.helperUrl, targets, whoamiZone: lab.whoamiZone,
      outboxRoot, concurrency: 6, probes,
    };
    worker = startWorker(init);
    cleanup.push(async () => { await worker!.terminate(); });
    const replies: WorkerReply[] = [];
    let wake: (() => void) | null = null;
    let failed: Error | null = null;
    worker.on('message', (m: WorkerReply) => { replies.push(m); wake?.(); });
    worker.on('error', (e) => { failed = e; wake?.(); });
    worker.on('exit', (code) => { if (code !== 0) failed ??= new Error(`probe worker exited with code ${code}`); wake?.(); });
    const next = async (): Promise<WorkerReply> => {
      for (;;) {
        if (replies.length) {
          const r = replies.shift()!;
          if (r.type === 'error') throw new VigilError('INTERNAL', `demo probes: ${r.message}`);
          return r;
        }
        if (failed) throw new VigilError('INTERNAL', `demo probes: ${(failed as Error).message}`);
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    };
    const ready = await next();
    if (ready.type !== 'ready') throw new VigilError('INTERNAL', 'demo probes did not start');
    const misplaced = ready.identities.filter((i) => i.asn === 0);
    if (misplaced.length) throw new VigilError('INTERNAL', `demo probes could not locate themselves: ${misplaced.map((m) => m.id).join(', ')}`);

    const lostUploads: string[] = [];
    const flush = async () => {
      worker!.postMessage({ type: 'flush' } satisfies WorkerRequest);
      const f = await next();
      if (f.type === 'flushed') {
        lostUploads.push(...f.failures);
        if (f.pending > 0) lostUploads.push(`${f.pending} measurements still in the outboxes`);
      }
    };
    const ticks = Math.round((dayEnd - dayStart) / TICK_MS);
    const detectEvery = Math.max(1, Math.round((o.detectEveryMin ?? 60) / 5));
    let measurements = 0;
    let incidentsSoFar = 0;
    const realStart = performance.now();
    for (let tick = 0; tick < ticks; tick++) {
      const t = dayStart + tick * TICK_MS;
      if (o.speed && o.speed > 0) {
        const due = realStart + (t - dayStart) / o.speed;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      clock.set(t);
      const due = probes.map((_, i) => i).filter((i) => (tick + i) % period === 0);
      worker.postMessage({ type: 'tick', tick, probes: due } satisfies WorkerRequest);
      const r = await next();
      if (r.type === 'tick') measurements += r.measurements;
      if ((tick + 1) % detectEvery === 0 || tick === ticks - 1) {
        await flush();
        const res = await runDetection(s, { now: Math.floor((t + TICK_MS) / 1000) });
        incidentsSoFar = res.incidents.length;
      }
      o.onProgress?.({ t: t + TICK_MS, fraction: (tick + 1) / ticks, measurements, incidents: incidentsSoFar });
    }
    worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
    if (lostUploads.length) throw new VigilError('INTERNAL', `demo uploads failed: ${lostUploads[0]}`);
    clock.set(dayEnd);
    await runDetection(s, { now: Math.floor(dayEnd / 1000) });
    const incidents = (await s.incidents({ limit: 1000 })).sort((a, b) => a.start.localeCompare(b.start));

    const truth = groundTruth();
    const files: Record<string, string> = {
      db: dbPath,
      incidents: join(o.out, 'incidents.json'),
      scenario: join(o.out, 'scenario.json'),
    };
    await writeFile(files.incidents, JSON.stringify(incidents, null, 2) + '\n');
    await writeFile(files.scenario, JSON.stringify(truth, null, 2) + '\n');
    const main = pickMain(incidents);
    if (main) {
      const data = await buildReportData(s, main, { events: demoContext, baseUrl: o.serve ? url : null, now: dayEnd });
      files.reportMd = join(o.out, 'report.md');
      files.reportHtml = join(o.out, 'report.html');
      await writeFile(files.reportMd, render(data, 'md'));
      await writeFile(files.reportHtml, render(data, 'html'));
    }
    const result: DemoResult = {
      incidents,
      headline: main?.summary ?? null,
      measurements,
      files,
      truth,
      url: o.serve ? url : null,
      elapsedS: (performance.now() - started) / 1000,
      close: closeAll,
    };
    if (!o.serve) await closeAll();
    else {
      // keep the collector and store; the lab and probes are done
      await worker.terminate().catch(() => undefined);
      await lab.close().catch(() => undefined);
    }
    return result;
  } catch (e) {
    await closeAll();
    throw e;
  }
}
