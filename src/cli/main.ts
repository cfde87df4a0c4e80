// The CLI (DESIGN.md §6): the one place that reads argv/env, prints errors and picks exit codes.
// Commands are loaded lazily so `vigil bgp dump` does not pay for DuckDB or Fastify.
import type { CliContext, Command } from './context.js';
import { isVigilError } from '../model/errors.js';

const commands: Record<string, () => Promise<{ default: Command }>> = {
  demo: () => import('./commands/demo.js'),
  serve: () => import('./commands/serve.js'),
  probe: () => import('./commands/probe.js'),
  helper: () => import('./commands/helper.js'),
  import: () => import('./commands/import.js'),
  bgp: () => import('./commands/bgp.js'),
  detect: () => import('./commands/detect.js'),
  report: () => import('./commands/report.js'),
  lab: () => import('./commands/lab.js'),
  bench: () => import('./commands/bench.js'),
  geo: () => import('./commands/geo.js'),
};

export async function usage(): Promise<string> {
  const lines = ['usage: vigil COMMAND [options]   (vigil COMMAND --help for details)', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const cmd = (await load()).default;
    lines.push(`  ${name.padEnd(8)} ${cmd.summary}`);
  }
  lines.push('', 'exit codes: 0 ok, 1 failure, 2 usage error; --verbose prints stack traces');
  return lines.join('\n') + '\n';
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? s;
}

export async function main(argv: string[], ctxIn?: Partial<CliContext>): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const ctx: CliContext = {
    stdout: ctxIn?.stdout ?? process.stdout,
    stderr: ctxIn?.stderr ?? process.stderr,
    env: ctxIn?.env ?? process.env,
    isTTY: ctxIn?.isTTY ?? Boolean(process.stderr.isTTY),
    verbose,
  };
  const [name, ...rest] = args;
  // `vigil … | head`: a closed pipe ends the output quietly, as for any Unix tool.
  for (const stream of [ctx.stdout, ctx.stderr]) {
    if (stream.listenerCount('error') === 0) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0);
        throw e;
      });
    }
  }
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      ctx.stdout.write(await usage());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      ctx.stdout.write('vigil 0.1.0\n');
      return 0;
    }
    const load = commands[name];
    if (!load) {
      ctx.stderr.write(`vigil: unknown command "${name}" (see vigil --help)\n`);
      return 2;
    }
    const cmd = (await load()).default;
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout.write(cmd.help.endsWith('\n') ? cmd.help : cmd.help + '\n');
      return 0;
    }
    return await cmd.run(rest, ctx);
  } catch (e) {
    if (isVigilError(e)) {
      // one line: messages from below (DuckDB, fetch) may span several
      ctx.stderr.write(`vigil: ${firstLine(e.message)}\n`);
      if (verbose && e.stack) ctx.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const err = e as Error;
    ctx.stderr.write(`vigil: internal error: ${firstLine(err?.message ?? String(e))}\n`);
    if (verbose && err?.stack) ctx.stderr.write(err.stack + '\n');
    return 1;
  }
}
