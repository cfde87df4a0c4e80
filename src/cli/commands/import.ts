// `vigil import ooni FILE|DIR|- … [--db PATH]` and `vigil import bgp FILE … [--db PATH]`.
// The BGP importer lives in src/ingest/bgp (loaded only when asked for).
import type { CliContext, Command } from '../context.js';
import { parse } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { openStore, resolveDb } from '../../store/open.js';
import type { ImportSummary } from '../../ingest/ooni/importer.js';

const help = `usage: vigil import ooni FILE|DIR|- … [--db PATH]
       vigil import bgp  FILE …       [--db PATH]

ooni: reads OONI measurements — JSON documents, JSONL (one per line), gzip of either (detected by
content), directories (recursively: *.json, *.jsonl, *.gz) and stdin ("-") — streaming, in batches,
and stores them with Vigil's own verdicts. API measurement_meta responses are unwrapped; other
non-measurement files (fingerprint lists, API aggregations, fastpath rows, test_keys-only files)
are skipped with the reason. Re-importing the same data adds nothing.
Prints imported / duplicates / rejected (file:line and reason). Exit 1 if a file could not be read
to its end (the good lines before the error are kept).

  --db PATH   DuckDB file or clickhouse://HOST:PORT/DB (default: $VIGIL_DB or ./vigil.duckdb)
`;

function printSummary(s: ImportSummary, ctx: CliContext): void {
  const out = ctx.stdout;
  out.write(`imported ${s.imported}, duplicates ${s.duplicates}, rejected ${s.rejected} (${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB)\n`);
  for (const r of s.rejections) out.write(`  rejected ${r.where}: ${r.error}\n`);
  if (s.rejected > s.rejections.length) out.write(`  … and ${s.rejected - s.rejections.length} more rejected\n`);
  for (const k of s.skipped) out.write(`  skipped ${k.file}: ${k.reason}\n`);
  for (const e of s.errors) ctx.stderr.write(`vigil: import: ${e.file}: ${e.error}\n`);
}

async function runOoni(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { db: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('import ooni: give at least one FILE, DIR or - (stdin)');
  const store = await openStore(resolveDb(values.db, ctx.env));
  const { importOoni } = await import('../../ingest/ooni/importer.js');
  let last = 0;
  try {
    const s = await importOoni(store, positionals, {
      onProgress: ctx.isTTY
        ? (p) => {
            const now = Date.now();
            if (now - last < 250) return;
            last = now;
            ctx.stderr.write(`\r\x1b[Kimporting: ${p.imported} imported, ${p.duplicates} duplicates, ${p.rejected} rejected, ${(p.bytes / 1e6).toFixed(1)} MB`);
          }
        : undefined,
    });
    if (ctx.isTTY) ctx.stderr.write('\r\x1b[K');
    printSummary(s, ctx);
    return s.errors.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

const command: Command = {
  summary: 'import OONI measurements (JSON/JSONL/.gz) or BGP MRT archives into the store',
  help,
  async run(args, ctx) {
    const [kind, ...rest] = args;
    if (kind === 'ooni') return runOoni(rest, ctx);
    if (kind === 'bgp') {
      // a variable specifier: the BGP importer is another module's file and may land later
      const spec = '../../ingest/bgp/import-command.js';
      const mod = (await import(spec)) as { runImportBgp(args: string[], ctx: CliContext): Promise<number> };
      return mod.runImportBgp(rest, ctx);
    }
    throw new UsageError(kind === undefined ? 'import: say what to import: ooni or bgp' : `import: unknown source "${kind}" (ooni or bgp)`);
  },
};
export default command;
