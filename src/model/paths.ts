// Locates files that ship with the repository (data tables, the lab's prefix table, web assets)
// the same way whether the code runs from src/ through tsx or from dist/ after the build:
// tsc copies no data files, so data is always read from the source tree.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function repoRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'vigil') return (root = dir);
      } catch {}
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('vigil: cannot find the repository root (package.json)');
    dir = up;
  }
}

/** Path of a file in the repository, e.g. repoPath('src', 'lab', 'data', 'lab-prefixes.tsv'). */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
