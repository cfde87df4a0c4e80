// `vigil bench detect|ingest|probe|bgp|aggregate|all` (DESIGN.md §6): benchmarks that compare
// against a baseline measured in the same run; they print tables, they never assert times.
import type { Command } from '../context.js';
import { parse, parseIntFlag } from '../args.js';
import { UsageError } from '../../model/errors.js';

type Bench = (opts: Record<string, unknown>) => Promise<string>;

// Benchmarks live in bench/ (compiled beside src/ into dist/); loaded only when asked for.
const BENCHES: Record<string, () => Promise<Bench>> = {
  probe: async () => (await import('../../../bench/probe.js')).benchProbe as Bench,
  ingest: async () => (await import('../../../bench/ingest.js')).benchIngest as Bench,
  aggregate: async () => (await import('../../../bench/aggregate.js')).benchAggregate as Bench,
  detect: async () => (await import('../../../bench/detect.js')).benchDetect as Bench,
  bgp: async () => (await import('../../../bench/bgp.js')).benchBgp as Bench,
  'ingest-clickhouse': async () => (await import('../../../bench/ingest-clickhouse.js')).benchIngestClickHouse as Bench,
};

const help = `usage: vigil bench ${Object.keys(BENCHES).join('|')}|all [--db PATH|URL] [--rows N] [--n N] [--seeds 1,2,3]

Runs a benchmark and prints its table: each one measures Vigil against a baseline in the same
run (probe: concurrency 1 vs N; ingest: JSON.parse floor; detect: OONI-, IODA- and CUSUM-style
rules on the same scenarios; bgp: Debian's bgpdump on the same files; aggregate: query shapes).
  --db      store for ingest/aggregate (a clickhouse:// URL adds the ClickHouse engine)
  --rows    observations for the aggregate benchmark (default 10,000,000)
  --n       measurements for the ingest benchmark
  --seeds   scenario seeds for the detect benchmark`;

const command: Command = {
  summary: 'benchmarks against baselines, in one run',
  help,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { db: { type: 'string' }, rows: { type: 'string' }, n: { type: 'string' }, seeds: { type: 'string' } });
    const which = positionals[0];
    if (!which || (which !== 'all' && !BENCHES[which])) throw new UsageError(`bench: choose one of ${Object.keys(BENCHES).join(', ')}, all`);
    const opts: Record<string, unknown> = {};
    if (values.db) opts.db = values.db;
    const rows = parseIntFlag(values.rows, '--rows', 1, 1e9);
    if (rows) opts.rows = rows;
    const n = parseIntFlag(values.n, '--n', 1, 1e8);
    if (n) opts.n = n;
    if (values.seeds) {
      const seeds = values.seeds.split(',').map((s) => Number(s));
      if (seeds.some((s) => !Number.isInteger(s))) throw new UsageError('--seeds: comma-separated integers');
      opts.seeds = seeds;
    }
    // `all` runs what needs nothing but this machine; ingest-clickhouse starts ClickHouse servers
    const names = which === 'all' ? Object.keys(BENCHES).filter((n) => n !== 'ingest-clickhouse') : [which];
    // `vigil bench ingest --db clickhouse://…` (issue 8): ClickHouse beside DuckDB on the same data
    if (which === 'ingest' && typeof opts.db === 'string' && /^clickhouse:\/\//i.test(opts.db)) names.splice(0, 1, 'ingest-clickhouse');
    for (const name of names) {
      ctx.stderr.write(`== bench ${name}\n`);
      const fn = await BENCHES[name]();
      ctx.stdout.write((await fn(opts)).trimEnd() + '\n\n');
    }
    return 0;
  },
};
export default command;
