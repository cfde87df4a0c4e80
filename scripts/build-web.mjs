#!/usr/bin/env node
// Builds the dashboard (web/) into dist/web with Vite, when web/ exists.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('web/vite.config.ts') && !existsSync('web/vite.config.js')) {
  console.log('build-web: no web/ app yet, skipped');
  process.exit(0);
}
const r = spawnSync('npx', ['vite', 'build', '--config', existsSync('web/vite.config.ts') ? 'web/vite.config.ts' : 'web/vite.config.js', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
