// Runs the CLI from the TypeScript sources (not dist/, which may be older than the code under
// test): `node --import tsx test/reliability/cli-entry.ts serve …`.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
