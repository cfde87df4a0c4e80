// `vigil report ID|latest` (DESIGN.md §6, issue 5 §1).
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from '../context.js';
import { parse } from '../args.js';
import { UsageError, VigilError } from '../../model/errors.js';
import { openStore, resolveDb } from '../../store/open.js';
import { findIncident } from '../../report/find.js';
import { buildReportData } from '../../report/report-data.js';
import { render, FORMATS, type Format } from '../../report/render/index.js';
import { parseEvents, type ContextEvent } from '../../report/events.js';

const help = `usage: vigil report ID|latest [--format text|md|html|json] [--out FILE] [--events FILE] [--db PATH] [--base-url URL]

Writes the report of one incident: headline, times in UTC and local time, affected and unaffected
networks, how it was done (layers, failures), evidence with links to sample measurements,
confidence, method, and (html) reachability charts as inline SVG.
  --events FILE   JSON [{time,label}] or CSV (time,label) of context to mark on charts and text
  --base-url URL  prefix for measurement links (e.g. the collector's public URL)`;

const command: Command = {
  summary: 'write the report of an incident (text, md, html, json)',
  help,
  async run(args, ctx) {
    const { values, positionals } = parse(args, {
      format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, events: { type: 'string' },
      db: { type: 'string' }, 'base-url': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('report: give one incident id or "latest"');
    const format = (values.format ?? 'text') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`report: --format must be one of ${FORMATS.join(', ')}`);
    let events: ContextEvent[] = [];
    if (values.events) {
      let text: string;
      try {
        text = await readFile(values.events, 'utf8');
      } catch (e) {
        throw new VigilError('IO', `cannot read ${values.events}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      events = parseEvents(text, values.events);
    }
    const store = await openStore(resolveDb(values.db, ctx.env), { readOnly: true });
    try {
      const inc = await findIncident(store, positionals[0]);
      const data = await buildReportData(store, inc, { events, baseUrl: values['base-url'] ?? null });
      const out = render(data, format);
      if (values.out) {
        await writeFile(values.out, out);
        ctx.stderr.write(`wrote ${values.out}\n`);
      } else ctx.stdout.write(out);
      return 0;
    } finally {
      await store.close();
    }
  },
};
export default command;
