// Writes the JSON Schemas generated from src/model (the one source of truth) into schemas/.
// `npm run schemas` regenerates; src/model/schemas.test.ts fails when the committed files drift.
import { writeFileSync, mkdirSync } from 'node:fs';
import { schemaFiles } from '../src/model/schema-files.js';

mkdirSync('schemas', { recursive: true });
for (const [name, text] of Object.entries(schemaFiles())) {
  writeFileSync(`schemas/${name}`, text);
  console.log(`schemas/${name}`);
}
