// `vigil bench probe`: web_connectivity measurements per second against a tiny lab of real
// servers on 127.0.0.1 (UDP DNS, HTTPS with a throwaway CA, HTTP, the control helper), at
// concurrency 1 and at N, in one run, with CPU time per measurement. The lab and the helper run
// in a child process (bench/probe-lab.ts), as they would on other machines; CPU is reported for
// the probe alone and for probe + lab together (process.cpuUsage of both processes).
// Aim (issue 2): ≥ 200 measurements/s at N on a 2-core machine.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSuite } from '../src/probe/suite.js';
import { validateMeasurement } from '../src/model/validate.js';
import { defaultNetEnv, type NetEnv } from '../src/netx/env.js';
import type { Targets } from '../src/probe/targets.js';
import type { ExperimentContext } from '../src/probe/context.js';

export interface BenchProbeOptions {
  /** measurements per phase (default 400; the concurrency-1 phase runs a quarter of them) */
  measurements?: number;
  /** the high concurrency (default 64) */
  concurrency?: number;
  /** https or http URLs (default https: the heavier, realistic case) */
  scheme?: 'https' | 'http';
}

interface Row { label: string; n: number; seconds: number; perSec: number; cpuMsPer: number; labCpuMsPer: number; valid: number; blocking: number }

type Ready = { helperUrl: string; httpPort: number; httpsPort: number; caPem: string; resolver: NetEnv['resolver'] };

function startLab(hosts: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  // compiled (dist/bench/probe.js): the compiled lab beside it; from the sources: through tsx
  const ts = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./probe-lab.${ts ? 'ts' : 'js'}`, import.meta.url));
  const child = fork(entry, [], { execArgv: ts ? ['--import', 'tsx'] : [], env: { ...process.env, VIGIL_BENCH_HOSTS: JSON.stringify(hosts) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`bench lab exited (${c})`)));
    child.once('message', (m: Ready & { type: string }) => resolve({ child, ready: m }));
  });
}

function labCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { usage: NodeJS.CpuUsage }) => resolve((m.usage.user + m.usage.system) / 1000));
    child.send({ type: 'cpu' });
  });
}

export async function benchProbe(opts: BenchProbeOptions = {}): Promise<string> {
  const total = opts.measurements ?? 400;
  const hi = opts.concurrency ?? 64;
  const scheme = opts.scheme ?? 'https';
  const hosts = Array.from({ length: 50 }, (_, i) => `site${i}.bench.test`);
  const { child, ready } = await startLab(hosts);
  const env = defaultNetEnv({
    resolver: ready.resolver,
    ports: { http: ready.httpPort, https: ready.httpsPort },
    ca: [ready.caPem],
    loopbackIsNormal: true,
    timeouts: { dns: 5000, connect: 5000, tls: 5000, http: 10000 },
  });
  const rows: Row[] = [];
  const reasons = new Map<string, number>();
  try {
    const phase = async (label: string, n: number, concurrency: number) => {
      const targets: Targets = { web: Array.from({ length: n }, (_, i) => ({ url: `${scheme}://${hosts[i % hosts.length]}/p${i}` })) };
      const ctx: ExperimentContext = {
        env, targets, helperUrl: ready.helperUrl, reportId: 'bench',
        identity: { cc: 'ZZ', asn: 0, network: 'bench', probeId: 'bench' }, clock: { now: () => Date.now() },
      };
      const lab0 = await labCpu(child);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let valid = 0;
      let blocking = 0;
      for await (const m of runSuite(ctx, { concurrency })) {
        if (validateMeasurement(m).ok) valid++;
        if (m.test_keys.blocking !== false) {
          blocking++;
          const k = m.test_keys;
          const why = `blocking=${k.blocking} control=${k.control_failure} http=${k.http_experiment_failure}`;
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const labMs = (await labCpu(child)) - lab0;
      rows.push({ label, n, seconds, perSec: n / seconds, cpuMsPer: (cpu.user + cpu.system) / 1000 / n, labCpuMsPer: labMs / n, valid, blocking });
    };
    await phase('warm-up', 20, 4);
    rows.length = 0;
    await phase('concurrency 1', Math.max(10, Math.floor(total / 4)), 1);
    await phase(`concurrency ${hi}`, total, hi);
  } finally {
    child.removeAllListeners('exit');
    child.send({ type: 'close' });
    await new Promise((r) => child.once('exit', r));
  }
  const lines = [
    `web_connectivity (${scheme}) against a loopback lab (servers + control helper in a child process)`,
    'phase              measurements  seconds  meas/s  probe CPU ms/meas  lab+helper CPU ms/meas  valid  not-ok',
  ];
  for (const r of rows) {
    lines.push(`${r.label.padEnd(18)} ${String(r.n).padStart(12)}  ${r.seconds.toFixed(2).padStart(7)}  ${r.perSec.toFixed(1).padStart(6)}  ${r.cpuMsPer.toFixed(2).padStart(17)}  ${r.labCpuMsPer.toFixed(2).padStart(22)}  ${String(r.valid).padStart(5)}  ${String(r.blocking).padStart(6)}`);
  }
  for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)) lines.push(`  not ok: ${n} × ${why}`);
  const best = rows[rows.length - 1];
  lines.push(`speed-up at concurrency ${hi}: ${(best.perSec / rows[0].perSec).toFixed(1)}x; aim ≥ 200 meas/s: ${best.perSec >= 200 ? 'met' : 'NOT met'}`);
  return lines.join('\n') + '\n';
}

// `npx tsx bench/probe.ts` runs it directly.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchProbe().then((t) => process.stdout.write(t), (e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
}
