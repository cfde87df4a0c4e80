// `vigil detect [--db PATH] [--since T] [--until T] [--cc CC] [--json]` (DESIGN.md §4, §6): runs
// incremental detection over the store and prints the incidents (a JSON array with --json).
import type { Command } from '../context.js';
import { parse, parseTime } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { openStore, resolveDb } from '../../store/open.js';
import { runDetection } from '../../detect/run.js';
import type { Incident } from '../../model/incident.js';

const help = `usage: vigil detect [--db PATH] [--since T] [--until T] [--cc CC] [--json]

Finds incidents (platform blocks, network outages, throttling) in the stored observations and
stores them with stable ids. Incremental: a re-run reads only new data and the windows it can
revise. T is ISO 8601 or YYYY-MM-DD[ HH:MM:SS], UTC.

  --db PATH     DuckDB file or clickhouse://HOST:PORT/DB (default $VIGIL_DB or ./vigil.duckdb)
  --since T     re-analyse from T (default: from the last run's watermark)
  --until T     analyse up to T (default: now, or the end of the data)
  --cc CC       one country (two letters)
  --json        print the incidents as a JSON array (DESIGN.md §4)
`;

function line(i: Incident): string {
  const mark = i.status === 'ongoing' ? 'ONGOING ' : '';
  return `${mark}${i.summary}  [${i.kind}, ${i.layers.join('/') || '-'}, confidence ${i.confidence.toFixed(2)}, ${i.evidence.probes} probes, id ${i.id}]`;
}

const command: Command = {
  summary: 'find incidents in the stored observations',
  help,
  async run(args, ctx) {
    const { values, positionals } = parse(args, {
      db: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, cc: { type: 'string' }, json: { type: 'boolean' },
    });
    if (values.help) {
      ctx.stdout.write(help);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    const cc = values.cc?.toUpperCase();
    if (cc !== undefined && !/^[A-Z]{2}$/.test(cc)) throw new UsageError(`--cc: expected a two-letter country code (got "${values.cc}")`);
    const since = parseTime(values.since, '--since');
    const until = parseTime(values.until, '--until');
    if (since && until && since >= until) throw new UsageError('--since must be before --until');
    const store = await openStore(resolveDb(values.db, ctx.env));
    try {
      const r = await runDetection(store, {
        cc,
        since: since ? Math.floor(since.getTime() / 1000) : undefined,
        until: until ? Math.floor(until.getTime() / 1000) : undefined,
      });
      let list = r.incidents;
      if (since) list = list.filter((i) => (i.end === null ? Infinity : Date.parse(i.end)) >= since.getTime());
      if (until) list = list.filter((i) => Date.parse(i.start) < until.getTime());
      list = [...list].sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
      if (values.json) ctx.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else {
        if (list.length === 0) ctx.stdout.write('no incidents\n');
        for (const i of list) ctx.stdout.write(line(i) + '\n');
        ctx.stderr.write(`${r.opened.length} opened, ${r.updated.length} updated, ${r.resolved.length} resolved, ${r.retracted.length} retracted\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
export default command;
