// Regenerates fingerprints.json from OONI's blockpage fingerprint lists (ooni/backend,
// fastpath/fastpath/tests/data/fingerprints_{dns,http}.json, BSD-3-Clause; see SOURCES.md).
// Usage: npx tsx src/analyze/data/gen-fingerprints.ts [DIR]   (DIR holds reference__fingerprints_*.json;
// default ../shared/data/ooni-samples). Keeps only the fields Vigil matches on, sorted, so the
// output is stable and reviewable.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Raw { name: string; scope: string; location_found: string; pattern_type: string; pattern: string; expected_countries: string }

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? join(here, '..', '..', '..', '..', 'shared', 'data', 'ooni-samples');

function compact(file: string): Array<[string, string, string, string, string, string]> {
  const rows = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Raw[];
  return rows
    .map((r) => [r.name, r.scope, r.location_found, r.pattern_type, r.pattern, (r.expected_countries ?? '').replace(/\s+/g, '')] as [string, string, string, string, string, string])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[4] < b[4] ? -1 : 1));
}

const out = {
  source: 'ooni/backend fastpath/fastpath/tests/data/fingerprints_{dns,http}.json (BSD-3-Clause)',
  columns: ['name', 'scope', 'location', 'pattern_type', 'pattern', 'expected_countries'],
  dns: compact('reference__fingerprints_dns.json'),
  http: compact('reference__fingerprints_http.json'),
};
writeFileSync(join(here, 'fingerprints.json'), JSON.stringify(out) + '\n');
console.log(`wrote ${out.dns.length} DNS and ${out.http.length} HTTP fingerprints to ${join(here, 'fingerprints.json')}`);
