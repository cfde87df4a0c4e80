#!/usr/bin/env node
// `npm run test:reliability`: the long-running reliability tests (issue 9; docs/reliability.md):
// kill -9 of the collector under load, kill -9 of the probe mid-upload, the outbox on a full
// tmpfs (root), sustained load with autocannon, access over HTTPS with tokens, and poisoning.
// Named *.reliability.ts so `npm test` (which runs every *.test.ts) stays fast. Each file is bounded; the whole run takes ~1.5 min.
import { spawnSync } from 'node:child_process';

const files = [
  'test/reliability/crash.reliability.ts',
  'test/reliability/probe.reliability.ts',
  'test/reliability/load.reliability.ts',
  'test/reliability/access.reliability.ts',
  'test/reliability/poisoning.reliability.ts',
];
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const chosen = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
// one file at a time: the load and crash tests measure a server that should have the CPUs
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...chosen], { stdio: 'inherit' });
process.exit(r.status ?? 1);
