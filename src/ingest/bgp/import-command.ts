// `vigil import bgp FILE … [--db PATH]`: reads MRT files in the order given (a RIB snapshot, then
// update files), keeps the visibility signal current (visibility.ts) and stores one row per
// origin AS and 5-minute bin through Store.insertBgpVisibility. Prints counts; damaged input is
// reported on stderr with byte offsets. Exit 0 when something was read, 1 when nothing was.
import type { CliContext } from '../../cli/context.js';
import { parse, parseDuration } from '../../cli/args.js';
import { UsageError } from '../../model/errors.js';
import { openStore, resolveDb } from '../../store/open.js';
import type { BgpVisibilityRow, Store } from '../../store/store.js';
import type { Bzip2Mode } from './input.js';
import { formatReport, newReport, parseMrtFile } from './parser.js';
import { loadPrefixTable } from './prefix-table.js';
import { VisibilityTracker } from './visibility.js';

const HELP = `usage: vigil import bgp FILE… [--db PATH] [--prefix-table TSV] [--bin 5m]
                        [--full-feed 0.8] [--visibility 0.5] [--bzip2 auto|system|js]

Reads MRT files (plain, .gz, .bz2) in the order given — a RIB snapshot first, then update files —
and stores the BGP visibility signal: per origin AS and bin, the IPv4 /24 blocks seen by at least
--visibility of the full-feed peers (peers with ≥ --full-feed × the largest peer's prefix count).
  --prefix-table TSV   prefix<TAB>asn<TAB>cc<TAB>name lines: gives each AS its country
  --visibility 0       plain union (any peer), as EXPECTED.json counts it
`;

function fraction(s: string | undefined, flag: string, dflt: number): number {
  if (s === undefined) return dflt;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag}: expected a number between 0 and 1 (got "${s}")`);
  return n;
}

export async function runImportBgp(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, {
    db: { type: 'string' }, 'prefix-table': { type: 'string' }, bin: { type: 'string' },
    'full-feed': { type: 'string' }, visibility: { type: 'string' }, bzip2: { type: 'string' },
  });
  if (values.help) { ctx.stdout.write(HELP); return 0; }
  if (positionals.length === 0) throw new UsageError('import bgp: give at least one MRT file');
  const bzip2 = (values.bzip2 ?? 'auto') as Bzip2Mode;
  if (!['auto', 'system', 'js'].includes(bzip2)) throw new UsageError(`--bzip2: expected auto, system or js (got "${bzip2}")`);
  const binSeconds = values.bin ? parseDuration(values.bin, '--bin') / 1000 : 300;
  if (!Number.isInteger(binSeconds) || binSeconds < 60) throw new UsageError('--bin: at least 1m, whole seconds');
  let prefixTable = null;
  if (values['prefix-table']) {
    const { table, errors } = await loadPrefixTable(values['prefix-table']);
    for (const e of errors.slice(0, 20)) ctx.stderr.write(`warning: ${values['prefix-table']}: ${e}\n`);
    if (errors.length > 20) ctx.stderr.write(`warning: ${values['prefix-table']}: ${errors.length - 20} more bad lines\n`);
    prefixTable = table;
  }
  const tracker = new VisibilityTracker({
    binSeconds,
    fullFeedFraction: fraction(values['full-feed'], '--full-feed', 0.8),
    visibilityFraction: fraction(values.visibility, '--visibility', 0.5),
    prefixTable,
  });
  const store: Store = await openStore(resolveDb(values.db, ctx.env));
  let stored = 0;
  let produced = 0;
  let readable = 0;
  try {
    const put = async (rows: BgpVisibilityRow[]) => {
      produced += rows.length;
      for (let i = 0; i < rows.length; i += 50_000) stored += await store.insertBgpVisibility(rows.slice(i, i + 50_000));
    };
    for (const file of positionals) {
      const report = newReport();
      for await (const batch of await parseMrtFile(file, report, { bzip2 })) {
        let rows: BgpVisibilityRow[] = [];
        for (const e of batch) {
          const r = tracker.apply(e);
          if (r.length) rows = rows.concat(r);
        }
        if (rows.length) await put(rows);
      }
      for (const l of formatReport(file, report)) ctx.stderr.write(`warning: ${l}\n`);
      if (report.decoded > 0) readable++;
      else ctx.stderr.write(`error: ${file}: no MRT record could be read\n`);
      ctx.stdout.write(`${file}: ${report.records} records, ${report.decoded} decoded, ${report.warnings.length + report.droppedWarnings} warnings\n`);
    }
    await put(tracker.finish());
  } finally {
    await store.close();
  }
  ctx.stdout.write(`bgp visibility: ${tracker.elements} elements, ${produced} rows (${stored} new) in ${binSeconds}s bins\n`);
  return readable === 0 ? 1 : 0;
}
