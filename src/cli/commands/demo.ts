// `vigil demo` (DESIGN.md §6, issue 5 §3): the seed scenario end to end on the loopback lab.
import type { Command } from '../context.js';
import { parse, parseIntFlag } from '../args.js';
import { runDemo } from '../../demo/run-demo.js';
import { dashboardRoute } from '../../collect/static.js';
import { repoPath } from '../../model/paths.js';
import { existsSync } from 'node:fs';
import { utc } from '../../report/format.js';

const help = `usage: vigil demo [--no-serve] [--speed N] [--out DIR] [--host H] [--port N] [--probes N] [--interval MIN]

Runs the seed scenario on the loopback lab: a simulated Venezuela (CANTV AS8048, Movistar AS6306,
Digitel AS264731) over a simulated day, 5 January 2020, where CANTV blocks Twitter, Instagram,
YouTube and Facebook Messenger for 2 h 30 min while the National Assembly votes. Real probes
measure real lab servers through the censor and upload to a real collector; detection and the
report run as in production, on a virtual clock. Writes to DIR (default ./vigil-demo):
vigil.duckdb, incidents.json, scenario.json (the ground truth), report.md, report.html.
Then serves the dashboard and API until Ctrl-C, unless --no-serve.
  --speed N      virtual time at most N times faster than real time (default: as fast as possible)
  --probes N     probes per network (default 8)
  --interval M   minutes between a probe's rounds (default 20)`;

const command: Command = {
  summary: 'the seed scenario end to end on the lab (Venezuela, 5 January 2020)',
  help,
  async run(args, ctx) {
    const { values } = parse(args, {
      'no-serve': { type: 'boolean' }, speed: { type: 'string' }, out: { type: 'string' },
      host: { type: 'string' }, port: { type: 'string' }, probes: { type: 'string' }, interval: { type: 'string' },
    }, false);
    const out = values.out ?? './vigil-demo';
    const speed = parseIntFlag(values.speed, '--speed', 1, 1_000_000);
    const port = parseIntFlag(values.port, '--port', 0, 65535) ?? 8080;
    const host = values.host ?? '127.0.0.1';
    const serve = !values['no-serve'];
    const web = repoPath('dist', 'web');
    let lastDraw = 0;
    const result = await runDemo({
      out,
      speed,
      probesPerNetwork: parseIntFlag(values.probes, '--probes', 2, 200),
      intervalMin: parseIntFlag(values.interval, '--interval', 5, 120),
      serve: serve ? { host, port, routes: existsSync(web) ? [dashboardRoute(web)] : [] } : null,
      onProgress: (p) => {
        if (!ctx.isTTY) return;
        const now = performance.now();
        if (now - lastDraw < 100 && p.fraction < 1) return;
        lastDraw = now;
        const w = 30;
        const done = Math.round(p.fraction * w);
        ctx.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(w - done)}] ${utc(p.t / 1000)}  ${p.measurements} measurements, ${p.incidents} incidents `);
        if (p.fraction >= 1) ctx.stderr.write('\n');
      },
    });
    ctx.stdout.write(`${result.headline ?? 'No incident detected.'}\n\n`);
    if (result.incidents.length > 1) {
      ctx.stdout.write('All incidents:\n');
      for (const i of result.incidents) ctx.stdout.write(`  - ${i.summary}\n`);
      ctx.stdout.write('\n');
    }
    ctx.stdout.write(`${result.measurements} measurements by ${(values.probes ? Number(values.probes) : 8) * 3} probes in ${result.elapsedS.toFixed(1)} s\n`);
    for (const [k, f] of Object.entries(result.files)) ctx.stdout.write(`  ${k.padEnd(10)} ${f}\n`);
    if (!serve) return result.headline ? 0 : 1;
    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ctx.stdout.write(`\nDashboard and API: ${result.url}/  (Ctrl-C to stop)\n`);
    await stopped;
    await result.close();
    return 0;
  },
};
export default command;
