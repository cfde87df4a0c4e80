// `vigil bgp dump FILE…`: one line per RIB entry / announced or withdrawn prefix / state change in
// bgpdump's -m format (docs/bgp.md). Exit 0 when something was read (warnings on stderr when the
// file was partly bad), 1 when nothing could be read, 2 on usage errors.
import type { Command, CliContext } from '../context.js';
import { parse } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { formatBgpdump } from '../../ingest/bgp/bgpdump-format.js';
import { formatReport, newReport, parseMrtFile } from '../../ingest/bgp/parser.js';
import type { Bzip2Mode } from '../../ingest/bgp/input.js';

const HELP = `usage: vigil bgp dump FILE… [--bzip2 auto|system|js] [--unmasked] [--quiet]

Prints every MRT record of FILE (plain, .gz or .bz2; told by content) as bgpdump -m lines:
  TYPE|time|A/W/B|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
  TYPE|time|STATE|peer_ip|peer_as|old_state|new_state
Skipped or damaged records are reported on stderr with their byte offset.
  --bzip2 MODE   bzip2 decoder: the system bzip2 when present (auto), only it, or the JS fallback
  --unmasked     print NLRI host bits as bgpdump 1.6.2 (Debian) does; by default they are
                 cleared (RFC 4271 §4.3, bgpdump since 2020): 11.13.0.0/13 -> 11.8.0.0/13
  --quiet        no warnings on stderr
`;

async function write(ctx: CliContext, s: string): Promise<void> {
  if (!ctx.stdout.write(s)) await new Promise<void>((r) => ctx.stdout.once('drain', () => r()));
}

async function dump(files: string[], ctx: CliContext, bzip2: Bzip2Mode, quiet: boolean, mask: boolean): Promise<number> {
  let failed = 0;
  for (const file of files) {
    const report = newReport();
    const batches = await parseMrtFile(file, report, { bzip2, mask });
    let buf = '';
    for await (const batch of batches) {
      for (const e of batch) buf += formatBgpdump(e);
      if (buf.length > 1 << 16) { await write(ctx, buf); buf = ''; }
    }
    if (buf) await write(ctx, buf);
    if (!quiet) for (const l of formatReport(file, report)) ctx.stderr.write(`warning: ${l}\n`);
    if (report.decoded === 0) {
      ctx.stderr.write(`error: ${file}: no MRT record could be read (${report.bytes} bytes framed, ${report.warnings.length} warnings)\n`);
      failed++;
    }
  }
  return failed === files.length ? 1 : 0;
}

const command: Command = {
  summary: 'read MRT files: `bgp dump FILE` prints bgpdump -m lines',
  help: HELP,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (!sub || sub === '--help' || sub === '-h') { ctx.stdout.write(HELP); return sub ? 0 : 2; }
    if (sub !== 'dump') throw new UsageError(`bgp: unknown subcommand "${sub}" (try: vigil bgp dump FILE)`);
    const { values, positionals } = parse(rest, { bzip2: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, unmasked: { type: 'boolean' } });
    if (values.help) { ctx.stdout.write(HELP); return 0; }
    if (positionals.length === 0) throw new UsageError('bgp dump: give at least one MRT file');
    const mode = (values.bzip2 ?? 'auto') as Bzip2Mode;
    if (!['auto', 'system', 'js'].includes(mode)) throw new UsageError(`--bzip2: expected auto, system or js (got "${mode}")`);
    return dump(positionals, ctx, mode, values.quiet === true, values.unmasked !== true);
  },
};
export default command;
