// Where the shared MRT samples live (../shared/data/bgp next to the repo; VIGIL_BGP_DATA overrides)
// and the list of them, for tests and the benchmark.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
// src/ingest/bgp → repo root is 3 levels up; dist/src/ingest/bgp → 4.
export const BGP_DATA = process.env.VIGIL_BGP_DATA
  ?? [resolve(here, '../../../../shared/data/bgp'), resolve(here, '../../../../../shared/data/bgp')].find((d) => existsSync(d))
  ?? resolve(here, '../../../../shared/data/bgp');

export function haveBgpData(): boolean {
  return existsSync(join(BGP_DATA, 'EXPECTED.json'));
}

/** Every MRT sample (relative paths like "ris/updates.20160811.1600.gz"). */
export function mrtSamples(): string[] {
  const out: string[] = [];
  for (const dir of ['lab', 'ris', 'routeviews', 'edge-cases']) {
    const d = join(BGP_DATA, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) out.push(`${dir}/${f}`);
  }
  return out;
}
