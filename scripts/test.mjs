#!/usr/bin/env node
// `npm test`: type check, lint, then every *.test.ts under src/ and test/ with node's test runner.
// Node 20's --test neither expands globs nor finds .ts files, so the list is built here.
// Flags: --no-checks (skip tsc and eslint), any other argument filters test files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const checks = !args.includes('--no-checks');
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (checks) {
  console.log('== typecheck');
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  console.log('== lint');
  run('npx', ['eslint', '.']);
}
let files = walk('src', []).concat(walk('test', []));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(`== ${files.length} test files`);
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
