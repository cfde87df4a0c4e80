// `vigil bench probe`: web_connectivity measurements per second against a tiny lab of real
// servers on 127.0.0.1 (UDP DNS, HTTPS with a throwaway CA, HTTP, the control helper), at
// concurrency 1 and at N, in one run, with CPU time per measurement (process.cpuUsage: the
// probe, the helper and the servers all run in this process, so it is the whole system's cost).
// Aim (issue 2): ≥ 200 measurements/s at N on a 2-core machine.
import { startMiniLab } from '../src/probe/testing/minilab.js';
import { runSuite } from '../src/probe/suite.js';
import { validateMeasurement } from '../src/model/validate.js';
import type { Targets } from '../src/probe/targets.js';

export interface BenchProbeOptions {
  /** measurements per phase (default 400; the concurrency-1 phase runs a quarter of them) */
  measurements?: number;
  /** the high concurrency (default 64) */
  concurrency?: number;
  /** https or http URLs (default https: the heavier, realistic case) */
  scheme?: 'https' | 'http';
}

interface Row { label: string; n: number; seconds: number; perSec: number; cpuMsPer: number; valid: number; blocking: number }

export async function benchProbe(opts: BenchProbeOptions = {}): Promise<string> {
  const total = opts.measurements ?? 400;
  const hi = opts.concurrency ?? 64;
  const scheme = opts.scheme ?? 'https';
  const hosts = Array.from({ length: 50 }, (_, i) => `site${i}.bench.test`);
  const lab = await startMiniLab(hosts);
  const rows: Row[] = [];
  try {
    const phase = async (label: string, n: number, concurrency: number) => {
      const targets: Targets = { web: Array.from({ length: n }, (_, i) => ({ url: `${scheme}://${hosts[i % hosts.length]}/p${i}` })) };
      const ctx = lab.ctx(lab.cleanEnv, targets);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let valid = 0;
      let blocking = 0;
      for await (const m of runSuite(ctx, { concurrency })) {
        if (validateMeasurement(m).ok) valid++;
        if (m.test_keys.blocking !== false) blocking++;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      rows.push({ label, n, seconds, perSec: n / seconds, cpuMsPer: (cpu.user + cpu.system) / 1000 / n, valid, blocking });
    };
    await phase('warm-up', 20, 4);
    rows.length = 0;
    await phase('concurrency 1', Math.max(10, Math.floor(total / 4)), 1);
    await phase(`concurrency ${hi}`, total, hi);
  } finally {
    await lab.close();
  }
  const lines = [
    `web_connectivity (${scheme}) against a loopback lab with the control helper in-process`,
    'phase              measurements  seconds  meas/s   CPU ms/meas  valid  not-ok',
  ];
  for (const r of rows) {
    lines.push(`${r.label.padEnd(18)} ${String(r.n).padStart(12)}  ${r.seconds.toFixed(2).padStart(7)}  ${r.perSec.toFixed(1).padStart(6)}  ${r.cpuMsPer.toFixed(2).padStart(11)}  ${String(r.valid).padStart(5)}  ${String(r.blocking).padStart(6)}`);
  }
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
