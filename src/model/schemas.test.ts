import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { schemaFiles } from './schema-files.js';

test('committed JSON Schemas match the TypeBox model (run `npm run schemas` after a model change)', () => {
  const files = schemaFiles();
  const committed = readdirSync('schemas').filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(committed, Object.keys(files).sort());
  for (const [name, text] of Object.entries(files)) {
    assert.equal(readFileSync(`schemas/${name}`, 'utf8'), text, `schemas/${name} drifted from src/model`);
  }
});
