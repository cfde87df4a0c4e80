// `vigil bench bgp`: MRT elements per second for a RIB and an updates file, Vigil against Debian's
// `bgpdump -m` on the same files in the same run (best of 3 each), and peak memory. An element is
// one RIB entry, one announced or withdrawn prefix, or one state change (= one bgpdump -m line).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBgpdump } from '../src/ingest/bgp/bgpdump-format.js';
import { newReport, parseMrtFile } from '../src/ingest/bgp/parser.js';
import { BGP_DATA } from '../src/ingest/bgp/testdata.js';
import type { MrtEntry } from '../src/ingest/bgp/types.js';

const FILES = [
  { label: 'RIB (RouteViews, TABLE_DUMP_V2, gzip)', path: 'routeviews/rib.20140523.0600.route-views2.first9070records.mrt.gz' },
  { label: 'updates (RIS, BGP4MP, gzip)', path: 'ris/updates.20160811.1600.gz' },
];
const BGPDUMP = '/usr/bin/bgpdump';

function elementsOf(e: MrtEntry): number {
  switch (e.kind) {
    case 'rib': return e.entries.length;
    case 'table_dump': case 'state': return 1;
    case 'update': {
      let n = e.withdrawn.length + e.announced.length;
      for (const m of [e.attrs.mpReach, e.attrs.mpUnreach]) if (m) for (const x of m.values()) n += x.prefixes.length;
      return n;
    }
    default: return 0;
  }
}

async function vigil(path: string, format: boolean): Promise<{ elements: number; ms: number }> {
  const t0 = performance.now();
  let elements = 0;
  let chars = 0;
  for await (const batch of await parseMrtFile(path, newReport())) {
    for (const e of batch) {
      elements += elementsOf(e);
      if (format) chars += formatBgpdump(e).length;
    }
  }
  return { elements: chars >= 0 ? elements : 0, ms: performance.now() - t0 };
}

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function bgpdump(path: string): Promise<{ elements: number; ms: number; rssKb: number }> {
  const t0 = performance.now();
  const child = spawn(BGPDUMP, ['-m', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let lines = 0;
  let rss = 0;
  const poll = setInterval(() => { rss = Math.max(rss, vmHwm(child.pid!)); }, 5);
  child.stdout.on('data', (d: Buffer) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    rss = Math.max(rss, vmHwm(child.pid!));
  });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  clearInterval(poll);
  return { elements: lines, ms: performance.now() - t0, rssKb: rss };
}

async function best<T extends { ms: number }>(n: number, f: () => Promise<T>): Promise<T> {
  let b: T | null = null;
  for (let i = 0; i < n; i++) {
    const r = await f();
    if (!b || r.ms < b.ms) b = r;
  }
  return b!;
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (x: number) => x.toLocaleString('en-US');

export async function benchBgp(): Promise<string> {
  const lines: string[] = ['bgp: MRT elements per second (best of 3), Vigil vs bgpdump -m, same files, same run'];
  if (!existsSync(join(BGP_DATA, FILES[0].path))) return `${lines[0]}\n  skipped: no sample data at ${BGP_DATA}\n`;
  const haveBgpdump = existsSync(BGPDUMP);
  for (const f of FILES) {
    const path = join(BGP_DATA, f.path);
    await vigil(path, true); // warm-up (JIT)
    const parse = await best(3, () => vigil(path, false));
    const dump = await best(3, () => vigil(path, true));
    lines.push(`  ${f.label}: ${fmt(parse.elements)} elements`);
    lines.push(`    vigil parse          ${fmt(rate(parse.elements, parse.ms)).padStart(10)} /s  (${parse.ms.toFixed(0)} ms)`);
    lines.push(`    vigil parse+-m text  ${fmt(rate(dump.elements, dump.ms)).padStart(10)} /s  (${dump.ms.toFixed(0)} ms)`);
    if (haveBgpdump) {
      const ref = await best(3, () => bgpdump(path));
      lines.push(`    bgpdump -m           ${fmt(rate(ref.elements, ref.ms)).padStart(10)} /s  (${ref.ms.toFixed(0)} ms, ${fmt(ref.elements)} lines, peak RSS ${(ref.rssKb / 1024).toFixed(1)} MiB)`);
      lines.push(`    ratio vigil/bgpdump  parse ${(rate(parse.elements, parse.ms) / rate(ref.elements, ref.ms)).toFixed(2)}x, parse+text ${(rate(dump.elements, dump.ms) / rate(ref.elements, ref.ms)).toFixed(2)}x`);
    } else {
      lines.push('    bgpdump -m           not installed (/usr/bin/bgpdump)');
    }
  }
  lines.push(`  vigil peak RSS (whole Node process, incl. runtime): ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  benchBgp().then((s) => process.stdout.write(s));
}
